"""Image reference parsing and canonical names, as the controller does it with ggcr's weak validation."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from string import ascii_letters, ascii_lowercase, digits

from kubectl_imagerepo.gocompat.netip import ParseAddrError, parse_addr
from kubectl_imagerepo.gocompat.url import HOST_CHARS

__all__ = [
    "DEFAULT_REGISTRY",
    "ImageReference",
    "ImageReferenceError",
    "parse_image_reference",
]

DEFAULT_REGISTRY = "index.docker.io"
_DOCKER_HUB_ALIAS = "docker.io"
_IMPLICIT_NAMESPACE = "library"
_DIGEST_PREFIX = "sha256:"

_TAG_CHARS = frozenset(ascii_letters + digits + "_-.")
_REPOSITORY_CHARS = frozenset(ascii_lowercase + digits + "_-./")
_LOWER_HEX = frozenset("0123456789abcdef")

_RFC1918_NETWORKS = tuple(
    ipaddress.IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
# Go's regexps, with \d spelled [0-9] (Go's \d is ASCII only) and $ spelled \Z (end of text).
_LOCALHOST_SUFFIX = re.compile(r"\.localhost(?::[0-9]{1,5})?\Z")
_LOOPBACK_V4 = re.compile(r"127\.0\.0\.1(?::[0-9]{1,5})?")
_LOOPBACK_V6 = re.compile(r"::1|\[::1\](?::[0-9]{1,5})?")


class ImageReferenceError(ValueError):
    """A `spec.image` the controller rejects; str() is the controller's message."""


@dataclass(frozen=True)
class ImageReference:
    """A parsed `spec.image`: a repository in a registry, never a tag or a digest.

    `repository` is ggcr's `RepositoryStr()`: it already carries the implicit `library/` of Docker Hub.
    """

    registry: str
    repository: str
    insecure: bool = False

    @property
    def canonical_name(self) -> str:
        """`<registry>/<repository>`, the value of `status.canonicalImageName`."""
        return f"{self.registry}/{self.repository}"

    @property
    def scheme(self) -> str:
        """`http` or `https`, by ggcr's `Registry.Scheme()` rules.

        `http` when insecure, for an RFC 1918 IPv4 address, `localhost:<port>`, `*.localhost[:port]`,
        `127.0.0.1[:port]`, `::1` and `[::1][:port]`. A bare `localhost` gets `https`, as in ggcr.
        """
        if self.insecure or _is_rfc1918(self.registry):
            return "http"
        if self.registry.startswith("localhost:"):
            return "http"
        if _LOCALHOST_SUFFIX.search(self.registry):
            return "http"
        if _LOOPBACK_V4.fullmatch(self.registry) or _LOOPBACK_V6.fullmatch(self.registry):
            return "http"
        return "https"

    @property
    def registry_host(self) -> str:
        """The `host[:port]` that registry API requests go to.

        Always `registry`, Docker Hub included: ggcr's `Registry.RegistryStr()` and `Name()` both return
        the stored name, and its `remote.List`, ping and token code build URLs from `RegistryStr()`, so the
        controller talks to `index.docker.io` itself, never `registry-1.docker.io`. Docker Hub serves the
        same v2 API and token challenge on both names.
        """
        return self.registry

    @property
    def tags_url(self) -> str:
        """The first tag-list URL, `<scheme>://<host>/v2/<repository>/tags/list`, without a page size."""
        return f"{self.scheme}://{self.registry_host}/v2/{self.repository}/tags/list"


def parse_image_reference(image: str, insecure: bool = False) -> ImageReference:
    """Parse `spec.image` as the controller's `ParseImageReference` does.

    Differs from the controller on purpose (see docs/behaviour.md, Deviations from the controller):
    a digest gives `image '<image>' should not include a digest; remove '@<digest>'` instead of a tag
    message, also when a tag comes before the digest.

    Raises:
        ImageReferenceError: with the controller's message for a URL scheme, an unparsable reference,
            a tag or a digest.
    """
    if "://" in image:
        scheme = image.split("://", 1)[0]
        raise ImageReferenceError(f"image '{image}' should not include URL scheme; remove '{scheme}://'")

    parsed = split_reference(image)
    if parsed is None:
        raise ImageReferenceError(f"could not parse reference: {image}")
    registry, repository, digest = parsed
    if digest is not None:
        raise ImageReferenceError(f"image '{image}' should not include a digest; remove '@{digest}'")

    # The controller strips the registry only when the input spells it exactly as ggcr stores it,
    # so `docker.io/alpine:3` keeps its prefix; the tag text is then between the first two colons.
    remainder = image.removeprefix(registry)
    if ":" in remainder:
        tag = remainder.split(":")[1]
        raise ImageReferenceError(f"image '{image}' should not include a tag; remove ':{tag}'")

    return ImageReference(registry=registry, repository=repository, insecure=insecure)


