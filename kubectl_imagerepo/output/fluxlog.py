"""Flux's progress lines on stderr: `►` action, `✔` success, `✗` failure, `◎` waiting, `⚠️` warning."""

from __future__ import annotations

import sys
from typing import TextIO

SYMBOLS = {"action": "►", "success": "✔", "failure": "✗", "waiting": "◎", "warning": "⚠️"}
ASCII = {"action": ">", "success": "+", "failure": "x", "waiting": "o", "warning": "!"}


def _symbol(kind: str, stream: TextIO) -> str:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    return SYMBOLS[kind] if encoding.startswith("utf") else ASCII[kind]


def line(kind: str, message: str) -> str:
    """One progress line, with Flux's symbol (or an ASCII stand-in where stderr is not UTF-8)."""
    return f"{_symbol(kind, sys.stderr)} {message}"


def say(kind: str, message: str) -> None:
    """Print one progress line on stderr."""
    print(line(kind, message), file=sys.stderr, flush=True)
