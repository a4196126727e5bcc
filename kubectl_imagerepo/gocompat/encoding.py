"""Go's encoding/base64 decoding, with the offsets its CorruptInputError reports.

Secret values and `auth` fields are decoded as Go decodes them: `\\r` and `\\n` skipped, the unused bits
of the last quantum not checked, and an error naming the input byte at fault.
"""

from __future__ import annotations

import base64
import binascii

__all__ = ["Base64Error", "base64_decode"]


class Base64Error(ValueError):
    """Go's `base64.CorruptInputError`: `illegal base64 data at input byte <offset>`."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"illegal base64 data at input byte {offset}")
        self.offset = offset


_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def base64_decode(text: str, *, padded: bool = True) -> bytes:
    """Decode as Go's `base64.StdEncoding` (`padded`) or `RawStdEncoding`, with Go's error offsets.

    As in Go, `\\r` and `\\n` are skipped and the unused bits of the last quantum are not checked.

    Raises:
        Base64Error: at the offset Go reports.
    """
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    if _looks_canonical(data, padded):
        try:
            return base64.b64decode(data if padded else data + b"=" * (-len(data) % 4), validate=True)
        except (binascii.Error, ValueError):
            pass
    return _decode_quanta(data, padded)


def _looks_canonical(data: bytes, padded: bool) -> bool:
    """Plain input the standard library decodes exactly as Go does (the common, fast case)."""
    if b"\n" in data or b"\r" in data:
        return False
    body = data.rstrip(b"=")
    if any(byte not in _ALPHABET for byte in body):
        return False
    if padded:
        return len(data) % 4 == 0 and len(data) - len(body) <= 2
    return body == data and len(data) % 4 != 1


def _decode_quanta(data: bytes, padded: bool) -> bytes:
    """Go's `Encoding.Decode`, one 4-character quantum at a time."""
    out = bytearray()
    pos = 0
    while pos < len(data):
        pos, chunk, done = _decode_quantum(data, pos, padded)
        out += chunk
        if done:
            break
    return bytes(out)


def _decode_quantum(data: bytes, pos: int, padded: bool) -> tuple[int, bytes, bool]:
    values: list[int] = []
    length = 4
    while len(values) < 4:
        if pos == len(data):
            if not values:
                return pos, b"", True
            if len(values) == 1 or padded:
                raise Base64Error(pos - len(values))
            length = len(values)
            break
        char = data[pos]
        pos += 1
        index = _ALPHABET.find(bytes([char]))
        if index >= 0:
            values.append(index)
            continue
        if char in (0x0A, 0x0D):
            continue
        if not padded or char != ord("="):
            raise Base64Error(pos - 1)
        # Padding: only after 2 or 3 characters of a quantum, and then it must end the input.
        if len(values) < 2:
            raise Base64Error(pos - 1)
        if len(values) == 2:
            while pos < len(data) and data[pos] in (0x0A, 0x0D):
                pos += 1
            if pos == len(data):
                raise Base64Error(len(data))
            if data[pos] != ord("="):
                raise Base64Error(pos - 1)
            pos += 1
        while pos < len(data) and data[pos] in (0x0A, 0x0D):
            pos += 1
        if pos < len(data):
            raise Base64Error(pos)
        length = len(values)
        break
    values += [0] * (4 - len(values))
    number = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3]
    chunk = number.to_bytes(3, "big")[: length - 1]
    return pos, chunk, length < 4
