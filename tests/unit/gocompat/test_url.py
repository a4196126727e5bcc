"""Go's net/url.Parse error texts, net.SplitHostPort and net.JoinHostPort (results observed with Go 1.26)."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat.url import GoURLError, join_host_port, parse_url, split_host_port


def test_parse_url_splits_scheme_host_and_path() -> None:
    parsed = parse_url("HTTPS://reg.io:8083/v2/x")
    assert (parsed.scheme, parsed.host, parsed.path) == ("https", "reg.io:8083", "/v2/x")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("127.0.0.1:3128", 'parse "127.0.0.1:3128": first path segment in URL cannot contain colon'),
        ("https://a b.io", 'parse "https://a b.io": invalid character " " in host name'),
        ("https://reg.io:80a/", 'parse "https://reg.io:80a/": invalid port ":80a" after host'),
        ("https://[::1/", "parse \"https://[::1/\": missing ']' in host"),
        ("https://reg.io/%zz", 'parse "https://reg.io/%zz": invalid URL escape "%zz"'),
        ("http://us\x01er@h", 'parse "http://us\\x01er@h": net/url: invalid control character in URL'),
        ("://x", 'parse "://x": missing protocol scheme'),
        ("https://h%41.io", 'parse "https://h%41.io": invalid URL escape "%41"'),
    ],
)
def test_parse_url_fails_with_gos_error_text(raw: str, message: str) -> None:
    with pytest.raises(GoURLError) as caught:
        parse_url(raw)
    assert str(caught.value) == message


# Go 1.24.7 and earlier take a bracket anywhere in a host, which the keychain's globs need; later
# releases answer `invalid IP-literal` or `invalid host: ParseAddr(...)`.
@pytest.mark.parametrize(
    ("raw", "host"), [("https://reg-[0-9].io/", "reg-[0-9].io"), ("https://[abc]:80/", "[abc]:80")]
)
def test_parse_url_takes_brackets_as_go_did_before_the_ip_literal_check(raw: str, host: str) -> None:
    assert parse_url(raw).host == host


@pytest.mark.parametrize(
    ("hostport", "split"),
    [("reg.io:5000", ("reg.io", "5000")), ("[::1]:80", ("::1", "80")), ("reg.io", None), ("a:b:c", None),
     ("[::1]x:80", None)],
)
def test_split_host_port_splits_as_go_does(hostport: str, split: tuple[str, str] | None) -> None:
    assert split_host_port(hostport) == split


@pytest.mark.parametrize(("host", "port", "joined"), [("::1", 443, "[::1]:443"), ("r.io", "80", "r.io:80")])
def test_join_host_port_brackets_ipv6_hosts(host: str, port: int | str, joined: str) -> None:
    assert join_host_port(host, port) == joined
