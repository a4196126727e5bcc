"""Image reference parsing: the controller's rules and worked examples, and the digest deviation.

See docs/behaviour.md, Image references and Deviations from the controller.
"""

from __future__ import annotations

import pytest

from kubectl_imagerepo.model.reference import (
    DEFAULT_REGISTRY,
    ImageReference,
    ImageReferenceError,
    parse_image_reference,
)

DIGEST = "sha256:" + "0123456789abcdef" * 4


def parse_error(image: str, insecure: bool = False) -> str:
    with pytest.raises(ImageReferenceError) as caught:
        parse_image_reference(image, insecure)
    return str(caught.value)


# Spec 2.3 worked examples that parse.
@pytest.mark.parametrize(
    ("image", "canonical"),
    [
        ("alpine", "index.docker.io/library/alpine"),
        ("library/alpine", "index.docker.io/library/alpine"),
        ("docker.io/alpine", "index.docker.io/library/alpine"),
        ("docker.io/library/alpine", "index.docker.io/library/alpine"),
        ("index.docker.io/alpine", "index.docker.io/library/alpine"),
        ("stefanprodan/podinfo", "index.docker.io/stefanprodan/podinfo"),
        ("registry-1.docker.io/alpine", "registry-1.docker.io/alpine"),
        ("ghcr.io/stefanprodan/podinfo", "ghcr.io/stefanprodan/podinfo"),
        ("localhost/foo", "localhost/foo"),
        ("localhost:5000/foo", "localhost:5000/foo"),
        ("127.0.0.1:5000/foo/bar", "127.0.0.1:5000/foo/bar"),
        ("example.com:9999/foo/bar", "example.com:9999/foo/bar"),
        ("Example.com/foo", "Example.com/foo"),
        (
            "123456789000.dkr.ecr.us-east-2.amazonaws.com/test",
            "123456789000.dkr.ecr.us-east-2.amazonaws.com/test",
        ),
    ],
)
def test_worked_example_canonical_name(image: str, canonical: str) -> None:
    assert parse_image_reference(image).canonical_name == canonical


# Spec 2.3 worked examples that fail, with the exact controller message.
@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("example.com/Foo", "could not parse reference: example.com/Foo"),
        ("alpine:3.18", "image 'alpine:3.18' should not include a tag; remove ':3.18'"),
        (
            "https://ghcr.io/org/app",
            "image 'https://ghcr.io/org/app' should not include URL scheme; remove 'https://'",
        ),
        (
            "ghcr.io/stefanprodan/podinfo:foo:bar",
            "could not parse reference: ghcr.io/stefanprodan/podinfo:foo:bar",
        ),
        ("localhost:5000", "image 'localhost:5000' should not include a tag; remove ':5000'"),
        ("foo:bar/baz", "could not parse reference: foo:bar/baz"),
        ("", "could not parse reference: "),
        ("example.com/", "could not parse reference: example.com/"),
    ],
)
def test_worked_example_error(image: str, message: str) -> None:
    assert parse_error(image) == message


@pytest.mark.parametrize(
    ("image", "scheme"),
    [
        ("https://ghcr.io/org/app", "https"),
        ("http://ghcr.io/org/app", "http"),
        ("oci://ghcr.io/org/app", "oci"),
        ("a://b://c", "a"),
    ],
)
def test_url_scheme_is_rejected_naming_the_text_before_the_first_separator(image: str, scheme: str) -> None:
    assert parse_error(image) == f"image '{image}' should not include URL scheme; remove '{scheme}://'"


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("alpine:latest", "latest"),
        ("ghcr.io/org/app:v1.2.3", "v1.2.3"),
        ("localhost:5000/foo:bar", "bar"),
        ("docker.io/alpine:3", "3"),
        ("index.docker.io/library/alpine:3", "3"),
    ],
)
def test_tag_is_rejected_naming_the_text_between_the_first_two_colons_after_the_registry(
    image: str, tag: str
) -> None:
    assert parse_error(image) == f"image '{image}' should not include a tag; remove ':{tag}'"


def test_registry_alias_is_not_stripped_before_looking_for_a_tag() -> None:
    # ggcr stores docker.io as index.docker.io, so the literal prefix does not match and the
    # message is computed from the whole input; for docker.io the result is the same tag text.
    assert parse_error("docker.io/alpine:edge") == (
        "image 'docker.io/alpine:edge' should not include a tag; remove ':edge'"
    )


@pytest.mark.parametrize(
    "image",
    [
        f"ghcr.io/org/app@{DIGEST}",
        f"alpine@{DIGEST}",
        f"localhost:5000/foo@{DIGEST}",
    ],
)
def test_digest_is_rejected_with_the_project_digest_message(image: str) -> None:
    assert parse_error(image) == f"image '{image}' should not include a digest; remove '@{DIGEST}'"


