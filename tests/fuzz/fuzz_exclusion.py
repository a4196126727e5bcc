"""Fuzz exclusion patterns: any text compiles or gives Go's error; filtering agrees with `excludes`.

The input is the pattern, then NUL-separated tags.

Run: `python tests/fuzz/fuzz_exclusion.py -dict=tests/fuzz/exclusion.dict -max_total_time=60`.
"""

from __future__ import annotations

import sys

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports():
    from kubectl_imagerepo.model.exclusion import ExclusionError, compile_exclusions


def test_one_input(data: bytes) -> None:
    pattern, *tags = data.decode("utf-8", "replace").split("\x00")
    try:
        exclusions = compile_exclusions([pattern])
    except ExclusionError as bad:
        if not str(bad).startswith(f"failed to compile regex {pattern}: error parsing regexp: "):
            raise AssertionError(f"not Go's wording: {bad}") from None
        return
    kept = exclusions.filter(tags)
    if kept != [tag for tag in tags if not exclusions.excludes(tag)] or exclusions.filter(kept) != kept:
        raise AssertionError(f"inconsistent filtering of {tags!r} by {pattern!r}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
