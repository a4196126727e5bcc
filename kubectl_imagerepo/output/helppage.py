"""A `--help` page in click's layout, rendered without importing click.

The root command answers `--help`, `-h` and a bare invocation with this (see cli.py), because
importing click costs more than the rest of the answer. tests/unit/cli/test_helppage.py renders the
root's page here and through click at every width click can choose and requires them to be equal,
byte for byte, so the two cannot drift. Only what the root page uses is supported: a usage line that
fits beside its prefix, plain paragraphs, and sections of two-column rows.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Sequence

#: click's narrowest page, and the room it leaves for the terminal's last column.
MIN_WIDTH = 50
MARGIN = 2
#: click's definition lists: the widest first column, and the gap after it.
FIRST_COLUMN_MAX = 30
COLUMN_GAP = 2
INDENT = "  "


def terminal_columns(fallback: int = 80) -> int:
    """The terminal's width as `shutil.get_terminal_size` reports it (`COLUMNS` first), without shutil."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or fallback  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return fallback


def page_width(max_width: int) -> int:
    """The width click formats help to, for a command whose `max_content_width` is `max_width`."""
    return max(min(terminal_columns(), max_width) - MARGIN, MIN_WIDTH)


def reflow(text: str, width: int, first: str = "", rest: str = "") -> str:
    """`text`'s paragraphs (separated by blank lines) each filled to `width`, blank lines between."""
    wrapper = textwrap.TextWrapper(
        width, initial_indent=first, subsequent_indent=rest, replace_whitespace=False
    )
    paragraphs = (" ".join(lines.splitlines()) for lines in text.split("\n\n"))
    return "\n\n".join(wrapper.fill(paragraph) for paragraph in paragraphs)


def definitions(rows: Sequence[tuple[str, str]], width: int) -> str:
    """Rows of a section, indented: the first column padded, the second wrapped beside it.

    A first cell wider than the column gets a line of its own, its text starting on the next.
    """
    column = min(max(len(name) for name, _ in rows), FIRST_COLUMN_MAX) + COLUMN_GAP
    hanging = " " * (column + len(INDENT))
    text_width = max(width - column - MARGIN, 10)
    out = []
    for name, text in rows:
        out.append(INDENT + name)
        if not text:
            out.append("\n")
            continue
        if len(name) <= column - COLUMN_GAP:
            out.append(" " * (column - len(name)))
        else:
            out.append("\n" + hanging)
        lines = reflow(text, text_width).splitlines() or [""]
        out.append(lines[0] + "\n")
        out.extend(f"{hanging}{line}\n" for line in lines[1:])
    return "".join(out)


def help_page(
    prog: str,
    arguments: str,
    text: str,
    sections: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    width: int,
) -> str:
    """The whole page, ending in one newline, as click's `--help` prints it."""
    prefix = f"Usage: {prog} "
    parts = [reflow(arguments, width, prefix, " " * len(prefix)) + "\n"]
    parts.append("\n" + reflow(text, width, INDENT, INDENT) + "\n")
    for title, rows in sections:
        parts.append(f"\n{title}:\n" + definitions(rows, width))
    return "".join(parts).rstrip("\n") + "\n"
