"""Standard `logging` records on the plugin's one reporting path: `run`'s log lines, or the CLI's stderr.

Library modules (the registry client above all) report through `logging` and never print; one handler
on the root logger writes their records. Under `run` it is `RunLogHandler`: each record becomes one of
`run`'s JSON or text lines, so nothing else reaches that stream. Every other command gets
`StderrHandler`: the message alone on stderr, which is what Python printed before any handler existed, so
the default level (`warning`) keeps every command's output as it was. The plugin's own records pass from
the chosen level up, other libraries' from `warning` up. See docs/behaviour.md, The controller: `run`.

A record tells which object it is about with the attributes `namespace` and `object_name`
(`logger.info(..., extra={"namespace": ns, "object_name": name})`; a record's `name` is its logger's).
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubectl_imagerepo.controller.logs import Logger

PACKAGE = "kubectl_imagerepo"
#: `--log-level` values (the root group's and `run`'s) as standard logging levels.
STDLIB_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}
#: Record attribute -> line field, for records about one object.
CONTEXT_ATTRIBUTES = {"namespace": "namespace", "object_name": "name"}


def line_level(levelno: int) -> str:
    """The level of `run`'s line for a record of standard level `levelno`."""
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warn"
    if levelno >= logging.INFO:
        return "info"
    return "debug"


def record_message(record: logging.LogRecord) -> str:
    """The record's message; the raw format string when its arguments do not fit it."""
    try:
        return record.getMessage()
    except (TypeError, ValueError):
        return str(record.msg)


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields of `run`'s line: the object when the record names it, the logger, an exception's trace.

    The trace is one field (newlines escaped by the line format), so a line stays one line.
    """
    fields: dict[str, Any] = {}
    for attribute, field in CONTEXT_ATTRIBUTES.items():
        value = getattr(record, attribute, None)
        if value is not None:
            fields[field] = value
    fields["logger"] = record.name
    if record.exc_info and record.exc_info[1] is not None:
        import traceback

        fields["stacktrace"] = "".join(traceback.format_exception(record.exc_info[1])).rstrip("\n")
    return fields


class RunLogHandler(logging.Handler):
    """Writes records as `run`'s log lines, through its `Logger`."""

    def __init__(self, log: Logger) -> None:
        super().__init__()
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log(line_level(record.levelno), record_message(record), **record_fields(record))


class StderrHandler(logging.Handler):
    """Writes each record's message alone on stderr (the stream of the moment, so tests may swap it).

    Only the plugin's own records, unless `everyone` (debug level): a library's retry or warning lines
    are not the plugin's to show (docs/behaviour.md, The user's environment).
    """

    def __init__(self, everyone: bool = False) -> None:
        super().__init__()
        self.everyone = everyone

    def filter(self, record: logging.LogRecord) -> bool:
        own = record.name == PACKAGE or record.name.startswith(PACKAGE + ".")
        return (own or self.everyone) and bool(super().filter(record))

    def emit(self, record: logging.LogRecord) -> None:
        text = record_message(record)
        try:
            sys.stderr.write(text + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed stderr must not end the command
            pass


_BRIDGES = (RunLogHandler, StderrHandler)


def bridge(handler: logging.Handler, level: str) -> None:
    """Make `handler` the one writer of standard logging records, the plugin's from `level` up.

    Replaces a bridge installed before (the root group's, when `run` starts).
    """
    threshold = STDLIB_LEVELS[level]
    remove_bridges()
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(max(logging.WARNING, threshold))
    logging.getLogger(PACKAGE).setLevel(threshold)


def bridge_to_stderr(level: str = "warning") -> None:
    """The CLI's bridge: messages on stderr from `level` up (see `StderrHandler`)."""
    bridge(StderrHandler(everyone=STDLIB_LEVELS[level] <= logging.DEBUG), level)


def bridge_to_run_log(log: Logger, level: str) -> None:
    """`run`'s bridge: records as its log lines, from `level` up."""
    bridge(RunLogHandler(log), level)


def remove_bridges() -> None:
    """Take out every bridge handler; records go back to Python's defaults."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _BRIDGES)]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger(PACKAGE).setLevel(logging.NOTSET)
