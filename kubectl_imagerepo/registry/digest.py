"""The digest of a tag's manifest, fetched as the controller's `remote.Head` fetches it (docs/behaviour.md,
Registry access).

`fetch_manifest_digest` parses `<image>:<tag>` as ggcr's `name.ParseReference`, pings `/v2/` (https,
then also http for a plain-HTTP registry, raced as ggcr races them), answers the challenge, then sends
one `HEAD /v2/<repository>/manifests/<tag>` with ggcr's Accept list. The answer must be 200 with
`Content-Type`, `Content-Length` and a `Docker-Content-Digest` that is a valid `sha256:<64 hex>`; there
is no GET fallback. Requests go through `RegistryClient`, so authentication, the token cache, TLS,
proxies, retries and the deadline are the tag lister's. Every failure is a `RegistryError` whose text is
ggcr's chain, `failed fetching descriptor for "<image>:<tag>": <cause>`.

The header and hash checks are pure functions (`descriptor_digest`, `parse_hash`).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from kubectl_imagerepo.gocompat.strconv import quote
from kubectl_imagerepo.model.reference import ImageReference, split_reference
from kubectl_imagerepo.registry.challenge import pull_scope
from kubectl_imagerepo.registry.client import RegistryClient
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.errors import RegistryError
from kubectl_imagerepo.registry.limiter import SHARED_LIMITER
from kubectl_imagerepo.registry.roundtrip import Request, RoundTripper
from kubectl_imagerepo.registry.tokencache import TokenCache
from kubectl_imagerepo.registry.transport import DeadlineAdapter

__all__ = [
    "ACCEPT",
    "MANIFEST_MEDIA_TYPES",
    "PING_FALLBACK_DELAY",
    "DescriptorError",
    "DigestRegistry",
    "ManifestTarget",
    "descriptor_digest",
    "fetch_manifest_digest",
    "manifest_target",
    "parse_hash",
]

#: ggcr's `allManifestMediaTypes`, in its order: the Accept header of the HEAD.
MANIFEST_MEDIA_TYPES = (
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
)
ACCEPT = ",".join(MANIFEST_MEDIA_TYPES)
#: ggcr's `fallbackDelay`: the http ping starts this long after the https one, or as soon as it fails.
PING_FALLBACK_DELAY = 0.3
_HASH_SIZES = {"sha256": 32}
_LOWER_HEX = "0123456789abcdef"


class DescriptorError(ValueError):
    """A 200 answer that is not a descriptor ggcr accepts; str() is ggcr's text."""


@dataclass(frozen=True)
class ManifestTarget:
    """What `<image>:<tag>` names, as ggcr parses it.

    Attributes:
        name: `<image>:<tag>` as given, the text of every message.
        registry: The registry's `host[:port]`.
        repository: The repository, with Docker Hub's implicit `library/`.
        identifier: The tag (or, for a `<tag>@sha256:…` tag, the digest) that names the manifest.
        scheme: `http` or `https`, by ggcr's rules and `spec.insecure`.
    """

    name: str
    registry: str
    repository: str
    identifier: str
    scheme: str

    @property
    def manifest_url(self) -> str:
        """The HEAD's URL as ggcr prints it in messages: the reference's own scheme."""
        return f"{self.scheme}://{self.registry}/v2/{self.repository}/manifests/{self.identifier}"


def manifest_target(image: str, tag: str, *, insecure: bool = False) -> ManifestTarget:
    """Parse `<image>:<tag>` as ggcr's `name.ParseReference` with default options.

    Raises:
        RegistryError: `failed parsing reference "<image>:<tag>": could not parse reference: <image>:<tag>`.
    """
    name = f"{image}:{tag}"
    parsed = split_reference(name)
    if parsed is None:
        raise RegistryError(f"failed parsing reference {quote(name)}: could not parse reference: {name}")
    registry, repository, digest = parsed
    identifier = digest if digest is not None else name.rsplit(":", 1)[1]
    scheme = ImageReference(registry, repository, insecure=insecure).scheme
    return ManifestTarget(name, registry, repository, identifier, scheme)


def parse_hash(value: str) -> str:
    """ggcr's `v1.NewHash`: `value` when it is `sha256:<64 lowercase hex>`.

    Raises:
        DescriptorError: ggcr's text, e.g. `cannot parse hash: "abc"`, `found non-hex character in
            hash: g`, `unsupported hash: "sha512"`, `wrong number of hex digits for sha256: abc`.
    """
    parts = value.split(":")
    if len(parts) != 2:
        raise DescriptorError(f"cannot parse hash: {quote(value)}")
    algorithm, hex_digits = parts
    rest = hex_digits.lstrip(_LOWER_HEX)
    if rest:
        raise DescriptorError(f"found non-hex character in hash: {rest[0]}")
    size = _HASH_SIZES.get(algorithm)
    if size is None:
        raise DescriptorError(f"unsupported hash: {quote(algorithm)}")
    if len(hex_digits) != size * 2:
        raise DescriptorError(f"wrong number of hex digits for {algorithm}: {hex_digits}")
    return value


