"""Go's ProxyFromEnvironment: which proxy a request URL takes, as x/net/http/httpproxy decides."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat.httpproxy import ProxyConfig, proxy_for

PROXY = "http://proxy.corp:3128"


def via(url: str, no_proxy: str = "", https: str = PROXY, http: str = "") -> str | None:
    return proxy_for(url, ProxyConfig(http_proxy=http, https_proxy=https, no_proxy=no_proxy))


@pytest.mark.parametrize(
    "url",
    ["https://localhost:6443", "https://127.0.0.1:6443", "https://127.8.9.10", "https://[::1]:6443"],
)
def test_loopback_is_never_proxied(url: str) -> None:
    assert via(url) is None


def test_a_remote_https_server_takes_https_proxy() -> None:
    assert via("https://api.example:6443") == PROXY


def test_an_http_server_takes_http_proxy_not_https_proxy() -> None:
    assert via("http://api.example:8080") is None
    assert via("http://api.example:8080", http="http://other:1") == "http://other:1"


def test_a_proxy_without_a_scheme_is_read_as_http() -> None:
    assert via("https://api.example", https="proxy.corp:3128") == "http://proxy.corp:3128"


@pytest.mark.parametrize(
    ("no_proxy", "url", "proxied"),
    [
        ("*", "https://api.example", False),
        ("api.example", "https://api.example", False),
        ("example", "https://api.example", False),  # a domain covers its subdomains
        ("xample", "https://api.example", True),  # but only at a dot
        (".example", "https://api.example", False),
        (".api.example", "https://api.example", True),  # a leading dot: subdomains only
        ("*.example", "https://api.example", False),
        ("*.example", "https://example", True),
        ("api.example:6443", "https://api.example:6443", False),
        ("api.example:6443", "https://api.example", True),  # the default port 443 differs
        ("10.0.0.0/8", "https://10.1.2.3:6443", False),
        ("10.0.0.0/8", "https://11.1.2.3:6443", True),
        ("10.1.2.3", "https://10.1.2.3", False),
        ("10.1.2.3:443", "https://10.1.2.3", False),
        ("10.1.2.3:80", "https://10.1.2.3", True),
        ("10.0.0.0/8", "https://ten.example", True),  # a CIDR never matches a name
        (" other.example , API.EXAMPLE ", "https://api.example", False),
        ("fd00::/8", "https://[fd00::1]:6443", False),
    ],
)
def test_no_proxy_entries_as_go_reads_them(no_proxy: str, url: str, proxied: bool) -> None:
    assert (via(url, no_proxy) is not None) == proxied


def test_upper_case_variables_come_first() -> None:
    config = ProxyConfig.from_environment({"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1"})
    assert config.https_proxy == "http://upper:1"


def test_lower_case_variables_are_read_too() -> None:
    config = ProxyConfig.from_environment({"https_proxy": "http://lower:1", "no_proxy": "a"})
    assert (config.https_proxy, config.no_proxy) == ("http://lower:1", "a")