def test_tag_and_digest_together_get_the_digest_message() -> None:
    image = f"ghcr.io/org/app:v1@{DIGEST}"
    assert parse_error(image) == f"image '{image}' should not include a digest; remove '@{DIGEST}'"


@pytest.mark.parametrize(
    "image",
    [
        "ghcr.io/org/app@sha256:abc",
        f"ghcr.io/org/app@{DIGEST.upper()}",
        "ghcr.io/org/app@sha512:" + "ab" * 64,
        f"ghcr.io/org/app@x@{DIGEST}",
    ],
)
def test_malformed_digest_cannot_be_parsed(image: str) -> None:
    assert parse_error(image) == f"could not parse reference: {image}"


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("a:", "could not parse reference: a:"),
        ("ghcr.io/org/app:", "could not parse reference: ghcr.io/org/app:"),
        ("ghcr.io/a:" + "x" * 129, "could not parse reference: ghcr.io/a:" + "x" * 129),
        ("ghcr.io/a:v+1", "could not parse reference: ghcr.io/a:v+1"),
        (
            "ghcr.io/a:" + "x" * 128,
            f"image 'ghcr.io/a:{'x' * 128}' should not include a tag; remove ':{'x' * 128}'",
        ),
        ("ghcr.io/a:A_b-c.9", "image 'ghcr.io/a:A_b-c.9' should not include a tag; remove ':A_b-c.9'"),
    ],
)
def test_tag_must_be_1_to_128_letters_digits_underscores_dots_dashes(image: str, message: str) -> None:
    assert parse_error(image) == message


@pytest.mark.parametrize(
    ("image", "registry", "repository"),
    [
        ("localhost/foo", "localhost", "foo"),
        ("example.com/foo", "example.com", "foo"),
        ("host:5000/foo", "host:5000", "foo"),
        ("foo/bar", DEFAULT_REGISTRY, "foo/bar"),
        ("localhostx/foo", DEFAULT_REGISTRY, "localhostx/foo"),
        ("a/b/c", DEFAULT_REGISTRY, "a/b/c"),
        ("localhost", DEFAULT_REGISTRY, "library/localhost"),
        ("docker.io", DEFAULT_REGISTRY, "library/docker.io"),
    ],
)
def test_first_segment_is_the_registry_when_localhost_or_it_has_a_dot_or_colon(
    image: str, registry: str, repository: str
) -> None:
    reference = parse_image_reference(image)
    assert (reference.registry, reference.repository) == (registry, repository)


@pytest.mark.parametrize(
    "image",
    [
        "user@example.com/foo",
        "example.com?x/foo",
        "exa#mple.com/foo",
        "exa mple.com/foo",
        "exa%41mple.com/foo",
        "example.com:port/foo",
        "example.com:50a/foo",
        "[1.2.3.4]/foo",
        "[::1/foo",
        "a[::1]/foo",
        "[::1]x/foo",
        "exa\tmple.com/foo",
        "exa|mple.com/foo",
    ],
)
def test_registry_must_be_an_rfc3986_authority(image: str) -> None:
    assert parse_error(image) == f"could not parse reference: {image}"


@pytest.mark.parametrize(
    "registry",
    [
        "example.com:",
        "example.com:0",
        "a.b:65536",
        "[::1]",
        "[::1]:5000",
        "[fe80::1]:443",
        "::1",
        "exämple.com",
        "a]b.com",
    ],
)
def test_registry_accepted_by_go_url_parsing(registry: str) -> None:
    assert parse_image_reference(f"{registry}/foo").registry == registry


@pytest.mark.parametrize(
    ("image", "canonical"),
    [
        ("Example.com/foo", "Example.com/foo"),
        ("GHCR.IO/org/app", "GHCR.IO/org/app"),
        ("Docker.io/alpine", "Docker.io/alpine"),
    ],
)
def test_registry_case_is_preserved(image: str, canonical: str) -> None:
    assert parse_image_reference(image).canonical_name == canonical


@pytest.mark.parametrize(
    ("image", "registry"),
    [
        ("docker.io/foo/bar", "index.docker.io"),
        ("docker.io:443/foo", "docker.io:443"),
        ("registry-1.docker.io/foo", "registry-1.docker.io"),
        ("registry.hub.docker.com/foo", "registry.hub.docker.com"),
    ],
)
def test_only_exact_docker_io_is_rewritten_to_index_docker_io(image: str, registry: str) -> None:
    assert parse_image_reference(image).registry == registry


