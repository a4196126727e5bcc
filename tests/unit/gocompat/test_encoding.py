"""Go's encoding/base64 decoding and the offsets of its CorruptInputError."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat.encoding import Base64Error, base64_decode


@pytest.mark.parametrize(
    ("text", "padded", "decoded"),
    [
        ("cm9ib3Q6cHc=", True, b"robot:pw"),
        ("cm9ib3Q6cHc", False, b"robot:pw"),
        ("cm9i\nb3Q6\r\ncHc=", True, b"robot:pw"),
        ("", True, b""),
    ],
)
def test_base64_decode_decodes_as_go_does(text: str, padded: bool, decoded: bytes) -> None:
    assert base64_decode(text, padded=padded) == decoded


@pytest.mark.parametrize(
    ("text", "padded", "offset"),
    [
        ("cm9ib3Q6cHc", True, 8),
        ("cm9ib3Q6cHc=", False, 11),
        ("cm9i!", True, 4),
        ("c===", True, 1),
        ("cm=", True, 3),
        ("cm==cm9i", True, 4),
        ("c", False, 0),
    ],
)
def test_base64_decode_errors_report_gos_offset(text: str, padded: bool, offset: int) -> None:
    with pytest.raises(Base64Error) as caught:
        base64_decode(text, padded=padded)
    assert str(caught.value) == f"illegal base64 data at input byte {offset}"
