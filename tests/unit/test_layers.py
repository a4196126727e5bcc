"""The layers contract of `make lint`: the tree keeps it, and an import against the layers breaks it.

The contract is import-linter's, in pyproject.toml; README, Architecture, lists the layers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "kubectl_imagerepo"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run `lint-imports` with the project's configuration over the package that `tree` holds."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_package_keeps_its_layers() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("layer", "imported"),
    [
        ("model", "commands"),
        ("gocompat", "output"),
        ("output", "kube"),
        ("registry", "reconcile"),
        ("reconcile", "controller"),
    ],
    ids=lambda part: part,
)
def test_an_import_against_the_layers_breaks_the_contract(tmp_path: Path, layer: str, imported: str) -> None:
    shutil.copytree(ROOT / PACKAGE, tmp_path / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    module = tmp_path / PACKAGE / layer / "forbidden.py"
    module.write_text(f'"""Forbidden by the layers."""\n\nimport {PACKAGE}.{imported}\n', encoding="utf-8")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert f"{PACKAGE}.{layer}.forbidden -> {PACKAGE}.{imported}" in result.stdout