@pytest.mark.parametrize(
    "image",
    [
        "example.com/Foo",
        "Foo",
        "example.com/foo/Bar",
        "localhost:5000/Foo",
        "example.com/fo+o",
        "example.com/" + "a" * 256,
    ],
)
def test_repository_must_be_1_to_255_lowercase_characters(image: str) -> None:
    assert parse_error(image) == f"could not parse reference: {image}"


@pytest.mark.parametrize(
    ("image", "repository"),
    [
        ("example.com/" + "a" * 255, "a" * 255),
        ("ghcr.io/a", "a"),
        ("ghcr.io//a", "/a"),
        ("ghcr.io/a__b", "a__b"),
        ("ghcr.io/a-b.c_d/e", "a-b.c_d/e"),
    ],
)
def test_repository_character_set_allows_double_slashes_and_underscores(image: str, repository: str) -> None:
    assert parse_image_reference(image).repository == repository


@pytest.mark.parametrize(
    ("image", "repository"),
    [
        ("alpine", "library/alpine"),
        ("index.docker.io/alpine", "library/alpine"),
        ("index.docker.io/org/app", "org/app"),
        ("registry-1.docker.io/alpine", "alpine"),
        ("ghcr.io/alpine", "alpine"),
        ("localhost/alpine", "alpine"),
    ],
)
def test_library_namespace_is_implicit_only_on_index_docker_io(image: str, repository: str) -> None:
    assert parse_image_reference(image).repository == repository


@pytest.mark.parametrize(
    ("registry", "scheme"),
    [
        ("10.0.0.1", "http"),
        ("10.255.255.255:5000", "http"),
        ("172.16.0.1", "http"),
        ("172.31.255.255:443", "http"),
        ("172.32.0.1", "https"),
        ("192.168.1.1:80", "http"),
        ("192.169.1.1", "https"),
        ("010.0.0.1", "https"),
        ("localhost:5000", "http"),
        ("localhost", "https"),
        ("foo.localhost", "http"),
        ("foo.localhost:5000", "http"),
        ("foo.localhost:123456", "https"),
        ("localhost.example.com", "https"),
        ("127.0.0.1", "http"),
        ("127.0.0.1:5000", "http"),
        ("127.0.0.10", "https"),
        ("127.0.0.2", "https"),
        ("::1", "http"),
        ("[::1]", "http"),
        ("[::1]:5000", "http"),
        ("[::2]:5000", "https"),
        ("ghcr.io", "https"),
        ("index.docker.io", "https"),
    ],
)
def test_scheme_is_http_only_for_local_and_private_registries(registry: str, scheme: str) -> None:
    assert parse_image_reference(f"{registry}/foo").scheme == scheme


@pytest.mark.parametrize("image", ["ghcr.io/org/app", "alpine", "localhost/foo"])
def test_insecure_makes_the_scheme_http(image: str) -> None:
    reference = parse_image_reference(image, insecure=True)
    assert reference.insecure
    assert reference.scheme == "http"


def test_insecure_does_not_change_the_canonical_name() -> None:
    assert parse_image_reference("ghcr.io/a", insecure=True).canonical_name == "ghcr.io/a"


@pytest.mark.parametrize(
    ("image", "insecure", "url"),
    [
        ("alpine", False, "https://index.docker.io/v2/library/alpine/tags/list"),
        ("ghcr.io/org/app", False, "https://ghcr.io/v2/org/app/tags/list"),
        ("ghcr.io/org/app", True, "http://ghcr.io/v2/org/app/tags/list"),
        ("localhost:5000/foo/bar", False, "http://localhost:5000/v2/foo/bar/tags/list"),
        ("[::1]:5000/foo", False, "http://[::1]:5000/v2/foo/tags/list"),
    ],
)
def test_tags_url(image: str, insecure: bool, url: str) -> None:
    assert parse_image_reference(image, insecure).tags_url == url


@pytest.mark.parametrize(
    ("image", "host"),
    [
        ("alpine", "index.docker.io"),
        ("docker.io/org/app", "index.docker.io"),
        ("registry-1.docker.io/org/app", "registry-1.docker.io"),
        ("ghcr.io/org/app", "ghcr.io"),
    ],
)
def test_requests_go_to_the_registry_as_ggcr_names_it(image: str, host: str) -> None:
    assert parse_image_reference(image).registry_host == host


def test_reference_is_a_value() -> None:
    assert parse_image_reference("docker.io/alpine") == ImageReference(
        "index.docker.io", "library/alpine", False
    )


def test_reference_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="could not parse reference"):
        parse_image_reference("example.com/Foo")
