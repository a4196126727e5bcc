"""Go's net/netip.ParseAddr: which addresses it takes and the errors it gives for the rest.

Go's url.Parse checks a bracketed host with it (`invalid host: ParseAddr("abc"): unable to parse IP`),
and the registry host of an image reference is held to the same rule.
"""

from __future__ import annotations

from kubectl_imagerepo.gocompat.strconv import quote

__all__ = ["ParseAddrError", "parse_addr"]

_HEX_VALUES = {char: int(char, 16) for char in "0123456789abcdefABCDEF"}


class ParseAddrError(ValueError):
    """netip's parseAddrError: `ParseAddr("<in>"): <msg>`, then ` (at "<rest>")` when Go names a position."""

    def __init__(self, text: str, message: str, at: str = "") -> None:
        where = f" (at {quote(at)})" if at else ""
        super().__init__(f"ParseAddr({quote(text)}): {message}{where}")


def parse_addr(text: str) -> int:
    """The family (4 or 6) of the address netip.ParseAddr reads from `text`.

    An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is family 6, as Go's Is4 says.

    Raises:
        ParseAddrError: with Go's message.
    """
    for char in text:
        if char == ".":
            _ipv4_fields(text, text)
            return 4
        if char == ":":
            _parse_ipv6(text)
            return 6
        if char == "%":
            raise ParseAddrError(text, "missing IPv6 address")
    raise ParseAddrError(text, "unable to parse IP")


def _ipv4_fields(text: str, part: str) -> None:
    """parseIPv4Fields: check that `part` (of the input `text`) is a dotted-quad IPv4 address."""
    value, dots, digits = 0, 0, 0
    for index, char in enumerate(part):
        if "0" <= char <= "9":
            if digits == 1 and value == 0:
                raise ParseAddrError(text, "IPv4 field has octet with leading zero")
            value, digits = value * 10 + int(char), digits + 1
            if value > 255:
                raise ParseAddrError(text, "IPv4 field has value >255")
        elif char == ".":
            if index == 0 or index == len(part) - 1 or part[index - 1] == ".":
                raise ParseAddrError(text, "IPv4 field must have at least one digit", part[index:])
            if dots == 3:
                raise ParseAddrError(text, "IPv4 address too long")
            value, dots, digits = 0, dots + 1, 0
        else:
            raise ParseAddrError(text, "unexpected character", part[index:])
    if dots < 3:
        raise ParseAddrError(text, "IPv4 address too short")


def _hex_field(text: str, rest: str) -> int:
    """The length of the hex field at the start of `rest`; Go's errors for a field too long or empty."""
    length, value = 0, 0
    while length < len(rest) and rest[length] in _HEX_VALUES:
        value = (value << 4) + _HEX_VALUES[rest[length]]
        if length > 3:
            raise ParseAddrError(text, "each group must have 4 or less digits", rest)
        if value > 0xFFFF:
            raise ParseAddrError(text, "IPv6 field has value >=2^16", rest)
        length += 1
    if length == 0:
        raise ParseAddrError(text, "each colon-separated field must have at least one digit", rest)
    return length


def _parse_ipv6(text: str) -> None:
    """parseIPv6: check `text` as an IPv6 address with an optional `%zone`."""
    rest, percent, zone = text.partition("%")
    if percent and not zone:
        raise ParseAddrError(text, "zone must be a non-empty string")
    ellipsis = -1
    if rest.startswith("::"):
        ellipsis, rest = 0, rest[2:]
        if not rest:
            return
    filled = 0
    while filled < 16:
        length = _hex_field(text, rest)
        if length < len(rest) and rest[length] == ".":
            if ellipsis < 0 and filled != 12:
                message = "embedded IPv4 address must replace the final 2 fields of the address"
                raise ParseAddrError(text, message, rest)
            if filled + 4 > 16:
                message = "too many hex fields to fit an embedded IPv4 at the end of the address"
                raise ParseAddrError(text, message, rest)
            _ipv4_fields(text, rest)
            rest, filled = "", filled + 4
            break
        filled += 2
        rest = rest[length:]
        if not rest:
            break
        if rest[0] != ":":
            raise ParseAddrError(text, "unexpected character, want colon", rest)
        if len(rest) == 1:
            raise ParseAddrError(text, "colon must be followed by more characters", rest)
        rest = rest[1:]
        if rest[0] == ":":
            if ellipsis >= 0:
                raise ParseAddrError(text, "multiple :: in address", rest)
            ellipsis, rest = filled, rest[1:]
            if not rest:
                break
    if rest:
        raise ParseAddrError(text, "trailing garbage after address", rest)
    if filled < 16 and ellipsis < 0:
        raise ParseAddrError(text, "address string too short")
    if filled == 16 and ellipsis >= 0:
        raise ParseAddrError(text, "the :: must expand to at least one field of zeros")
