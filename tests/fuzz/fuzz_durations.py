"""Fuzz Go durations: parsing gives an int64 or Go's ValueError, and printing parses back.

Run: `python tests/fuzz/fuzz_durations.py -dict=tests/fuzz/durations.dict -max_total_time=60`.
"""

from __future__ import annotations

import sys

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports():
    from kubectl_imagerepo.gocompat.durations import (
        format_go_duration,
        parse_go_duration,
        parse_request_timeout,
    )

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    number = provider.ConsumeIntInRange(INT64_MIN, INT64_MAX)
    if parse_go_duration(format_go_duration(number)) != number:
        raise AssertionError(f"{number} does not survive printing")
    text = provider.ConsumeBytes(len(data)).decode("utf-8", "replace")
    try:
        nanoseconds = parse_go_duration(text)
    except ValueError as bad:
        if not str(bad).startswith("time: "):
            raise
    else:
        if not INT64_MIN <= nanoseconds <= INT64_MAX:
            raise AssertionError(f"{text!r} parsed to {nanoseconds}, outside int64")
        if parse_go_duration(format_go_duration(nanoseconds)) != nanoseconds:
            raise AssertionError(f"{text!r} does not survive printing")
    try:
        parse_request_timeout(text)
    except ValueError as bad:
        if not str(bad).startswith("Invalid timeout value."):
            raise


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
