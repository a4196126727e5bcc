"""PEM blocks found as Go's `encoding/pem.Decode` finds them, and written back.

The controller reads `certSecretRef` material with Go's PEM decoder, whose leniency (text around
blocks, headers, blocks with bad base64 skipped) decides what is a certificate; this is that decoder.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from kubectl_imagerepo.gocompat.encoding import Base64Error, base64_decode

__all__ = ["Block", "encode", "pem_blocks"]

_BEGIN, _END, _DASHES = b"\n-----BEGIN ", b"\n-----END ", b"-----"


@dataclass(frozen=True, repr=False)
class Block:
    type: str
    headers: dict[str, str]
    der: bytes

    def __repr__(self) -> str:
        return f"Block(type={self.type!r})"


def pem_blocks(data: bytes) -> list[Block]:
    blocks = []
    while data:
        block, data = _pem_decode(data)
        if block is None:
            break
        blocks.append(block)
    return blocks


def _get_line(data: bytes) -> tuple[bytes, bytes]:
    end = data.find(b"\n")
    if end < 0:
        return data.rstrip(b" \t"), b""
    line_end = end - 1 if end > 0 and data[end - 1] == ord("\r") else end
    return data[:line_end].rstrip(b" \t"), data[end + 1 :]


def _pem_decode(data: bytes) -> tuple[Block | None, bytes]:
    """The first valid PEM block of `data` and what follows it, or (None, data)."""
    rest = data
    while True:
        if rest.startswith(_BEGIN[1:]):
            rest = rest[len(_BEGIN) - 1 :]
        else:
            found = rest.find(_BEGIN)
            if found < 0:
                return None, data
            rest = rest[found + len(_BEGIN) :]
        type_line, rest = _get_line(rest)
        if not type_line.endswith(_DASHES):
            continue
        kind = type_line[: -len(_DASHES)]
        headers: dict[str, str] = {}
        while True:
            if not rest:
                return None, data
            line, following = _get_line(rest)
            name, colon, value = line.partition(b":")
            if not colon:
                break
            headers[name.strip().decode("latin-1")] = value.strip().decode("latin-1")
            rest = following
        if not headers and rest.startswith(_END[1:]):
            end, trailer_at = 0, len(_END) - 1
        else:
            end = rest.find(_END)
            trailer_at = end + len(_END)
        if end < 0:
            continue
        trailer_length = len(kind) + len(_DASHES)
        trailer = rest[trailer_at : trailer_at + trailer_length]
        if len(trailer) < trailer_length or not trailer.startswith(kind) or not trailer.endswith(_DASHES):
            continue
        if _get_line(rest[trailer_at + trailer_length :])[0]:
            continue
        body = rest[:end].replace(b" ", b"").replace(b"\t", b"")
        try:
            der = base64_decode(body.decode("latin-1"))
        except Base64Error:
            continue
        following = _get_line(rest[end + len(_END) - 1 :])[1]
        return Block(kind.decode("latin-1"), headers, der), following



def encode(kind: str, der: bytes) -> bytes:
    """`der` as a PEM block of type `kind`, 64 base64 characters a line."""
    body = base64.b64encode(der)
    lines = b"\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return b"-----BEGIN " + kind.encode() + b"-----\n" + lines + b"\n-----END " + kind.encode() + b"-----\n"
