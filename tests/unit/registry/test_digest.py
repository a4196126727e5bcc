"""The digest fetch's pure rules: ggcr's Accept list, reference parsing, header checks, hash validation.

See docs/behaviour.md, Registry access.
"""

from __future__ import annotations

import pytest

from kubectl_imagerepo.model.reference import parse_image_reference
from kubectl_imagerepo.registry.digest import (
    ACCEPT,
    DescriptorError,
    descriptor_digest,
    fetch_manifest_digest,
    manifest_target,
    parse_hash,
)
from kubectl_imagerepo.registry.errors import RegistryError

DIGEST = "sha256:" + "0123456789abcdef" * 4
URL = "http://127.0.0.1:5000/v2/team/app/manifests/1.0.0"
GOOD = {"Content-Type": "application/vnd.oci.image.manifest.v1+json", "Content-Length": "528",
        "Docker-Content-Digest": DIGEST}


def _without(name: str) -> dict[str, str]:
    return {key: value for key, value in GOOD.items() if key != name}


# -- Accept ------------------------------------------------------------------------------------------


def test_accept_lists_ggcr_manifest_media_types_in_order_comma_joined() -> None:
    assert ACCEPT == (
        "application/vnd.docker.distribution.manifest.v1+json,"
        "application/vnd.docker.distribution.manifest.v1+prettyjws,"
        "application/vnd.docker.distribution.manifest.v2+json,"
        "application/vnd.oci.image.manifest.v1+json,"
        "application/vnd.docker.distribution.manifest.list.v2+json,"
        "application/vnd.oci.image.index.v1+json"
    )


# -- <image>:<tag> -----------------------------------------------------------------------------------


def test_a_local_registry_tag_is_headed_over_http_at_the_tag() -> None:
    target = manifest_target("127.0.0.1:5000/team/app", "1.0.0")

    assert (target.scheme, target.manifest_url) == ("http", URL)


def test_a_public_registry_is_headed_over_https() -> None:
    assert manifest_target("ghcr.io/team/app", "v1").manifest_url == "https://ghcr.io/v2/team/app/manifests/v1"


def test_insecure_selects_http_for_a_public_host() -> None:
    assert manifest_target("registry.example/app", "v1", insecure=True).scheme == "http"


def test_a_docker_hub_short_name_is_headed_at_index_docker_io_library() -> None:
    target = manifest_target("podinfo", "6.5.0")

    assert (target.name, target.manifest_url) == (
        "podinfo:6.5.0", "https://index.docker.io/v2/library/podinfo/manifests/6.5.0")


def test_a_tag_ggcr_rejects_gives_failed_parsing_reference() -> None:
    with pytest.raises(RegistryError) as caught:
        manifest_target("127.0.0.1:5000/team/app", "bad tag")

    assert str(caught.value) == (
        'failed parsing reference "127.0.0.1:5000/team/app:bad tag": '
        "could not parse reference: 127.0.0.1:5000/team/app:bad tag"
    )


def test_a_tag_with_a_digest_suffix_is_headed_by_the_digest_as_ggcr_parses_it() -> None:
    assert manifest_target("ghcr.io/team/app", f"v1@{DIGEST}").identifier == DIGEST


def test_an_unparsable_tag_fails_before_any_request() -> None:
    reference = parse_image_reference("127.0.0.1:1/team/app")

    with pytest.raises(RegistryError) as caught:
        fetch_manifest_digest(reference, "", deadline=0.0)

    assert str(caught.value) == (
        'failed parsing reference "127.0.0.1:1/team/app:": could not parse reference: 127.0.0.1:1/team/app:')


def test_the_message_names_the_image_as_written_when_given() -> None:
    reference = parse_image_reference("podinfo")

    with pytest.raises(RegistryError) as caught:
        fetch_manifest_digest(reference, "a b", deadline=0.0, image="podinfo")

    assert str(caught.value).startswith('failed parsing reference "podinfo:a b": ')


