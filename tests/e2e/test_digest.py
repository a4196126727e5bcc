"""The digest fetch of ImagePolicies against real registries: distribution v3 and Debian's 2.8, a token
registry, a Basic-auth registry over TLS, a plain-HTTP registry on a host ggcr would use https for, and
the fault proxy in front of a registry.

See docs/behaviour.md, Registry access. Only registries are started here (no cluster): the digest fetch
talks to nothing else.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from kubectl_imagerepo.model.reference import parse_image_reference
from kubectl_imagerepo.registry.access import RegistryAccess, fetch_digest
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.digest import ACCEPT
from kubectl_imagerepo.registry.errors import RegistryError
from kubectl_imagerepo.registry.tokencache import SHARED_TOKEN_CACHE
from tests.harness.binaries import Binaries, find_binaries
from tests.harness.faults import FaultProxy, Upstream
from tests.harness.pki import CertificateAuthority
from tests.harness.processes import Server, free_port
from tests.harness.registry import MANIFEST_TYPE, Registry, start_registry
from tests.harness.secure_registries import PASSWORD, USER, TokenServer, htpasswd_auth, start_configured

pytestmark = pytest.mark.e2e

INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
ANONYMOUS = RegistryAccess()


def _repository() -> str:
    return f"e2e/{uuid.uuid4().hex[:10]}"


def _in(seconds: float) -> float:
    return time.monotonic() + seconds


def _digest(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


def _manifest(registry: Registry, repository: str, reference: str) -> bytes:
    answer = requests.get(f"{registry.url}/v2/{repository}/manifests/{reference}",
                          headers={"Accept": MANIFEST_TYPE}, timeout=30)
    answer.raise_for_status()
    return answer.content


def _put(registry: Registry, repository: str, reference: str, content: bytes, media_type: str) -> str:
    requests.put(f"{registry.url}/v2/{repository}/manifests/{reference}", data=content,
                 headers={"Content-Type": media_type}, timeout=30).raise_for_status()
    return _digest(content)


def _variant(registry: Registry, repository: str, tag: str, label: str) -> bytes:
    """Another image manifest over the blobs of `tag`'s (an annotation apart), pushed under `label`."""
    manifest = json.loads(_manifest(registry, repository, tag))
    manifest["annotations"] = {"org.example.variant": label}
    content = json.dumps(manifest, separators=(",", ":")).encode()
    _put(registry, repository, label, content, MANIFEST_TYPE)
    return content


@pytest.fixture(scope="module")
def binaries() -> Binaries:
    return find_binaries()


