"""The scan progress status line: when it shows, what it says, how it redraws and erases itself."""

from __future__ import annotations

import io

from kubectl_imagerepo.output.progress import (
    DIM,
    RESET,
    Scan,
    ScanTally,
    StatusLine,
    colour_allowed,
    describe,
    fit,
    frame,
    status_line,
    wanted,
)


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def line_on(stream: io.StringIO, clock: Clock | None = None, width: int = 80) -> StatusLine:
    return StatusLine(stream, colour=False, interval=0.1, clock=clock or Clock(), width=lambda: width)


def screen(written: str) -> str:
    """What a terminal shows after `written`: a carriage return moves back, characters overwrite."""
    lines: list[list[str]] = [[]]
    column = 0
    for char in written.replace(DIM, "").replace(RESET, ""):
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append([])
            column = 0
        else:
            current = lines[-1]
            if column < len(current):
                current[column] = char
            else:
                current.append(char)
            column += 1
    return "\n".join("".join(line).rstrip() for line in lines).rstrip("\n")


def test_a_terminal_wants_the_status_line() -> None:
    assert wanted(Terminal(), quiet=False)


def test_quiet_wants_no_status_line() -> None:
    assert not wanted(Terminal(), quiet=True)


def test_a_pipe_or_file_wants_no_status_line() -> None:
    assert not wanted(io.StringIO(), quiet=False)


def test_status_line_is_none_off_a_terminal() -> None:
    assert status_line(io.StringIO(), quiet=False, environ={}) is None
    assert status_line(Terminal(), quiet=True, environ={}) is None
    assert isinstance(status_line(Terminal(), quiet=False, environ={}), StatusLine)


def test_colour_is_allowed_by_default() -> None:
    assert colour_allowed({"TERM": "xterm-256color"}, windows=False)


def test_no_color_turns_colour_off_even_when_empty() -> None:
    assert not colour_allowed({"NO_COLOR": ""}, windows=False)
    assert not colour_allowed({"NO_COLOR": "1"}, windows=False)


def test_a_dumb_terminal_gets_no_colour() -> None:
    assert not colour_allowed({"TERM": "dumb"}, windows=False)


def test_windows_gets_colour_only_in_windows_terminal() -> None:
    assert not colour_allowed({}, windows=True)
    assert colour_allowed({"WT_SESSION": "x"}, windows=True)


def test_one_scan_is_described_by_its_image() -> None:
    assert describe([Scan("ghcr.io/a/b", 3, 1200)]) == "scanning ghcr.io/a/b: 3 pages, 1,200 tags"


def test_singular_counts() -> None:
    assert describe([Scan("x", 1, 1)]) == "scanning x: 1 page, 1 tag"


def test_several_scans_are_described_by_their_totals() -> None:
    text = describe([Scan("a", 2, 200), Scan("b", 1, 50)])
    assert text == "scanning 2 images: 3 pages, 250 tags"


def test_no_scan_is_described_as_nothing() -> None:
    assert describe([]) == ""


def test_fit_keeps_a_short_text() -> None:
    assert fit("abc", 80) == "abc"


def test_fit_leaves_the_last_column_free() -> None:
    assert fit("a" * 10, 10) == "a" * 8 + "…"
    assert len(fit("a" * 100, 10)) == 9


def test_frame_pads_over_a_longer_previous_line() -> None:
    assert frame("ab", 5, colour=False) == "\rab   \r"


def test_frame_dims_the_text_with_colour() -> None:
    assert frame("ab", 0, colour=True) == f"\r{DIM}ab{RESET}\r"


def test_frame_of_nothing_only_erases() -> None:
    assert frame("", 3, colour=True) == "\r   \r"


def test_show_draws_the_text() -> None:
    out = Terminal()
    line_on(out).show("scanning x: 1 page, 10 tags")
    assert out.getvalue() == "\rscanning x: 1 page, 10 tags\r"


def test_show_is_throttled() -> None:
    out, clock = Terminal(), Clock()
    status = line_on(out, clock)
    status.show("one")
    clock.now = 0.05
    status.show("two")
    assert "two" not in out.getvalue()
    clock.now = 0.2
    status.show("three")
    assert screen(out.getvalue()) == "three"


def test_a_shorter_text_leaves_nothing_of_the_longer_one() -> None:
    out, clock = Terminal(), Clock()
    status = line_on(out, clock)
    status.show("a long status text")
    clock.now = 1
    status.show("short")
    assert screen(out.getvalue()) == "short"


def test_the_text_is_cut_to_the_terminal_width() -> None:
    out = Terminal()
    line_on(out, width=10).show("scanning a very long image name")
    assert screen(out.getvalue()) == "scanning…"


def test_clear_erases_the_line() -> None:
    out = Terminal()
    status = line_on(out)
    status.show("scanning")
    status.clear()
    assert screen(out.getvalue()) == ""
    assert out.getvalue().endswith("\r")


def test_clear_writes_nothing_when_nothing_was_shown() -> None:
    out = Terminal()
    line_on(out).clear()
    assert out.getvalue() == ""


def test_print_puts_a_line_above_the_status_and_redraws_it() -> None:
    out = Terminal()
    status = line_on(out)
    status.show("scanning x: 1 page, 5 tags")
    status.print("✔ annotated")
    assert screen(out.getvalue()) == "✔ annotated\nscanning x: 1 page, 5 tags"


def test_print_without_a_status_is_a_plain_line() -> None:
    out = Terminal()
    line_on(out).print("✔ done")
    assert out.getvalue() == "✔ done\n"


def test_a_tally_shows_pages_and_tags_after_its_prefix() -> None:
    out = Terminal()
    tally = ScanTally(line_on(out), prefix="◎ ")
    scan = tally.start("localhost:5000/app")
    scan(2, 200)
    assert screen(out.getvalue()) == "◎ scanning localhost:5000/app: 2 pages, 200 tags"


def test_a_tally_shows_the_totals_of_scans_at_once() -> None:
    out, clock = Terminal(), Clock()
    tally = ScanTally(line_on(out, clock))
    first, second = tally.start("a"), tally.start("b")
    first(1, 100)
    second(2, 150)
    clock.now = 1
    first(2, 200)
    assert screen(out.getvalue()) == "scanning 2 images: 4 pages, 350 tags"


def test_finishing_the_last_scan_erases_the_line() -> None:
    out = Terminal()
    tally = ScanTally(line_on(out))
    scan = tally.start("a")
    scan(1, 100)
    scan.finish()
    assert screen(out.getvalue()) == ""


def test_finishing_one_of_two_scans_shows_the_other() -> None:
    out, clock = Terminal(), Clock()
    tally = ScanTally(line_on(out, clock))
    first, second = tally.start("a"), tally.start("b")
    second(1, 10)
    clock.now = 1
    first.finish()
    assert screen(out.getvalue()) == "scanning b: 1 page, 10 tags"
