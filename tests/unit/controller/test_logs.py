"""Log lines of `run`: JSON for machines, key=value text for people."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from kubectl_imagerepo.controller.logs import Logger, format_line

MOMENT = datetime(2026, 11, 27, 21, 0, 0, 123456, tzinfo=UTC)


def test_json_lines_carry_level_time_message_and_fields():
    line = format_line("json", "info", "scan fetched 3 tags", {"namespace": "n", "name": "a"}, MOMENT)
    assert json.loads(line) == {
        "level": "info", "ts": "2026-11-27T21:00:00.123Z", "msg": "scan fetched 3 tags",
        "namespace": "n", "name": "a",
    }


def test_text_lines_quote_values_with_spaces():
    fields = {"error": "scan failed: x y", "name": "a"}
    line = format_line("text", "error", "Reconciler error", fields, MOMENT)
    assert line == '2026-11-27T21:00:00.123Z ERROR "Reconciler error" error="scan failed: x y" name=a'


def test_lines_below_the_level_are_dropped():
    out = io.StringIO()
    log = Logger("text", "info", out, clock=lambda: MOMENT)
    log("debug", "hidden")
    log("info", "shown")
    assert out.getvalue() == "2026-11-27T21:00:00.123Z INFO shown\n"
