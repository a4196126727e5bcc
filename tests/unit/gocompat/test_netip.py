"""Go's net/netip.ParseAddr: the family it reads and its error texts (observed with Go 1.26)."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat.netip import ParseAddrError, parse_addr


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("1.2.3.4", 4),
        ("::1", 6),
        ("::", 6),
        ("::ffff:1.2.3.4", 6),
        ("fe80::1%en0", 6),
        ("1:2:3:4:5:6:7::", 6),
    ],
)
def test_parse_addr_reads_the_family_as_go_is4_says(text: str, family: int) -> None:
    assert parse_addr(text) == family


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", 'ParseAddr("abc"): unable to parse IP'),
        ("", 'ParseAddr(""): unable to parse IP'),
        ("%en0", 'ParseAddr("%en0"): missing IPv6 address'),
        ("fe80::1%", 'ParseAddr("fe80::1%"): zone must be a non-empty string'),
        ("1.2.3", 'ParseAddr("1.2.3"): IPv4 address too short'),
        ("1.2.3.4.5", 'ParseAddr("1.2.3.4.5"): IPv4 address too long'),
        ("01.2.3.4", 'ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero'),
        ("256.1.1.1", 'ParseAddr("256.1.1.1"): IPv4 field has value >255'),
        ("1..2.3", 'ParseAddr("1..2.3"): IPv4 field must have at least one digit (at ".2.3")'),
        ("1.2.3.a", 'ParseAddr("1.2.3.a"): unexpected character (at "a")'),
        ("12345::1", 'ParseAddr("12345::1"): each group must have 4 or less digits (at "12345::1")'),
        ("1:2:3:4:5:6:7:8:9", 'ParseAddr("1:2:3:4:5:6:7:8:9"): trailing garbage after address (at "9")'),
        ("1:2:3:4:5:6:7", 'ParseAddr("1:2:3:4:5:6:7"): address string too short'),
        ("1::2::3", 'ParseAddr("1::2::3"): multiple :: in address (at ":3")'),
        (
            "::1:2:3:4:5:6:7:8",
            'ParseAddr("::1:2:3:4:5:6:7:8"): the :: must expand to at least one field of zeros',
        ),
        ("1:", 'ParseAddr("1:"): colon must be followed by more characters (at ":")'),
        (":1", 'ParseAddr(":1"): each colon-separated field must have at least one digit (at ":1")'),
        ("1:2x", 'ParseAddr("1:2x"): unexpected character, want colon (at "x")'),
        (
            "1:2:3:4:5:1.2.3.4",
            'ParseAddr("1:2:3:4:5:1.2.3.4"): embedded IPv4 address must replace the final 2 fields of the '
            'address (at "1.2.3.4")',
        ),
    ],
)
def test_parse_addr_fails_with_gos_message(text: str, message: str) -> None:
    with pytest.raises(ParseAddrError) as caught:
        parse_addr(text)
    assert str(caught.value) == message
