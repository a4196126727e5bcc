"""The registry client loads TLS roots only when a request needs TLS, and then once."""

from __future__ import annotations

import ssl
import time
from typing import Any

import pytest
import requests

from kubectl_imagerepo.registry import client as client_module
from kubectl_imagerepo.registry.client import RegistryClient


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    made: list[Any] = []

    def tls_context(ca_file: str | None, client_cert: tuple[str, str] | None) -> ssl.SSLContext:
        made.append((ca_file, client_cert))
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

    monkeypatch.setattr(client_module, "tls_context", tls_context)
    return made


def pool_for(registry: RegistryClient, url: str) -> Any:
    adapter = registry.session.get_adapter(url)
    return adapter.get_connection_with_tls_context(requests.Request("GET", url).prepare(), True)


def test_a_plain_http_registry_loads_no_tls_roots(loads: list[Any]) -> None:
    with RegistryClient("127.0.0.1:5000", insecure=True, deadline=time.monotonic() + 5) as registry:
        pool_for(registry, "http://127.0.0.1:5000/v2/")
    assert loads == []


def test_the_first_https_request_loads_them_once(loads: list[Any]) -> None:
    with RegistryClient("registry.example", deadline=time.monotonic() + 5) as registry:
        pool_for(registry, "https://registry.example/v2/")
        pool_for(registry, "https://auth.example/token")
    assert loads == [(None, None)]