@pytest.fixture(scope="module", params=["distribution-v3", "legacy-2.8"])
def registry(request: pytest.FixtureRequest, binaries: Binaries,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """Each registry flavour of the harness in turn."""
    legacy = request.param == "legacy-2.8"
    binary = binaries.legacy_registry if legacy else binaries.registry
    workdir = tmp_path_factory.mktemp("digest")
    started = start_registry(f"digest-{request.param}", binary, workdir, legacy=legacy)
    yield started
    started.stop()


# -- what the registry holds ---------------------------------------------------------------------------


def test_an_image_tag_gives_the_sha256_of_the_pushed_manifest(registry: Registry) -> None:
    repository = _repository()
    pushed = registry.seed(repository, ["1.0.0"])

    digest = fetch_digest(parse_image_reference(f"{registry.host}/{repository}"), "1.0.0", ANONYMOUS, _in(30))

    assert digest == pushed


def test_a_multi_arch_tag_gives_the_index_digest(registry: Registry) -> None:
    repository = _repository()
    registry.seed(repository, ["amd64"])
    platforms = {"amd64": _manifest(registry, repository, "amd64"),
                 "arm64": _variant(registry, repository, "amd64", "arm64")}
    entries = [{"mediaType": MANIFEST_TYPE, "digest": _digest(content), "size": len(content),
                "platform": {"architecture": arch, "os": "linux"}} for arch, content in platforms.items()]
    index = json.dumps({"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": entries},
                       separators=(",", ":")).encode()
    pushed = _put(registry, repository, "2.0.0", index, INDEX_TYPE)

    digest = fetch_digest(parse_image_reference(f"{registry.host}/{repository}"), "2.0.0", ANONYMOUS, _in(30))

    assert digest == pushed


def test_a_tag_moved_to_another_manifest_gives_the_new_digest(registry: Registry) -> None:
    repository = _repository()
    reference = parse_image_reference(f"{registry.host}/{repository}")
    first = registry.seed(repository, ["latest"])
    before = fetch_digest(reference, "latest", ANONYMOUS, _in(30))
    variant = _variant(registry, repository, "latest", "next")
    moved = _put(registry, repository, "latest", variant, MANIFEST_TYPE)

    after = fetch_digest(reference, "latest", ANONYMOUS, _in(30))

    assert (before, after) == (first, moved)
    assert moved != first


def test_an_unknown_tag_gives_the_head_404_text(registry: Registry) -> None:
    repository = _repository()
    registry.seed(repository, ["1.0.0"])

    with pytest.raises(RegistryError) as caught:
        fetch_digest(parse_image_reference(f"{registry.host}/{repository}"), "9.9.9", ANONYMOUS, _in(30))

    assert str(caught.value) == (
        f'failed fetching descriptor for "{registry.host}/{repository}:9.9.9": '
        f"HEAD http://{registry.host}/v2/{repository}/manifests/9.9.9: "
        "unexpected status code 404 Not Found (HEAD responses have no body, use GET for details)"
    )


# -- what is sent, and what ggcr refuses -------------------------------------------------------------


def test_the_fetch_pings_then_heads_the_manifest_with_ggcrs_accept_list(registry: Registry) -> None:
    repository = _repository()
    registry.seed(repository, ["1.0.0"])

    with FaultProxy(registry.host) as proxy:
        fetch_digest(parse_image_reference(f"{proxy.host}/{repository}"), "1.0.0", ANONYMOUS, _in(30))

    assert [(seen.method, seen.path) for seen in proxy.seen] == [
        ("GET", "/v2/"), ("HEAD", f"/v2/{repository}/manifests/1.0.0")]
    assert proxy.seen[1].headers["Accept"] == ACCEPT


def _without_digest_header(handler: Any, index: int, fetch: Any) -> None:
    upstream: Upstream = fetch()
    if handler.command == "HEAD":
        headers = [(k, v) for k, v in upstream.headers if k.lower() != "docker-content-digest"]
        upstream = Upstream(upstream.status, headers, upstream.body)
    handler.answer(upstream)


def test_an_answer_without_docker_content_digest_gives_ggcrs_text(registry: Registry) -> None:
    repository = _repository()
    registry.seed(repository, ["1.0.0"])

    with FaultProxy(registry.host, _without_digest_header) as proxy, pytest.raises(RegistryError) as caught:
        fetch_digest(parse_image_reference(f"{proxy.host}/{repository}"), "1.0.0", ANONYMOUS, _in(30))

    assert str(caught.value) == (
        f'failed fetching descriptor for "{proxy.host}/{repository}:1.0.0": '
        f"HEAD http://{proxy.host}/v2/{repository}/manifests/1.0.0: "
        "response did not include Docker-Content-Digest header"
    )
    assert [seen.method for seen in proxy.seen] == ["GET", "HEAD"]  # no GET fallback


# -- failures without an answer ----------------------------------------------------------------------


def test_a_port_with_nothing_listening_gives_both_pings_connection_refused() -> None:
    port = free_port()

    with pytest.raises(RegistryError) as caught:
        fetch_digest(parse_image_reference(f"127.0.0.1:{port}/foo/bar"), "1.0.0", ANONYMOUS, _in(10))

    assert str(caught.value) == (
        f'failed fetching descriptor for "127.0.0.1:{port}/foo/bar:1.0.0": '
        f'Get "https://127.0.0.1:{port}/v2/": dial tcp 127.0.0.1:{port}: connect: connection refused; '
        f'Get "http://127.0.0.1:{port}/v2/": dial tcp 127.0.0.1:{port}: connect: connection refused'
    )


def test_a_deadline_already_past_gives_context_deadline_exceeded(registry: Registry) -> None:
    repository = _repository()
    registry.seed(repository, ["1.0.0"])

    with pytest.raises(RegistryError) as caught:
        fetch_digest(parse_image_reference(f"{registry.host}/{repository}"), "1.0.0", ANONYMOUS, _in(-1))

    assert str(caught.value) == (
        f'failed fetching descriptor for "{registry.host}/{repository}:1.0.0": '
        f'Get "https://{registry.host}/v2/": context deadline exceeded; '
        f'Get "http://{registry.host}/v2/": context deadline exceeded'
    )


# -- registries with authentication, TLS, or on a host ggcr would use https for ------------------------


@dataclass
class _Seeded:
    root: Path
    digest: str  # of team/app:1.0.0
    ca: CertificateAuthority
    workdir: Path


@pytest.fixture(scope="module")
def seeded(binaries: Binaries, tmp_path_factory: pytest.TempPathFactory) -> _Seeded:
    """A storage directory holding `team/app:1.0.0`, served again by the registries below."""
    workdir: Path = tmp_path_factory.mktemp("digest-secure")
    seeding = start_registry("digest-seeding", binaries.registry, workdir, legacy=False)
    try:
        digest = seeding.seed("team/app", ["1.0.0"])
    finally:
        seeding.stop()
    return _Seeded(seeding.root, digest, CertificateAuthority(workdir / "pki"), workdir)


def _v6(host: str) -> str:
    """`[::1]:<port>` spelled so that ggcr's rules pick https: loopback, but not a name it sends over http."""
    return "[0:0:0:0:0:0:0:1]:" + host.rsplit(":", 1)[1]


@dataclass
class _TokenRegistry:
    host: str
    tokens: TokenServer


@pytest.fixture(scope="module")
def token_registry(binaries: Binaries, seeded: _Seeded) -> Iterator[_TokenRegistry]:
    """distribution v3 (plain HTTP) with token authentication."""
    tokens = TokenServer(seeded.ca, lifetime=300)
    auth = {"auth": {"token": {"realm": tokens.realm, "service": tokens.service, "issuer": tokens.issuer,
                               "rootcertbundle": str(seeded.ca.pair.cert)}}}
    server: Server
    server, host = start_configured(binaries.registry, seeded.workdir, "digest-token-registry", seeded.root,
                                    auth, tls=False, ca=seeded.ca)
    yield _TokenRegistry(host, tokens)
    server.stop()
    tokens.stop()


def test_a_token_registry_gives_the_digest_with_the_access_credentials(
    token_registry: _TokenRegistry, seeded: _Seeded,
) -> None:
    access = RegistryAccess(credentials=Credentials(USER, PASSWORD))

    digest = fetch_digest(parse_image_reference(f"{token_registry.host}/team/app"), "1.0.0", access, _in(30))

    assert digest == seeded.digest


def test_a_token_registry_is_asked_once_for_a_pull_token_as_the_user(token_registry: _TokenRegistry) -> None:
    SHARED_TOKEN_CACHE.clear()
    before = len(token_registry.tokens.requests)
    access = RegistryAccess(credentials=Credentials(USER, PASSWORD))

    fetch_digest(parse_image_reference(f"{token_registry.host}/team/app"), "1.0.0", access, _in(30))

    assert [(r["user"], r["query"]["scope"]) for r in token_registry.tokens.requests[before:]] == [
        (USER, ["repository:team/app:pull"])]


def test_a_token_registry_without_credentials_gives_the_head_401_text(token_registry: _TokenRegistry) -> None:
    reference = parse_image_reference(f"{token_registry.host}/team/app")

    with pytest.raises(RegistryError) as caught:
        fetch_digest(reference, "1.0.0", ANONYMOUS, _in(30))

    assert str(caught.value) == (
        f'failed fetching descriptor for "{token_registry.host}/team/app:1.0.0": '
        f"HEAD http://{token_registry.host}/v2/team/app/manifests/1.0.0: "
        "unexpected status code 401 Unauthorized (HEAD responses have no body, use GET for details)"
    )


@pytest.fixture(scope="module")
def basic_tls_registry(binaries: Binaries, seeded: _Seeded) -> Iterator[str]:
    """distribution v3 over TLS (the test CA) with an htpasswd user, on `::1`; its https host."""
    auth = htpasswd_auth(seeded.workdir, {USER: PASSWORD})
    server, host = start_configured(binaries.registry, seeded.workdir, "digest-basic-tls", seeded.root, auth,
                                    tls=True, ca=seeded.ca, listen="::1")
    yield _v6(host)
    server.stop()


def test_a_basic_auth_registry_over_tls_gives_the_digest_with_the_access_ca_and_credentials(
    basic_tls_registry: str, seeded: _Seeded,
) -> None:
    access = RegistryAccess(credentials=Credentials(USER, PASSWORD), ca_file=str(seeded.ca.pair.cert))

    digest = fetch_digest(parse_image_reference(f"{basic_tls_registry}/team/app"), "1.0.0", access, _in(30))

    assert digest == seeded.digest


@pytest.fixture(scope="module")
def plain_v6_registry(binaries: Binaries, seeded: _Seeded) -> Iterator[str]:
    """distribution v3 over plain HTTP on `::1`, named by a host ggcr would use https for."""
    server, host = start_configured(binaries.registry, seeded.workdir, "digest-plain-v6", seeded.root, {},
                                    tls=False, ca=seeded.ca, listen="::1")
    yield _v6(host)
    server.stop()


def test_insecure_fetches_the_digest_over_http_from_a_host_ggcr_would_use_https_for(
    plain_v6_registry: str, seeded: _Seeded,
) -> None:
    reference = parse_image_reference(f"{plain_v6_registry}/team/app", insecure=True)

    assert fetch_digest(reference, "1.0.0", ANONYMOUS, _in(30)) == seeded.digest


def test_without_insecure_that_host_is_pinged_over_https_only(plain_v6_registry: str) -> None:
    reference = parse_image_reference(f"{plain_v6_registry}/team/app")

    with pytest.raises(RegistryError) as caught:
        fetch_digest(reference, "1.0.0", ANONYMOUS, _in(30))

    assert str(caught.value) == (
        f'failed fetching descriptor for "{plain_v6_registry}/team/app:1.0.0": '
        f'Get "https://{plain_v6_registry}/v2/": http: server gave HTTP response to HTTPS client'
    )


@pytest.fixture(scope="module")
def foreign_realm_registry(binaries: Binaries, seeded: _Seeded) -> Iterator[str]:
    """A token registry whose realm is on another loopback address (`127.0.0.1`, not its `host:port`)."""
    tokens = TokenServer(seeded.ca, lifetime=300, realm_host="127.0.0.1")
    auth = {"auth": {"token": {"realm": tokens.realm, "service": tokens.service, "issuer": tokens.issuer,
                               "rootcertbundle": str(seeded.ca.pair.cert)}}}
    server, host = start_configured(binaries.registry, seeded.workdir, "digest-foreign-realm", seeded.root,
                                    auth, tls=False, ca=seeded.ca)
    yield host
    server.stop()
    tokens.stop()


def test_a_token_realm_on_another_loopback_address_is_refused_as_ggcr_refuses_it(
    foreign_realm_registry: str,
) -> None:
    reference = parse_image_reference(f"{foreign_realm_registry}/team/app")

    with pytest.raises(RegistryError) as caught:
        fetch_digest(reference, "1.0.0", ANONYMOUS, _in(30))

    assert str(caught.value) == (
        f'failed fetching descriptor for "{foreign_realm_registry}/team/app:1.0.0": '
        'invalid realm in www-authenticate: realm host "127.0.0.1" is a private or link-local address'
    )
