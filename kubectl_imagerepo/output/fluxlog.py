"""Flux's progress lines: `►` action, `✔` success, `✗` failure, `◎` waiting, `⚠️` warning.

The commands print them on their stderr stream; this module only formats them for a stream.
"""

from __future__ import annotations

from typing import TextIO

SYMBOLS = {"action": "►", "success": "✔", "failure": "✗", "waiting": "◎", "warning": "⚠️"}
ASCII = {"action": ">", "success": "+", "failure": "x", "waiting": "o", "warning": "!"}


def _symbol(kind: str, stream: TextIO) -> str:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    return SYMBOLS[kind] if encoding.startswith("utf") else ASCII[kind]


def line(kind: str, message: str, stream: TextIO) -> str:
    """One progress line for `stream`, with Flux's symbol (an ASCII stand-in where it is not UTF-8)."""
    return f"{_symbol(kind, stream)} {message}"


def say(kind: str, message: str, stream: TextIO) -> None:
    """Write one progress line to `stream`."""
    stream.write(line(kind, message, stream) + "\n")
    stream.flush()