def descriptor_digest(headers: Mapping[str, str], url: str) -> str:
    """The digest of a 200 answer to the HEAD, checked as ggcr's `headManifest` checks it.

    `url` is the manifest URL as ggcr prints it. Header values are trimmed, as Go's `Header.Get`
    returns them; an empty value counts as missing.

    Raises:
        DescriptorError: `HEAD <url>: response did not include Content-Type header`, `GET <url>:
            response did not include Content-Length header` (ggcr's verb),
            `HEAD <url>: response did not include Docker-Content-Digest header`, Go's
            `Head "<url>": bad Content-Length "x"`, or a `parse_hash` text.
    """
    found = {key.lower(): value.strip(" \t") for key, value in headers.items()}
    if not found.get("content-type"):
        raise DescriptorError(f"HEAD {url}: response did not include Content-Type header")
    length = found.get("content-length")
    if length is None:
        raise DescriptorError(f"GET {url}: response did not include Content-Length header")
    if not length:
        raise DescriptorError(f'Head {quote(url)}: invalid empty Content-Length ""')
    if not length.isascii() or not length.isdigit() or int(length) >= 1 << 63:
        raise DescriptorError(f"Head {quote(url)}: bad Content-Length {quote(length)}")
    digest = found.get("docker-content-digest")
    if not digest:
        raise DescriptorError(f"HEAD {url}: response did not include Docker-Content-Digest header")
    return parse_hash(digest)


def _as_url_error(failure: RegistryError) -> RegistryError:
    """A request that got no answer, as Go's `url.Error` (`Get "<url>": <reason>`) that ggcr returns."""
    if failure.url is None or failure.status_code is not None:
        return failure
    return RegistryError(failure.detail, method=failure.method, url=failure.url, url_error=True)


class _AsURLError:
    """A layer that reads a failure without an answer as Go's `url.Error`, as `remote.Head` returns it."""

    def __init__(self, inner: RoundTripper) -> None:
        self._inner = inner

    def __call__(self, request: Request) -> requests.Response:
        try:
            return self._inner(request)
        except RegistryError as failure:
            raise _as_url_error(failure) from None


class DigestRegistry(RegistryClient):
    """The tag lister's client with ggcr's `/v2/` ping and manifest HEAD."""

    def __init__(self, hostname: str, **options: Any) -> None:
        super().__init__(hostname, per_exchange=(_AsURLError,), **options)

    def __enter__(self) -> DigestRegistry:
        return self

    def ping(self) -> requests.Response | None:
        """GET `/v2/`: None when the registry answers 200, the answer when it is a 401 challenge.

        Raises:
            RegistryError: no answer (Go's `url.Error`), or an answer other than 200 or 401.
        """
        response = self.exchange(Request("GET", f"{self.prefix}://{self.hostname}/v2/"))
        if response.status_code == 401:
            return response
        if response.status_code != 200:
            raise RegistryError.from_response(response, secrets=self._secrets)
        return None

    def authenticate(self, challenge: requests.Response, scope: str) -> None:
        """Answer the ping's challenge for `scope` before the HEAD, as ggcr does (a token is then cached).

        Raises:
            RegistryError: the realm is refused, or the token request failed.
        """
        self.auth.answer(challenge, scope, None)

    def head_digest(self, target: ManifestTarget) -> str:
        """HEAD the manifest with ggcr's Accept list and return its checked digest.

        Raises:
            RegistryError: no answer, an answer other than 200 (the tag lister's texts), or a 200
                that is not a descriptor.
        """
        url = f"{self.prefix}://{self.hostname}/v2/{target.repository}/manifests/{target.identifier}"
        response = self.do_request(url, "HEAD", headers={"Accept": ACCEPT})
        if response.status_code != 200:
            raise RegistryError.from_response(response, secrets=self._secrets)
        try:
            return descriptor_digest(response.headers, target.manifest_url)
        except DescriptorError as bad:
            raise RegistryError(str(bad), status_code=200, secrets=self._secrets) from None

    def cancel(self) -> None:
        """Give up: no new request or retry, and a read in progress is cut (a ping that lost the race)."""
        self.deadline = time.monotonic()
        for adapter in self.session.adapters.values():
            if isinstance(adapter, DeadlineAdapter):
                adapter.cut_connections()


_Pinged = tuple[DigestRegistry, requests.Response | None]


