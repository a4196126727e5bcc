"""`completion`: which shell scripts it prints, and its usage errors."""

from __future__ import annotations

import click
import pytest

from kubectl_imagerepo.commands.completion import KUBECTL_SHIM, CompletionOptions
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.rootgroup import root
from tests.unit.commands.fakes import captured


def test_an_unknown_shell_is_a_usage_error() -> None:
    with pytest.raises(InputError, match='unsupported shell "tcsh"'):
        CompletionOptions("tcsh", root).validate()


def test_extra_words_are_a_usage_error() -> None:
    with pytest.raises(click.UsageError, match="unexpected extra arguments: x"):
        CompletionOptions("bash", root, ("x",)).validate()


def test_the_kubectl_shim_execs_the_plugin_s_completion() -> None:
    streams, out, _ = captured()
    assert CompletionOptions("kubectl-shim", root).run(streams) == 0
    assert out.getvalue() == KUBECTL_SHIM


def test_the_bash_script_completes_the_standalone_executable() -> None:
    streams, out, _ = captured()
    assert CompletionOptions("bash", root).run(streams) == 0
    assert "_KUBECTL_IMAGEREPO_COMPLETE" in out.getvalue()
