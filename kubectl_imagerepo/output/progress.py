"""A transient status line on a terminal: scan progress rewritten in place, then erased.

Only stderr shows it, and only when it is a terminal and `--quiet` is not given. The line is redrawn
with a carriage return at most every `interval` seconds, padded with spaces over what it replaces, cut
to the terminal's width (a wrapped line can't be redrawn), and dim unless colour is off (NO_COLOR,
TERM=dumb). Flux's `◎` is a symbol, not a colour, so it stays.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

DIM = "\x1b[2m"
RESET = "\x1b[0m"
INTERVAL = 0.1


def wanted(stream: TextIO, *, quiet: bool) -> bool:
    """Whether to show a status line on `stream`: a terminal, and not `--quiet`."""
    if quiet:
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def colour_allowed(environ: Mapping[str, str], *, windows: bool = os.name == "nt") -> bool:
    """kubectl's rule: none when NO_COLOR is present (even empty), TERM=dumb, or a bare Windows console."""
    if "NO_COLOR" in environ or environ.get("TERM") == "dumb":
        return False
    return not windows or "WT_SESSION" in environ


@dataclass(frozen=True)
class Scan:
    """One registry listing in flight: the image and what it fetched so far."""

    image: str
    pages: int = 0
    tags: int = 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def describe(scans: Sequence[Scan]) -> str:
    """`scanning IMAGE: 3 pages, 1,200 tags` for one scan; the totals with `N images` for several."""
    if not scans:
        return ""
    pages = sum(scan.pages for scan in scans)
    tags = sum(scan.tags for scan in scans)
    what = scans[0].image if len(scans) == 1 else _count(len(scans), "image")
    return f"scanning {what}: {_count(pages, 'page')}, {_count(tags, 'tag')}"


def fit(text: str, width: int) -> str:
    """`text` cut to leave the terminal's last column free (so the cursor never wraps), with `…`."""
    room = max(width - 1, 1)
    return text if len(text) <= room else text[: room - 1] + "…"


def frame(text: str, drawn: int, *, colour: bool) -> str:
    """What rewrites a line of `drawn` characters with `text`: CR, the text, spaces over the rest, CR."""
    padding = " " * max(drawn - len(text), 0)
    body = f"{DIM}{text}{RESET}" if colour and text else text
    return f"\r{body}{padding}\r"


def _terminal_width(stream: TextIO) -> int:
    """The terminal's columns; $COLUMNS, else 80, when it doesn't say (a new pseudo-terminal says 0)."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return int(os.environ.get("COLUMNS", "")) or 80
    except ValueError:
        return 80


class StatusLine:
    """One status line at the bottom of a terminal stream; other lines print above it.

    Thread-safe: scans running at once update it, and `print` keeps Flux's lines whole.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        colour: bool,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        width: Callable[[], int] | None = None,
    ) -> None:
        self._stream, self._colour, self._interval, self._clock = stream, colour, interval, clock
        self._width = width or (lambda: _terminal_width(stream))
        self._lock = threading.RLock()
        self._text = ""
        self._drawn = 0
        self._drawn_at: float | None = None

    def show(self, text: str) -> None:
        """Make `text` the status; it is drawn now unless the line was drawn under `interval` ago."""
        with self._lock:
            self._text = text
            now = self._clock()
            if self._drawn_at is not None and now - self._drawn_at < self._interval:
                return
            self._draw(text)
            self._drawn_at = now

    def print(self, line: str) -> None:
        """Print `line` above the status, which is then redrawn."""
        with self._lock:
            self._erase()
            self._stream.write(line + "\n")
            self._draw(self._text)

    def clear(self) -> None:
        """Erase the status; the cursor is left at the start of an empty line."""
        with self._lock:
            self._text = ""
            self._erase()
            self._drawn_at = None

    def _erase(self) -> None:
        if self._drawn:
            self._draw("")

    def _draw(self, text: str) -> None:
        text = fit(text, self._width()) if text else ""
        if not text and not self._drawn:
            return
        self._stream.write(frame(text, self._drawn, colour=self._colour))
        self._stream.flush()
        self._drawn = len(text)


class ScanTally:
    """The scans in flight, shown together on a status line after `prefix` (Flux's `◎ `)."""

    def __init__(self, status: StatusLine, prefix: str = "") -> None:
        self.status, self._prefix = status, prefix
        self._lock = threading.Lock()
        self._scans: dict[TrackedScan, Scan] = {}

    def start(self, image: str) -> TrackedScan:
        """Track one listing of `image`; pass the result as the lister's `progress`, then `finish` it.

        Nothing shows until its first page: a scan that isn't due never flashes a line.
        """
        tracked = TrackedScan(self, image)
        with self._lock:
            self._scans[tracked] = Scan(image)
        return tracked

    def _set(self, tracked: TrackedScan, scan: Scan | None) -> None:
        with self._lock:
            if scan is None:
                self._scans.pop(tracked, None)
            else:
                self._scans[tracked] = scan
            scans = list(self._scans.values())
        if scans:
            self.status.show(self._prefix + describe(scans))
        else:
            self.status.clear()


class TrackedScan:
    """A `progress(pages, tags)` callback for one listing, shown by its `ScanTally`."""

    def __init__(self, tally: ScanTally, image: str) -> None:
        self._tally, self.image = tally, image

    def __call__(self, pages: int, tags: int) -> None:
        self._tally._set(self, Scan(self.image, pages, tags))

    def finish(self) -> None:
        """Forget this scan; the status shows the others, or is erased when none is left."""
        self._tally._set(self, None)


def status_line(stream: TextIO, *, quiet: bool, environ: Mapping[str, str]) -> StatusLine | None:
    """A status line on `stream` when one is wanted there, else None."""
    if not wanted(stream, quiet=quiet):
        return None
    return StatusLine(stream, colour=colour_allowed(environ))
