"""Structured log lines for `run`: JSON like the Flux controllers', or plain text for a terminal.

JSON: `{"level":"info","ts":"2026-11-27T21:00:00.123Z","msg":"…","namespace":"…","name":"…"}`.
Text: `2026-11-27T21:00:00.123Z INFO msg namespace=… name=…`, values quoted when they hold spaces.
Callers pass only what may be shown: messages of conditions and errors, never credentials.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

#: Line levels, lowest first; `warn` carries the warnings of standard `logging` (see `logbridge`).
LEVELS = {"debug": 0, "info": 1, "warn": 2, "error": 3}
FORMATS = ("text", "json")


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _text_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if text == "" or any(c in text for c in ' "=\t\n'):
        return json.dumps(text)
    return text


def format_line(fmt: str, level: str, message: str, fields: dict[str, Any], moment: datetime) -> str:
    """One log line (no newline) in `fmt`."""
    if fmt == "json":
        record = {"level": level, "ts": timestamp(moment), "msg": message, **fields}
        return json.dumps(record, default=str, ensure_ascii=False)
    parts = [timestamp(moment), level.upper(), _text_value(message)]
    parts += [f"{key}={_text_value(value)}" for key, value in fields.items()]
    return " ".join(parts)


class Logger:
    """Writes lines at or above `level` to `stream`, one at a time across threads."""

    def __init__(
        self,
        fmt: str = "text",
        level: str = "info",
        stream: TextIO | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown log format {fmt!r}")
        self.fmt, self.threshold = fmt, LEVELS[level]
        self.stream = stream or sys.stderr
        self.clock = clock
        self._lock = threading.Lock()

    def __call__(self, level: str, message: str, **fields: Any) -> None:
        if LEVELS.get(level, 1) < self.threshold:
            return
        line = format_line(self.fmt, level, message, fields, self.clock())
        with self._lock:
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # a closed pipe must not stop the controller
                pass
