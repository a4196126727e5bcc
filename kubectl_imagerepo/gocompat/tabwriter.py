"""kubectl's human-readable tables: cells aligned as cli-runtime's tab writer aligns them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# cli-runtime printers.GetNewTabWriter: liggitt/tabwriter with these settings and RememberWidths.
# (The tab width only matters when padding with tabs, which kubectl does not do.)
MIN_WIDTH = 6
PADDING = 3

_CELL_BREAKS = "\f\n\r"
_TERMINATORS = "\t\v\n\f"


class TabWriter:
    """Elastic tabstops as Go's text/tabwriter computes them, with liggitt/tabwriter's RememberWidths.

    Without ``remember_widths`` it is Go's text/tabwriter itself (what ``kubectl describe`` uses).

    Feed it text whose cells end with tabs and whose lines end with newlines, and take the aligned text
    that ``write`` and ``flush`` return. A column is as wide as its widest cell plus the padding (at least
    the minimum width); the last cell of a line is never padded. Widths are measured in code points.
    As in Go, a line without any tab, or a form feed, flushes what has been written so far. Each column's
    width is remembered across flushes and only grows, so later rows stay aligned with earlier ones.
    """

    def __init__(
        self, *, min_width: int = MIN_WIDTH, padding: int = PADDING, remember_widths: bool = True
    ) -> None:
        self._min_width = min_width
        self._padding = padding
        self._remember_widths = remember_widths
        self._lines: list[list[str]] = [[]]  # cells; all but the last of a line ended with a tab
        self._cell: list[str] = []
        self._widths: list[int] = []
        self._remembered: list[int] = []
        self._out: list[str] = []

    def write(self, text: str) -> str:
        """Take more text; return whatever a line without tabs or a form feed caused to be flushed."""
        for char in text:
            if char not in _TERMINATORS:
                self._cell.append(char)
                continue
            cells = self._terminate_cell()
            if char in "\n\f":
                self._lines.append([])
                if char == "\f" or cells == 1:
                    self._flush()
        return self._take()

    def flush(self) -> str:
        """Align and return everything buffered."""
        if self._cell:
            self._terminate_cell()
        self._flush()
        return self._take()

    def _take(self) -> str:
        text = "".join(self._out)
        self._out.clear()
        return text

    def _terminate_cell(self) -> int:
        line = self._lines[-1]
        line.append("".join(self._cell))
        self._cell.clear()
        return len(line)

    def _flush(self) -> None:
        self._format(0, len(self._lines))
        self._lines = [[]]
        self._widths = []

    def _format(self, line0: int, line1: int) -> None:
        """Print lines [line0, line1) whose columns left of ``len(self._widths)`` are already sized."""
        column = len(self._widths)
        this = line0
        while this < line1:
            if column >= len(self._lines[this]) - 1:
                this += 1
                continue
            # A block of consecutive lines with a cell in this column starts here.
            self._write_lines(line0, this)
            line0 = this
            width = self._min_width
            while this < line1 and column < len(self._lines[this]) - 1:
                width = max(width, len(self._lines[this][column]) + self._padding)
                this += 1
            width = self._remember(width)
            self._widths.append(width)
            self._format(line0, this)
            self._widths.pop()
            line0 = this
        self._write_lines(line0, line1)

    def _remember(self, width: int) -> int:
        if not self._remember_widths:
            return width
        column = len(self._widths)
        if len(self._remembered) < column:
            self._remembered.extend(self._widths[len(self._remembered) :])
        if len(self._remembered) == column:
            self._remembered.append(width)
        elif self._remembered[column] > width:
            width = self._remembered[column]
        else:
            self._remembered[column] = width
        return width

    def _write_lines(self, line0: int, line1: int) -> None:
        for index in range(line0, line1):
            for column, cell in enumerate(self._lines[index]):
                self._out.append(cell)
                if column < len(self._widths):
                    self._out.append(" " * (self._widths[column] - len(cell)))
            if index + 1 < len(self._lines):
                self._out.append("\n")


def tabwrite(text: str) -> str:
    """Align tab-separated text in one go, as kubectl's table printers do."""
    writer = TabWriter()
    return writer.write(text) + writer.flush()


def escape_terminal(value: str) -> str:
    """cli-runtime's ``printers.EscapeTerminal``: ESC becomes ``^[`` and CR becomes ``\\r``."""
    return value.replace("\x1b", "^[").replace("\r", "\\r")


def sanitize_cell(value: str) -> str:
    """A table cell as kubectl prints it: cut at the first line break, ``...`` added, ESC shown as ``^[``.

    Line breaks are CR, LF and form feed. Like kubectl, other control characters (a tab included, which
    starts a new cell) are left alone.
    """
    cut = min((index for index in map(value.find, _CELL_BREAKS) if index >= 0), default=-1)
    if cut >= 0:
        return escape_terminal(value[:cut]) + "..."
    return escape_terminal(value)


def _table_text(headers: Sequence[str] | None, rows: Iterable[Sequence[str]], *, sanitize: bool) -> str:
    lines = ["\t".join(headers) + "\n"] if headers else []
    for row in rows:
        cells = [sanitize_cell(cell) for cell in row] if sanitize else list(row)
        lines.append("\t".join(cells) + "\n")
    return "".join(lines)


def render_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    no_headers: bool = False,
    sanitize: bool = True,
    header_without_rows: bool = False,
) -> str:
    """A table as ``kubectl get`` prints it: columns padded by 3 spaces, at least 6 wide, the last unpadded.

    Headers are printed as given (kubectl upper-cases column names before this point); an empty list of
    them prints no header line. Like kubectl, a table without rows prints nothing, not even its header,
    unless ``header_without_rows`` (what custom-columns does). Cells go through ``sanitize_cell`` unless
    ``sanitize`` is false. An empty last cell leaves the padding of the cell before it, as kubectl's
    output does. Ends with a newline.
    """
    materialized = list(rows)
    if not materialized and not header_without_rows:
        return ""
    return tabwrite(_table_text(None if no_headers else headers, materialized, sanitize=sanitize))


class TableStream:
    """A table printed in pieces, as ``kubectl get -w``: the first batch, then one row per change.

    One tab writer serves the whole stream, with RememberWidths as in kubectl: each column keeps the
    widest width printed so far, so later rows line up with the first batch and a wider cell widens its
    column from that row on (rows already printed are not redone). The header is printed once, with the
    first batch that has rows (an empty first batch prints nothing, as kubectl); empty headers are none.
    """

    def __init__(self, *, no_headers: bool = False) -> None:
        self._writer = TabWriter()
        self._headers: Sequence[str] = ()
        self._header_pending = not no_headers

    def first(self, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
        """The header and the rows of the initial listing."""
        self._headers = tuple(headers)
        return self._print(list(rows))

    def row(self, cells: Sequence[str]) -> str:
        """One more row, aligned with what came before."""
        return self._print([cells])

    def _print(self, rows: list[Sequence[str]]) -> str:
        if not rows:
            return ""
        headers = self._headers if self._header_pending else None
        self._header_pending = False
        return self._writer.write(_table_text(headers, rows, sanitize=True)) + self._writer.flush()