def _race_pings(clients: Mapping[str, DigestRegistry]) -> _Pinged:
    """The client whose ping succeeds first, with its answer: ggcr's `pingParallel`, https first and
    http 0.3s later (or as soon as https fails).

    Raises:
        RegistryError: both failed; the text is both errors, https first, joined by `; `.
    """
    results: queue.SimpleQueue[tuple[str, requests.Response | None, Exception | None]] = queue.SimpleQueue()

    def race(scheme: str) -> None:
        try:
            answer = clients[scheme].ping()
        except Exception as failure:  # handed to the waiting thread, which raises it
            results.put((scheme, None, failure))
        else:
            results.put((scheme, answer, None))

    def start(scheme: str) -> None:
        threading.Thread(target=race, args=(scheme,), name=f"digest-ping-{scheme}", daemon=True).start()

    start("https")
    fallback_at: float | None = time.monotonic() + PING_FALLBACK_DELAY
    failures: dict[str, Exception] = {}
    while True:
        timeout = None if fallback_at is None else max(0.0, fallback_at - time.monotonic())
        try:
            scheme, answer, failure = results.get(timeout=timeout)
        except queue.Empty:
            fallback_at = None
            start("http")
            continue
        if failure is None:
            for other, client in clients.items():
                if other != scheme:
                    client.cancel()
            return clients[scheme], answer
        if not isinstance(failure, RegistryError):
            raise failure
        failures[scheme] = failure
        if len(failures) == len(clients):
            raise RegistryError("; ".join(str(failures[name]) for name in ("https", "http")))
        if scheme == "https" and fallback_at is not None:
            fallback_at = None
            start("http")


def fetch_manifest_digest(
    reference: ImageReference,
    tag: str,
    *,
    deadline: float,
    image: str | None = None,
    credentials: Credentials | None = None,
    login: Callable[[str], Credentials] | None = None,
    ca_file: str | None = None,
    client_cert: tuple[str, str] | None = None,
    proxies: Mapping[str, str] | None = None,
    token_cache: TokenCache | None = None,
) -> str:
    """The digest (`sha256:<64 hex>`) of the manifest `tag` names in `reference`'s repository.

    Args:
        reference: The parsed `spec.image`; its `insecure` selects plain HTTP as it does for the scan.
        tag: The tag, as stored.
        deadline: A `time.monotonic()` value bounding every request.
        image: `spec.image` as written, for messages; `reference.canonical_name` when None (the two
            differ only for Docker Hub short names).
        credentials: Static credentials, or None for anonymous access.
        login: Called with the manifest URL for a cloud provider's credentials (instead of
            `credentials`); its `RegistryError`s are the fetch's.
        ca_file, client_cert, proxies, token_cache: As for the tag lister.

    Raises:
        RegistryError: `failed parsing reference "<image>:<tag>": …`, or
            `failed fetching descriptor for "<image>:<tag>": <cause>`, e.g. the cause
            `HEAD http://127.0.0.1:5000/v2/app/manifests/1.0: response did not include
            Docker-Content-Digest header`.
    """
    target = manifest_target(image or reference.canonical_name, tag, insecure=reference.insecure)
    try:
        return _fetch(target, deadline, credentials, login, ca_file, client_cert, proxies, token_cache)
    except RegistryError as failure:
        raise RegistryError(
            f"failed fetching descriptor for {quote(target.name)}: {failure}",
            status_code=failure.status_code,
            codes=failure.codes,
        ) from None


def _fetch(
    target: ManifestTarget,
    deadline: float,
    credentials: Credentials | None,
    login: Callable[[str], Credentials] | None,
    ca_file: str | None,
    client_cert: tuple[str, str] | None,
    proxies: Mapping[str, str] | None,
    token_cache: TokenCache | None,
) -> str:
    if login is not None:
        try:
            credentials = login(target.manifest_url)
        except RegistryError as failure:
            if failure.url is None:
                raise
            raise RegistryError(failure.detail, method="HEAD", url=failure.url, url_error=True) from None
    schemes = ("https", "http") if target.scheme == "http" else ("https",)
    clients = {
        scheme: DigestRegistry(
            target.registry,
            insecure=scheme == "http",
            deadline=deadline,
            credentials=credentials,
            ca_file=ca_file,
            client_cert=client_cert,
            proxies=proxies,
            token_cache=token_cache,
            limiter=SHARED_LIMITER,
        )
        for scheme in schemes
    }
    try:
        if len(clients) == 1:
            client = clients["https"]
            challenge = client.ping()
        else:
            client, challenge = _race_pings(clients)
        if challenge is not None:
            client.authenticate(challenge, pull_scope(target.manifest_url))
        return client.head_digest(target)
    finally:
        for each in clients.values():
            with contextlib.suppress(Exception):
                each.close()
