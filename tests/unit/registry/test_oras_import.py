"""oras is imported with jsonschema deferred: nothing of jsonschema runs until something uses it.

Each case runs in a fresh interpreter, since what it checks is the state of `sys.modules`.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_python(code: str) -> str:
    """Run `code` in a fresh interpreter; its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_importing_the_tag_client_runs_no_jsonschema_code() -> None:
    out = run_python(
        """
        import sys
        import kubectl_imagerepo.registry.tags
        print(sorted(m for m in sys.modules if m.startswith(("jsonschema.", "referencing", "attr"))))
        """
    )
    assert out == "[]"


def test_oras_validates_with_the_real_jsonschema_once_used() -> None:
    out = run_python(
        """
        import oras.provider
        from kubectl_imagerepo.registry.client import RegistryClient
        try:
            oras.provider.jsonschema.validate({"a": 1}, {"type": "string"})
        except oras.provider.jsonschema.ValidationError as error:
            print(type(error).__module__)
        import jsonschema
        import jsonschema.validators
        print(type(jsonschema).__name__, jsonschema.validate is oras.provider.jsonschema.validate)
        """
    )
    assert out.splitlines() == ["jsonschema.exceptions", "module True"]


def test_a_module_already_imported_is_left_as_it_is() -> None:
    out = run_python(
        """
        import sys
        import jsonschema
        from kubectl_imagerepo.registry.oras_import import defer_import
        defer_import("jsonschema")
        print(sys.modules["jsonschema"] is jsonschema)
        """
    )
    assert out == "True"


def test_a_module_not_installed_is_not_stood_in_for() -> None:
    out = run_python(
        """
        import sys
        from kubectl_imagerepo.registry.oras_import import defer_import
        defer_import("no_such_module_here")
        print("no_such_module_here" in sys.modules)
        """
    )
    assert out == "False"
