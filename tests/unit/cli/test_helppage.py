"""The root's help page, answered without click, is click's page byte for byte at every width."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from kubectl_imagerepo.cli import main, root_help_page
from kubectl_imagerepo.commands.table import MAX_CONTENT_WIDTH, PROG
from kubectl_imagerepo.output.helppage import MIN_WIDTH, terminal_columns
from kubectl_imagerepo.rootgroup import root


def clicks_page() -> str:
    """What click prints for `kubectl imagerepo --help` (its echo adds the last newline)."""
    with root.make_context(PROG, [], resilient_parsing=True) as ctx:
        return ctx.get_help() + "\n"


@pytest.mark.parametrize("columns", range(MIN_WIDTH - 10, MAX_CONTENT_WIDTH + 20))
def test_the_root_page_equals_clicks_at_every_width(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    assert root_help_page() == clicks_page()


@pytest.mark.parametrize("value", ["", "0", "-3", "abc", "1", "72", "500"])
def test_terminal_columns_are_shutils(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("COLUMNS", value)
    assert terminal_columns() == shutil.get_terminal_size().columns


def test_terminal_columns_fall_back_to_80_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert terminal_columns() == shutil.get_terminal_size().columns == 80


@pytest.mark.parametrize("argv", [["--help"], ["-h"]])
def test_asking_for_help_prints_the_page_on_stdout_and_succeeds(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    out, err = capsys.readouterr()
    assert (done.value.code, out, err) == (0, clicks_page(), "")


def test_no_arguments_print_the_page_on_stderr_as_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([])
    out, err = capsys.readouterr()
    assert (done.value.code, out, err) == (2, "", clicks_page())


def test_help_with_other_arguments_is_clicks_own(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--kubeconfig", "nowhere", "--help"])
    assert (done.value.code, capsys.readouterr().out) == (0, clicks_page())


def test_the_root_help_imports_no_click() -> None:
    code = (
        "import sys\nfrom kubectl_imagerepo.cli import main\ntry:\n    main(['--help'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'click'), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stderr.strip() == "[]"
    assert done.stdout.startswith("Usage: kubectl imagerepo [OPTIONS] COMMAND [ARGS]...")


def test_a_completion_request_is_left_to_click(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("_KUBECTL_IMAGEREPO_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "kubectl-imagerepo ge")
    monkeypatch.setenv("COMP_CWORD", "1")
    with pytest.raises(SystemExit):
        main([])
    assert capsys.readouterr().out == "plain,get\n"