def split_reference(name: str) -> tuple[str, str, str | None] | None:
    """`name.ParseReference`: a tag reference first, then a digest reference.

    Returns (registry, repository, digest or None), or None when ggcr would fail.
    """
    repository = _parse_tag_reference(name)
    if repository is not None:
        return (*repository, None)
    return _parse_digest_reference(name)


def _parse_tag_reference(name: str) -> tuple[str, str] | None:
    """`name.NewTag`: split off a tag, validate it and parse the rest as a repository."""
    base = name
    parts = name.split(":")
    # A last part containing '/' is a registry port followed by a path, not a tag.
    if len(parts) > 1 and "/" not in parts[-1]:
        tag = parts[-1]
        if not _valid_element(tag, _TAG_CHARS, 1, 128):
            return None
        base = ":".join(parts[:-1])
    return _parse_repository(base)


def _parse_digest_reference(name: str) -> tuple[str, str, str] | None:
    """`name.NewDigest`: exactly one '@', then `sha256:` and 64 lowercase hex digits."""
    parts = name.split("@")
    if len(parts) != 2:
        return None
    base, digest = parts
    if not digest.startswith(_DIGEST_PREFIX):
        return None
    encoded = digest.removeprefix(_DIGEST_PREFIX)
    if len(encoded) != 64 or not _LOWER_HEX.issuperset(encoded):
        return None
    # ggcr drops a tag before the digest (`repo:tag@sha256:…`) and keeps the repository.
    repository = _parse_tag_reference(base) or _parse_repository(base)
    if repository is None:
        return None
    return (*repository, digest)


def _parse_repository(name: str) -> tuple[str, str] | None:
    """`name.NewRepository`: returns (registry, repository string with any implicit `library/`)."""
    if not name:
        return None
    registry, repository = "", name
    first, slash, rest = name.partition("/")
    if slash and (first == "localhost" or "." in first or ":" in first):
        registry, repository = first, rest
    if not _valid_element(repository, _REPOSITORY_CHARS, 1, 255):
        return None
    if not _is_uri_authority(registry):
        return None
    if registry in ("", _DOCKER_HUB_ALIAS):
        registry = DEFAULT_REGISTRY
    if registry == DEFAULT_REGISTRY and "/" not in repository:
        repository = f"{_IMPLICIT_NAMESPACE}/{repository}"
    return registry, repository


def _valid_element(element: str, allowed: frozenset[str], min_length: int, max_length: int) -> bool:
    """ggcr's `checkElement`: a length in characters (runes) and an allowed character set."""
    return min_length <= len(element) <= max_length and allowed.issuperset(element)


def _is_uri_authority(registry: str) -> bool:
    """Whether Go's `url.Parse("//" + registry).Host == registry`, as Go parses since 1.24.8 and 1.25.2.

    Control characters, '#', '?', '@' and '%' always fail (an error, or a host that differs from the
    input); a port must be digits (possibly none); brackets must start the host and enclose an IPv6
    address. gocompat.url keeps the earlier parser, which the keychain's bracket globs need: the two
    disagree on a host such as `reg-[0-9].io`.
    """
    if not registry:
        return True
    if any(ord(char) < 0x20 or ord(char) == 0x7F or char in "#?@%" for char in registry):
        return False
    if registry.startswith("["):
        close = registry.rfind("]")
        if close < 0 or "[" in registry[1:] or not _valid_optional_port(registry[close + 1 :]):
            return False
        return _is_ipv6(registry[1:close])
    if "[" in registry:
        return False
    colon = registry.rfind(":")
    if colon >= 0 and not _valid_optional_port(registry[colon:]):
        return False
    return all(ord(char) >= 0x80 or char in HOST_CHARS for char in registry)


def _valid_optional_port(port: str) -> bool:
    """Go's `validOptionalPort`: empty, or ':' followed by ASCII digits (possibly none)."""
    return port == "" or (port[0] == ":" and all("0" <= char <= "9" for char in port[1:]))


def _is_ipv6(address: str) -> bool:
    """Whether a bracketed host is an IPv6 address, as Go's `netip.ParseAddr` plus `!Is4()` decide."""
    try:
        return parse_addr(address) == 6
    except ParseAddrError:
        return False


def _is_rfc1918(registry: str) -> bool:
    """Whether the host before the first ':' is an IPv4 address in 10/8, 172.16/12 or 192.168/16."""
    try:
        address = ipaddress.IPv4Address(registry.split(":")[0])
    except ValueError:
        return False
    return any(address in network for network in _RFC1918_NETWORKS)
