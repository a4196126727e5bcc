"""kubectl's tables: cli-runtime's tab writer (min width 6, padding 3), cell sanitizing and watch streams."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat.tabwriter import TableStream, TabWriter, render_table, sanitize_cell, tabwrite


def test_render_table_aligns_columns_like_kubectl_get() -> None:
    headers = ["NAME", "IMAGE", "TAGS", "READY", "STATUS", "AGE"]
    row = ["podinfo", "ghcr.io/stefanprodan/podinfo", "42", "True", "successful scan: found 42 tags", "5d2h"]
    assert render_table(headers, [row]) == (
        "NAME      IMAGE                          TAGS   READY   STATUS                           AGE\n"
        "podinfo   ghcr.io/stefanprodan/podinfo   42     True    successful scan: found 42 tags   5d2h\n"
    )


def test_render_table_pads_each_column_by_three_spaces_past_its_widest_cell() -> None:
    assert render_table(["NAME", "AGE"], [["podinfo", "5m"], ["a", "10d"]]) == (
        "NAME      AGE\npodinfo   5m\na         10d\n"
    )


def test_render_table_makes_every_padded_column_at_least_six_wide() -> None:
    assert render_table(["A", "B"], [["x", "y"]]) == "A     B\nx     y\n"


def test_render_table_does_not_pad_the_last_column() -> None:
    text = render_table(["NAME", "STATUS"], [["a", "short"], ["b", "a much longer status"]])
    assert [line for line in text.splitlines() if line != line.rstrip()] == []


def test_render_table_keeps_the_padding_before_an_empty_last_cell_as_kubectl_does() -> None:
    assert (
        render_table(["NAME", "MESSAGE"], [["a", ""], ["bb", "x"]]) == "NAME   MESSAGE\na      \nbb     x\n"
    )


def test_render_table_prints_nothing_for_a_table_without_rows() -> None:
    assert render_table(["NAME", "AGE"], []) == ""


def test_render_table_can_print_the_header_of_a_table_without_rows() -> None:
    assert render_table(["NAME", "AGE"], [], header_without_rows=True) == "NAME   AGE\n"


def test_render_table_leaves_out_the_header_with_no_headers() -> None:
    assert render_table(["NAME", "AGE"], [["podinfo", "5m"]], no_headers=True) == "podinfo   5m\n"


def test_render_table_prints_no_header_line_for_empty_headers() -> None:
    assert render_table([], [["podinfo", "5m"]]) == "podinfo   5m\n"


def test_render_table_prints_headers_as_given() -> None:
    assert render_table(["Name", "tags"], [["a", "1"]]) == "Name   tags\na      1\n"


def test_render_table_measures_widths_in_characters_not_bytes() -> None:
    assert render_table(["NAME", "AGE"], [["caf\u00e9-\u00e9t\u00e9", "1d"]]) == (
        "NAME       AGE\ncaf\u00e9-\u00e9t\u00e9   1d\n"
    )


def test_render_table_cuts_multi_line_cells_and_escapes_terminal_codes() -> None:
    rows = [["\u00e9", "first\nsecond"], ["\x1b[31mred", "a\rb"]]
    assert render_table(["NAME", "MESSAGE"], rows) == (
        "NAME        MESSAGE\n\u00e9           first...\n^[[31mred   a...\n"
    )


def test_render_table_passes_raw_cells_through_without_sanitize() -> None:
    assert render_table(["A", "B"], [["x\ty", "z"]], sanitize=False) == "A     B\nx     y     z\n"


def test_render_table_accepts_any_iterable_of_rows() -> None:
    assert render_table(["A"], (row for row in [["x"], ["y"]])) == "A\nx\ny\n"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("plain", "plain"),
        ("", ""),
        ("first\nsecond", "first..."),
        ("first\r\nsecond", "first..."),
        ("first\fsecond", "first..."),
        ("\nleading break", "..."),
        ("\x1b[1mbold\x1b[0m", "^[[1mbold^[[0m"),
        ("\x1b[1mbold\nmore", "^[[1mbold..."),
        ("tab\tkept", "tab\tkept"),
        ("bell\x07kept", "bell\x07kept"),
        ("caf\u00e9", "caf\u00e9"),
    ],
)
def test_sanitize_cell_shows_a_cell_as_kubectls_table_printer_does(value: str, shown: str) -> None:
    assert sanitize_cell(value) == shown


def test_tabwrite_starts_new_column_widths_after_a_line_without_tabs() -> None:
    assert tabwrite("NAME\tAGE\na\t1\nsingle line\nlonger-name\t2\n") == (
        "NAME   AGE\na      1\nsingle line\nlonger-name   2\n"
    )


def test_tab_writer_keeps_column_widths_across_flushes_and_grows_them() -> None:
    writer = TabWriter()
    chunks = ["NAME\tAGE\nshort\t1\n", "much-longer-name\t2\n", "x\t3\n"]
    assert [writer.write(chunk) + writer.flush() for chunk in chunks] == [
        "NAME    AGE\nshort   1\n",
        "much-longer-name   2\n",
        "x                  3\n",
    ]


def test_table_stream_prints_the_first_batch_with_its_header() -> None:
    stream = TableStream()
    assert stream.first(["NAME", "READY"], [["podinfo", "True"]]) == "NAME      READY\npodinfo   True\n"


def test_table_stream_aligns_later_rows_with_the_first_batch() -> None:
    stream = TableStream()
    stream.first(["NAME", "READY", "AGE"], [["podinfo-long", "True", "5m"]])
    assert stream.row(["a", "False", "6m"]) == "a              False   6m\n"


def test_table_stream_widens_a_column_from_the_row_that_needs_it() -> None:
    stream = TableStream()
    stream.first(["NAME", "READY"], [["podinfo", "True"]])
    assert stream.row(["a-much-longer-name", "False"]) == "a-much-longer-name   False\n"
    assert stream.row(["b", "True"]) == "b                    True\n"


def test_table_stream_prints_the_header_with_the_first_row_when_the_first_batch_is_empty() -> None:
    stream = TableStream()
    assert stream.first(["NAME", "READY"], []) == ""
    assert stream.row(["podinfo", "True"]) == "NAME      READY\npodinfo   True\n"


def test_table_stream_never_prints_the_header_with_no_headers() -> None:
    stream = TableStream(no_headers=True)
    assert stream.first(["NAME", "READY"], [["podinfo", "True"]]) == "podinfo   True\n"
    assert stream.row(["a", "False"]) == "a         False\n"


def test_table_stream_prints_no_header_line_for_empty_headers() -> None:
    stream = TableStream()
    assert stream.first([], [["podinfo", "True"]]) == "podinfo   True\n"


def test_table_stream_sanitizes_cells() -> None:
    stream = TableStream()
    stream.first(["NAME", "MESSAGE"], [["podinfo", "ok"]])
    assert stream.row(["a", "two\nlines"]) == "a         two...\n"
