"""End-to-end tests of the tag lister against real registries: distribution v3 (open, TLS, auth) and 2.8."""

from __future__ import annotations

import base64
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from kubectl_imagerepo.model.reference import parse_image_reference
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.errors import RegistryError
from kubectl_imagerepo.registry.tags import TagRegistry, list_tags
from kubectl_imagerepo.registry.tokencache import TokenCache
from tests.harness.environment import Environment
from tests.harness.pki import CertificateAuthority
from tests.harness.processes import free_port
from tests.harness.secure_registries import (
    PAGE,
    PASSWORD,
    USER,
    Seeded,
    TokenServer,
    htpasswd_auth,
    seed_storage,
    start_configured,
)

pytestmark = pytest.mark.e2e


def _names(count: int, prefix: str = "v") -> list[str]:
    return [f"{prefix}{index:05d}" for index in range(count)]


def _repository() -> str:
    return f"e2e/{uuid.uuid4().hex[:10]}"


def _in(seconds: float) -> float:
    return time.monotonic() + seconds


class _Pages:
    """A `progress` callback that remembers every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def __call__(self, pages: int, tags: int) -> None:
        self.calls.append((pages, tags))

    @property
    def pages(self) -> int:
        return self.calls[-1][0] if self.calls else 0


# -- the harness registries ---------------------------------------------------------------------------


def test_listing_across_many_pages_equals_the_registrys_own_listing(env: Environment) -> None:
    repository = _repository()
    env.registry.seed(repository, _names(550))
    progress = _Pages()

    tags = list_tags(parse_image_reference(f"{env.registry.host}/{repository}"), deadline=_in(30),
                     progress=progress)

    assert tags == env.registry.tags(repository)
    assert progress.calls == [(1, 100), (2, 200), (3, 300), (4, 400), (5, 500), (6, 550)]


def test_more_than_a_thousand_tags_are_all_listed(env: Environment) -> None:
    repository = _repository()
    names = _names(2500)
    env.registry.seed(repository, names)

    tags = list_tags(parse_image_reference(f"{env.registry.host}/{repository}"), deadline=_in(60))

    assert tags == sorted(names)


def test_legacy_registry_that_ignores_n_gives_every_tag_in_one_page(env: Environment) -> None:
    repository = _repository()
    names = _names(1200, prefix="r")
    env.legacy_registry.seed(repository, names)
    progress = _Pages()

    tags = list_tags(parse_image_reference(f"{env.legacy_registry.host}/{repository}"), deadline=_in(30),
                     progress=progress)

    assert tags == env.legacy_registry.tags(repository)
    assert sorted(tags) == names
    assert progress.calls == [(1, 1200)]


def test_exactly_a_multiple_of_the_page_size_ends_on_the_empty_last_page(env: Environment) -> None:
    repository = _repository()
    names = _names(2 * PAGE)
    env.registry.seed(repository, names)
    progress = _Pages()

    tags = list_tags(parse_image_reference(f"{env.registry.host}/{repository}"), deadline=_in(30),
                     progress=progress)

    assert tags == names
    assert progress.calls == [(1, 100), (2, 200), (3, 200)]


def test_missing_repository_gives_the_registrys_name_unknown_error(env: Environment) -> None:
    repository = _repository()

    with pytest.raises(RegistryError) as caught:
        list_tags(parse_image_reference(f"{env.registry.host}/{repository}"), deadline=_in(30))

    assert str(caught.value) == (
        f"GET http://{env.registry.host}/v2/{repository}/tags/list?n=1000: "
        f"NAME_UNKNOWN: repository name not known to registry; map[name:{repository}]"
    )
    assert caught.value.status_code == 404
    assert caught.value.codes == ("NAME_UNKNOWN",)


def test_a_404_without_a_json_body_quotes_the_body_after_not_found(env: Environment) -> None:
    # distribution's router answers an invalid (uppercase) name with a plain-text 404.
    with TagRegistry(env.registry.host, insecure=True, deadline=_in(30)) as registry, \
            pytest.raises(RegistryError) as caught:
        registry.get_tags("Upper/Case")

    assert str(caught.value) == (
        f"GET http://{env.registry.host}/v2/Upper/Case/tags/list?n=1000: "
        "unexpected status code 404 Not Found: 404 page not found"
    )


def test_a_deadline_already_past_gives_context_deadline_exceeded(env: Environment) -> None:
    repository = _repository()
    env.registry.seed(repository, ["a"])

    with pytest.raises(RegistryError) as caught:
        list_tags(parse_image_reference(f"{env.registry.host}/{repository}"), deadline=_in(-1))

    assert str(caught.value) == (
        f'Get "http://{env.registry.host}/v2/{repository}/tags/list?n=1000": context deadline exceeded'
    )


def test_a_port_with_nothing_listening_gives_connection_refused() -> None:
    port = free_port()

    with pytest.raises(RegistryError) as caught:
        list_tags(parse_image_reference(f"127.0.0.1:{port}/app"), deadline=_in(10))

    assert str(caught.value) == (
        f"GET http://127.0.0.1:{port}/v2/app/tags/list?n=1000: "
        f"dial tcp 127.0.0.1:{port}: connect: connection refused"
    )


def test_an_unreachable_proxy_gives_proxyconnect_connection_refused(env: Environment) -> None:
    repository = _repository()
    proxy_port = free_port()

    with pytest.raises(RegistryError) as caught:
        list_tags(parse_image_reference(f"{env.registry.host}/{repository}"), deadline=_in(10),
                  proxies={"http": f"http://user:proxy-secret@127.0.0.1:{proxy_port}"})

    assert str(caught.value).endswith(
        f": proxyconnect tcp: dial tcp 127.0.0.1:{proxy_port}: connect: connection refused")
    assert "proxy-secret" not in str(caught.value)


# -- servers that accept and then stall ----------------------------------------------------------------


@dataclass
class _StallingServer:
    """A TCP server on 127.0.0.1 that accepts connections, optionally sends `prelude`, then says nothing."""

    prelude: bytes = b""
    listener: socket.socket = field(default_factory=socket.socket)
    connections: list[socket.socket] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)
            if self.prelude:
                connection.sendall(self.prelude)

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def stalling_server(request: pytest.FixtureRequest) -> Iterator[_StallingServer]:
    server = _StallingServer(prelude=getattr(request, "param", b""))
    yield server
    server.close()


def test_a_registry_that_never_answers_ends_at_the_deadline(stalling_server: _StallingServer) -> None:
    started = time.monotonic()

    with pytest.raises(RegistryError) as caught:
        list_tags(parse_image_reference(f"{stalling_server.host}/app"), deadline=started + 1.5)

    elapsed = time.monotonic() - started
    assert str(caught.value) == (
        f'Get "http://{stalling_server.host}/v2/app/tags/list?n=1000": context deadline exceeded')
    assert 1.4 <= elapsed < 3.0
    assert len(stalling_server.connections) == 1


@pytest.mark.parametrize(
    "stalling_server",
    [b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"tags":["a",'],
    indirect=True,
    ids=["headers-then-silence"],
)
def test_a_registry_that_stalls_in_the_middle_of_the_body_ends_at_the_deadline(
    stalling_server: _StallingServer,
) -> None:
    started = time.monotonic()

    with pytest.raises(RegistryError) as caught:
        list_tags(parse_image_reference(f"{stalling_server.host}/app"), deadline=started + 1.5)

    assert str(caught.value).endswith(": context deadline exceeded")
    assert 1.4 <= time.monotonic() - started < 3.0


# -- registries with TLS and authentication ------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """Fill a storage directory through an open registry, to be served again behind TLS or auth."""
    repositories = {"team/app": _names(250), "team/other": _names(30, prefix="o")}
    return seed_storage(env.binaries.registry, tmp_path_factory.mktemp("seeded"), repositories)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def basic_registry(env: Environment, seeded: Seeded, ca: CertificateAuthority,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """distribution v3 over TLS with htpasswd (Basic) authentication; yields its host."""
    workdir = tmp_path_factory.mktemp("basic")
    server, host = start_configured(
        env.binaries.registry, workdir, "basic-registry", seeded.root,
        htpasswd_auth(workdir, {USER: PASSWORD}), tls=True, ca=ca)
    yield host
    server.stop()


def test_tls_registry_is_listed_with_its_ca_file(basic_registry: str, ca: CertificateAuthority,
                                                 seeded: Seeded) -> None:
    # A loopback reference always gets plain HTTP, so TLS is reached through TagRegistry directly.
    with TagRegistry(basic_registry, deadline=_in(30), credentials=Credentials(USER, PASSWORD),
                     ca_file=str(ca.pair.cert)) as registry:
        tags = registry.get_tags("team/app")

    assert tags == seeded.repositories["team/app"]


def test_tls_registry_without_its_ca_fails_certificate_verification(basic_registry: str) -> None:
    with TagRegistry(basic_registry, deadline=_in(30), credentials=Credentials(USER, PASSWORD)) as registry, \
            pytest.raises(RegistryError) as caught:
        registry.get_tags("team/app")

    assert str(caught.value) == (
        f"GET https://{basic_registry}/v2/team/app/tags/list?n=1000: "
        "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    )


def test_basic_registry_without_credentials_gives_the_registrys_unauthorized_error(
    basic_registry: str, ca: CertificateAuthority,
) -> None:
    with TagRegistry(basic_registry, deadline=_in(30), ca_file=str(ca.pair.cert)) as registry, \
            pytest.raises(RegistryError) as caught:
        registry.get_tags("team/app")

    assert str(caught.value) == (
        f"GET https://{basic_registry}/v2/team/app/tags/list?n=1000: "
        "UNAUTHORIZED: authentication "
        "required; [map[Action:pull Class: Name:team/app Type:repository]]"
    )


def test_basic_registry_with_a_wrong_password_never_shows_the_password(
    basic_registry: str, ca: CertificateAuthority,
) -> None:
    wrong = Credentials(USER, "not-the-password-91c2")

    with TagRegistry(basic_registry, deadline=_in(30), ca_file=str(ca.pair.cert), credentials=wrong,
                     token_cache=TokenCache()) as registry, pytest.raises(RegistryError) as caught:
        registry.get_tags("team/app")

    assert caught.value.status_code == 401
    assert "not-the-password-91c2" not in str(caught.value) + repr(caught.value) + repr(wrong)
    encoded = base64.b64encode(f"{USER}:not-the-password-91c2".encode()).decode()
    assert encoded not in str(caught.value) + repr(caught.value)


# -- a token server and a registry that trusts it ------------------------------------------------------


@dataclass
class _TokenRegistry:
    host: str
    tokens: TokenServer


@pytest.fixture(scope="module")
def token_registry(env: Environment, seeded: Seeded, ca: CertificateAuthority,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[_TokenRegistry]:
    """distribution v3 (plain HTTP) with token authentication against `TokenServer`."""
    workdir = tmp_path_factory.mktemp("token")
    tokens = TokenServer(ca, lifetime=300)
    auth = {"auth": {"token": {"realm": tokens.realm, "service": tokens.service, "issuer": tokens.issuer,
                               "rootcertbundle": str(ca.pair.cert)}}}
    server, host = start_configured(env.binaries.registry, workdir, "token-registry", seeded.root, auth,
                                    tls=False, ca=ca)
    yield _TokenRegistry(host, tokens)
    server.stop()
    tokens.stop()


def test_token_registry_lists_every_page_with_one_token(
    token_registry: _TokenRegistry, seeded: Seeded,
) -> None:
    cache = TokenCache()
    before = len(token_registry.tokens.requests)

    with TagRegistry(token_registry.host, insecure=True, deadline=_in(30), token_cache=cache,
                     credentials=Credentials(USER, PASSWORD)) as registry:
        tags = registry.get_tags("team/app")

    assert tags == seeded.repositories["team/app"]
    issued = token_registry.tokens.requests[before:]
    assert [(r["user"], r["query"]["scope"], r["query"]["service"]) for r in issued] == [
        (USER, ["repository:team/app:pull"], [TokenServer.service])]


def test_a_cached_token_is_reused_by_a_later_listing(token_registry: _TokenRegistry) -> None:
    cache = TokenCache()
    credentials = Credentials(USER, PASSWORD)
    before = len(token_registry.tokens.requests)

    for _ in range(2):
        with TagRegistry(token_registry.host, insecure=True, deadline=_in(30), token_cache=cache,
                         credentials=credentials) as registry:
            registry.get_tags("team/app")

    assert len(token_registry.tokens.requests) - before == 1


def test_each_repository_gets_its_own_token(token_registry: _TokenRegistry, seeded: Seeded) -> None:
    cache = TokenCache()
    credentials = Credentials(USER, PASSWORD)
    before = len(token_registry.tokens.requests)

    listed = {}
    for repository in ("team/app", "team/other"):
        with TagRegistry(token_registry.host, insecure=True, deadline=_in(30), token_cache=cache,
                         credentials=credentials) as registry:
            listed[repository] = registry.get_tags(repository)

    assert listed == seeded.repositories
    scopes = [r["query"]["scope"] for r in token_registry.tokens.requests[before:]]
    assert scopes == [["repository:team/app:pull"], ["repository:team/other:pull"]]


def test_an_anonymous_token_without_access_gives_the_registrys_insufficient_scope_error(
    token_registry: _TokenRegistry,
) -> None:
    with TagRegistry(token_registry.host, insecure=True, deadline=_in(30),
                     token_cache=TokenCache()) as registry, pytest.raises(RegistryError) as caught:
        registry.get_tags("team/app")

    assert str(caught.value) == (
        f"GET http://{token_registry.host}/v2/team/app/tags/list?n=1000: "
        "UNAUTHORIZED: authentication "
        "required; [map[Action:pull Class: Name:team/app Type:repository]]"
    )


def test_wrong_credentials_give_the_token_servers_error(token_registry: _TokenRegistry) -> None:
    wrong = Credentials(USER, "nope-5b1e")

    with TagRegistry(token_registry.host, insecure=True, deadline=_in(30), credentials=wrong,
                     token_cache=TokenCache()) as registry, pytest.raises(RegistryError) as caught:
        registry.get_tags("team/app")

    assert str(caught.value) == (
        f"GET {token_registry.tokens.realm}?scope=repository%3Ateam%2Fapp%3Apull"
        f"&service={TokenServer.service}: "
        "UNAUTHORIZED: bad credentials"
    )
    assert "nope-5b1e" not in str(caught.value) + repr(caught.value)


def test_a_refused_cached_token_is_replaced_once(token_registry: _TokenRegistry, seeded: Seeded) -> None:
    cache = TokenCache()
    credentials = Credentials(USER, PASSWORD)
    with TagRegistry(token_registry.host, insecure=True, deadline=_in(30), token_cache=cache,
                     credentials=Credentials()) as registry, pytest.raises(RegistryError):
        registry.get_tags("team/app")  # leaves the registry's challenge remembered
    # Plant a token the registry will refuse under the key the real credentials use.
    challenge = cache.challenge_for(("http", "127.0.0.1", int(token_registry.host.rsplit(":", 1)[1]), ""))
    assert challenge is not None
    cache.put((challenge.realm, challenge.service, "repository:team/app:pull", credentials.fingerprint),
              "not-a-valid-token", 300)
    before = len(token_registry.tokens.requests)

    with TagRegistry(token_registry.host, insecure=True, deadline=_in(30), token_cache=cache,
                     credentials=credentials) as registry:
        tags = registry.get_tags("team/app")

    assert tags == seeded.repositories["team/app"]
    assert len(token_registry.tokens.requests) - before == 1
