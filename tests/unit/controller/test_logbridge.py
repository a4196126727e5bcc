"""Standard logging records bridged into `run`'s log lines and onto the CLI's stderr."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from kubectl_imagerepo.controller.logbridge import (
    RunLogHandler,
    StderrHandler,
    bridge_to_run_log,
    bridge_to_stderr,
    line_level,
    remove_bridges,
)
from kubectl_imagerepo.controller.logs import Logger

MOMENT = datetime(2026, 11, 27, 21, 0, 0, 123456, tzinfo=UTC)
REGISTRY = logging.getLogger("kubectl_imagerepo.registry.tags")
THIRD_PARTY = logging.getLogger("urllib3.connectionpool")


@pytest.fixture(autouse=True)
def no_bridge_left() -> Iterator[None]:
    yield
    remove_bridges()


def run_log(fmt: str = "json", level: str = "debug") -> tuple[Logger, io.StringIO]:
    out = io.StringIO()
    return Logger(fmt, level, out, clock=lambda: MOMENT), out


def record(level: int, message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = REGISTRY.makeRecord(REGISTRY.name, level, __file__, 1, message, args, None, extra=extra)
    return made


@pytest.mark.parametrize(
    ("level", "name"),
    [
        (logging.DEBUG, "debug"),
        (logging.INFO, "info"),
        (logging.WARNING, "warn"),
        (logging.ERROR, "error"),
        (logging.CRITICAL, "error"),
        (5, "debug"),
    ],
)
def test_standard_levels_map_to_the_levels_of_run(level: int, name: str) -> None:
    assert line_level(level) == name


def test_a_record_becomes_one_json_line_with_its_logger() -> None:
    log, out = run_log()
    RunLogHandler(log).handle(record(logging.INFO, "retrying %s in %.1fs", "GET /v2/x", 1.0))
    assert json.loads(out.getvalue()) == {
        "level": "info",
        "ts": "2026-11-27T21:00:00.123Z",
        "msg": "retrying GET /v2/x in 1.0s",
        "logger": "kubectl_imagerepo.registry.tags",
    }


def test_a_record_about_an_object_carries_its_namespace_and_name() -> None:
    log, out = run_log()
    RunLogHandler(log).handle(record(logging.WARNING, "legacy key", namespace="team", object_name="app"))
    line = json.loads(out.getvalue())
    assert (line["level"], line["namespace"], line["name"]) == ("warn", "team", "app")


def test_an_exception_stays_inside_its_one_line() -> None:
    log, out = run_log("text")
    try:
        raise RuntimeError("boom")
    except RuntimeError as failure:
        made = REGISTRY.makeRecord(REGISTRY.name, logging.ERROR, __file__, 1, "failed", (), None)
        made.exc_info = (type(failure), failure, failure.__traceback__)
    RunLogHandler(log).handle(made)
    text = out.getvalue()
    assert text.count("\n") == 1
    assert text.startswith("2026-11-27T21:00:00.123Z ERROR failed logger=kubectl_imagerepo.registry.tags ")
    assert "stacktrace=" in text and "RuntimeError: boom" in text


def test_a_message_whose_arguments_do_not_fit_is_written_raw() -> None:
    log, out = run_log()
    RunLogHandler(log).handle(record(logging.INFO, "%d tags", "many"))
    assert json.loads(out.getvalue())["msg"] == "%d tags"


def test_run_shows_the_plugins_records_from_its_level_and_others_from_warning() -> None:
    log, out = run_log(level="debug")
    bridge_to_run_log(log, "debug")
    REGISTRY.debug("GET /v2/x/tags/list: 503")
    THIRD_PARTY.debug("Starting new HTTP connection")
    THIRD_PARTY.warning("Connection pool is full")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["level"], line["msg"]) for line in lines] == [
        ("debug", "GET /v2/x/tags/list: 503"),
        ("warn", "Connection pool is full"),
    ]


def test_run_at_info_hides_debug_records() -> None:
    log, out = run_log(level="info")
    bridge_to_run_log(log, "info")
    REGISTRY.debug("hidden")
    REGISTRY.info("shown")
    assert [json.loads(line)["msg"] for line in out.getvalue().splitlines()] == ["shown"]


def test_run_replaces_the_stderr_bridge(capsys: pytest.CaptureFixture[str]) -> None:
    bridge_to_stderr("warning")
    log, out = run_log()
    bridge_to_run_log(log, "info")
    REGISTRY.warning("using legacy key in secret data")
    assert capsys.readouterr().err == ""
    assert json.loads(out.getvalue())["msg"] == "using legacy key in secret data"
    assert sum(isinstance(h, StderrHandler | RunLogHandler) for h in logging.getLogger().handlers) == 1


def test_the_stderr_bridge_by_default_prints_warnings_as_bare_messages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bridge_to_stderr()
    REGISTRY.info("retrying GET /v2/x in 1.0s: status 503")
    REGISTRY.warning("using legacy key in secret data (secret '%s')", "team/certs")
    assert capsys.readouterr().err == "using legacy key in secret data (secret 'team/certs')\n"


def test_the_stderr_bridge_at_debug_prints_retries(capsys: pytest.CaptureFixture[str]) -> None:
    bridge_to_stderr("debug")
    REGISTRY.info("retrying GET /v2/x in 1.0s: status 503")
    THIRD_PARTY.info("not the plugin's")
    assert capsys.readouterr().err == "retrying GET /v2/x in 1.0s: status 503\n"


def test_installing_the_stderr_bridge_twice_prints_once(capsys: pytest.CaptureFixture[str]) -> None:
    bridge_to_stderr()
    bridge_to_stderr()
    REGISTRY.warning("once")
    assert capsys.readouterr().err == "once\n"


def test_the_stderr_bridge_leaves_a_library_s_warnings_off_the_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bridge_to_stderr("warning")
    THIRD_PARTY.warning("Retrying (Retry(total=2, connect=None, read=None)) after connection broken")
    REGISTRY.warning("using legacy key in secret data")
    assert capsys.readouterr().err == "using legacy key in secret data\n"


def test_the_stderr_bridge_at_debug_shows_the_libraries_too(capsys: pytest.CaptureFixture[str]) -> None:
    bridge_to_stderr("debug")
    THIRD_PARTY.warning("Connection pool is full")
    assert "Connection pool is full" in capsys.readouterr().err