# -- headers -----------------------------------------------------------------------------------------


def test_a_complete_answer_gives_the_docker_content_digest() -> None:
    assert descriptor_digest(GOOD, URL) == DIGEST


def test_header_names_match_in_any_case() -> None:
    assert descriptor_digest({key.lower(): value for key, value in GOOD.items()}, URL) == DIGEST


def test_a_missing_content_type_gives_ggcrs_text() -> None:
    with pytest.raises(DescriptorError) as caught:
        descriptor_digest(_without("Content-Type"), URL)

    assert str(caught.value) == f"HEAD {URL}: response did not include Content-Type header"


def test_an_empty_content_type_counts_as_missing() -> None:
    with pytest.raises(DescriptorError, match="did not include Content-Type header"):
        descriptor_digest({**GOOD, "Content-Type": ""}, URL)


def test_a_missing_content_length_gives_ggcrs_text_with_its_get_verb() -> None:
    with pytest.raises(DescriptorError) as caught:
        descriptor_digest(_without("Content-Length"), URL)

    assert str(caught.value) == f"GET {URL}: response did not include Content-Length header"


def test_a_zero_content_length_is_accepted() -> None:
    assert descriptor_digest({**GOOD, "Content-Length": "0"}, URL) == DIGEST


def test_a_content_length_that_is_not_a_number_gives_gos_bad_content_length() -> None:
    with pytest.raises(DescriptorError) as caught:
        descriptor_digest({**GOOD, "Content-Length": "-1"}, URL)

    assert str(caught.value) == f'Head "{URL}": bad Content-Length "-1"'


def test_an_empty_content_length_gives_gos_invalid_empty_text() -> None:
    with pytest.raises(DescriptorError) as caught:
        descriptor_digest({**GOOD, "Content-Length": " "}, URL)

    assert str(caught.value) == f'Head "{URL}": invalid empty Content-Length ""'


def test_a_missing_docker_content_digest_gives_ggcrs_text() -> None:
    with pytest.raises(DescriptorError) as caught:
        descriptor_digest(_without("Docker-Content-Digest"), URL)

    assert str(caught.value) == f"HEAD {URL}: response did not include Docker-Content-Digest header"


def test_content_type_is_checked_before_the_digest() -> None:
    with pytest.raises(DescriptorError, match="Content-Type"):
        descriptor_digest({"Content-Length": "1"}, URL)


def test_an_invalid_docker_content_digest_gives_the_hash_error() -> None:
    with pytest.raises(DescriptorError) as caught:
        descriptor_digest({**GOOD, "Docker-Content-Digest": "sha256:xyz"}, URL)

    assert str(caught.value) == "found non-hex character in hash: x"


# -- v1.NewHash --------------------------------------------------------------------------------------


def test_a_sha256_with_64_lowercase_hex_digits_is_a_hash() -> None:
    assert parse_hash(DIGEST) == DIGEST


def test_a_hash_without_a_colon_cannot_be_parsed() -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_hash("0123")

    assert str(caught.value) == 'cannot parse hash: "0123"'


def test_a_hash_with_two_colons_cannot_be_parsed() -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_hash(f"sha256:{DIGEST}")

    assert str(caught.value) == f'cannot parse hash: "sha256:{DIGEST}"'


def test_uppercase_hex_is_a_non_hex_character() -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_hash(DIGEST.upper().replace("SHA256", "sha256"))

    assert str(caught.value) == "found non-hex character in hash: A"


def test_an_algorithm_other_than_sha256_is_unsupported() -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_hash("sha512:" + "ab" * 64)

    assert str(caught.value) == 'unsupported hash: "sha512"'


def test_hex_is_checked_before_the_algorithm() -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_hash("md5:zz")

    assert str(caught.value) == "found non-hex character in hash: z"


def test_a_short_sha256_has_the_wrong_number_of_hex_digits() -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_hash("sha256:abc")

    assert str(caught.value) == "wrong number of hex digits for sha256: abc"
