"""Fuzz `spec.image` parsing: any text parses or raises ImageReferenceError; a canonical name re-parses.

Run: `python tests/fuzz/fuzz_reference.py -dict=tests/fuzz/reference.dict -max_total_time=60`.
"""

from __future__ import annotations

import sys

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports():
    from kubectl_imagerepo.model.reference import ImageReferenceError, parse_image_reference


def test_one_input(data: bytes) -> None:
    insecure = data[:1] == b"i"
    text = data.decode("utf-8", "replace")
    try:
        parsed = parse_image_reference(text, insecure=insecure)
    except ImageReferenceError as bad:
        if not str(bad):
            raise AssertionError("an empty error message") from None
        return
    if parse_image_reference(parsed.canonical_name, insecure=insecure) != parsed:
        raise AssertionError(f"{parsed.canonical_name!r} does not parse to itself")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
