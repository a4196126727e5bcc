"""Docker config pull Secrets, as the controller's keychain reads them.

See docs/behaviour.md, Registry access.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.dockerconfig import (
    DOCKER_CONFIG_JSON_TYPE,
    DOCKERCFG_TYPE,
    Keychain,
    SecretError,
    credentials_for,
    key_matches,
    normalize_key,
    secret_value,
)

HUB_TARGET = "index.docker.io/library/alpine"


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def secret(kind: str, data: dict[str, str], *, name: str = "pull", namespace: str = "ns") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "type": kind,
        "data": data,
    }


def config_json(auths: Any, **kwargs: Any) -> dict[str, Any]:
    """A `kubernetes.io/dockerconfigjson` Secret holding `{"auths": auths}`."""
    document = json.dumps({"auths": auths}).encode()
    return secret(DOCKER_CONFIG_JSON_TYPE, {".dockerconfigjson": b64(document)}, **kwargs)


def config_raw(document: str | bytes, **kwargs: Any) -> dict[str, Any]:
    """A `kubernetes.io/dockerconfigjson` Secret holding `document` as it is."""
    return secret(DOCKER_CONFIG_JSON_TYPE, {".dockerconfigjson": b64(document)}, **kwargs)


def login(user: str, password: str) -> dict[str, str]:
    return {"username": user, "password": password}


def error_of(secrets: list[dict[str, Any]]) -> str:
    with pytest.raises(SecretError) as caught:
        Keychain.from_secrets(secrets)
    return str(caught.value)


# -- which Secrets count --------------------------------------------------------------------------------


def test_dockerconfigjson_secret_gives_credentials_for_its_registry() -> None:
    pull = config_json({"ghcr.io": login("robot", "pw-1")})
    assert credentials_for([pull], "ghcr.io/org/app") == Credentials("robot", "pw-1")


def test_legacy_dockercfg_secret_is_the_auths_map_without_wrapper() -> None:
    document = json.dumps({"ghcr.io": login("robot", "pw-1")})
    legacy = secret(DOCKERCFG_TYPE, {".dockercfg": b64(document)})
    assert credentials_for([legacy], "ghcr.io/org/app") == Credentials("robot", "pw-1")


@pytest.mark.parametrize("kind", ["Opaque", "kubernetes.io/basic-auth", "kubernetes.io/tls", ""])
def test_secrets_of_other_types_are_ignored(kind: str) -> None:
    document = json.dumps({"auths": {"ghcr.io": login("robot", "pw-1")}})
    other = secret(kind, {".dockerconfigjson": b64(document), ".dockercfg": b64(document)})
    assert credentials_for([other], "ghcr.io/org/app") is None


def test_dockercfg_key_in_a_dockerconfigjson_secret_is_ignored() -> None:
    document = json.dumps({"ghcr.io": login("robot", "pw-1")})
    mixed = secret(DOCKER_CONFIG_JSON_TYPE, {".dockercfg": b64(document)})
    assert credentials_for([mixed], "ghcr.io/org/app") is None


def test_an_empty_dockerconfigjson_value_is_ignored_not_an_error() -> None:
    assert credentials_for([secret(DOCKER_CONFIG_JSON_TYPE, {".dockerconfigjson": ""})], "ghcr.io/a") is None


def test_string_data_of_a_manifest_is_read_like_data() -> None:
    manifest = {
        "metadata": {"name": "pull", "namespace": "ns"},
        "type": DOCKER_CONFIG_JSON_TYPE,
        "stringData": {".dockerconfigjson": json.dumps({"auths": {"ghcr.io": login("robot", "pw-1")}})},
    }
    assert credentials_for([manifest], "ghcr.io/org/app") == Credentials("robot", "pw-1")


def test_string_data_wins_over_data_as_the_api_server_merges_them() -> None:
    merged = secret("Opaque", {"address": b64("http://from-data")})
    merged["stringData"] = {"address": "http://from-string-data"}
    assert secret_value(merged, "address") == b"http://from-string-data"


def test_malformed_base64_in_the_secret_data_names_the_secret_and_the_key() -> None:
    broken = secret(DOCKER_CONFIG_JSON_TYPE, {".dockerconfigjson": "eyJh!!"}, name="pull", namespace="team")
    assert error_of([broken]) == (
        "secret 'team/pull': key '.dockerconfigjson': illegal base64 data at input byte 4"
    )


# -- authConfig fields ----------------------------------------------------------------------------------


def test_auth_field_overrides_username_and_password() -> None:
    entry = {"username": "ignored", "password": "ignored-too", "auth": b64("robot:pw-1")}
    assert credentials_for([config_json({"ghcr.io": entry})], "ghcr.io/a") == Credentials("robot", "pw-1")


def test_auth_field_is_split_at_the_first_colon() -> None:
    entry = {"auth": b64("robot:pw:with:colons")}
    found = credentials_for([config_json({"ghcr.io": entry})], "ghcr.io/a")
    assert found == Credentials("robot", "pw:with:colons")


def test_auth_field_without_padding_is_decoded_as_raw_base64() -> None:
    unpadded = b64("robot:pw").rstrip("=")
    assert unpadded != b64("robot:pw")
    found = credentials_for([config_json({"ghcr.io": {"auth": unpadded}})], "ghcr.io/a")
    assert found == Credentials("robot", "pw")


def test_identitytoken_becomes_the_identity_token() -> None:
    entry = {"username": "00000000-0000-0000-0000-000000000000", "identitytoken": "refresh-1"}
    found = credentials_for([config_json({"myacr.azurecr.io": entry})], "myacr.azurecr.io/app")
    assert found == Credentials(username="00000000-0000-0000-0000-000000000000", identity_token="refresh-1")


def test_registrytoken_becomes_the_bearer_token() -> None:
    pull = config_json({"reg.example:5000": {"registrytoken": "bearer-1"}})
    found = credentials_for([pull], "reg.example:5000/a")
    assert found == Credentials(token="bearer-1")


def test_email_and_unknown_fields_are_ignored() -> None:
    entry = {**login("robot", "pw"), "email": "robot@example.com", "serveraddress": "x"}
    assert credentials_for([config_json({"ghcr.io": entry})], "ghcr.io/a") == Credentials("robot", "pw")


def test_field_names_match_case_insensitively_as_in_go() -> None:
    document = json.dumps({"Auths": {"ghcr.io": {"USERNAME": "robot", "Password": "pw"}}})
    assert credentials_for([config_raw(document)], "ghcr.io/a") == Credentials("robot", "pw")


def test_auth_that_is_not_base64_fails_with_the_decoding_offset() -> None:
    assert error_of([config_json({"ghcr.io": {"auth": "cm9ib3Q6!!"}})]) == (
        "unable to decode auth field: illegal base64 data at input byte 8"
    )


def test_padded_auth_with_a_bad_length_fails_like_go() -> None:
    assert error_of([config_json({"ghcr.io": {"auth": "cm9ib3Q6c="}})]) == (
        "unable to decode auth field: illegal base64 data at input byte 9"
    )


def test_auth_without_a_colon_must_be_username_colon_password() -> None:
    assert error_of([config_json({"ghcr.io": {"auth": b64("no-colon-here")}})]) == (
        "unable to decode auth field: must be formatted as base64(username:password)"
    )


def test_a_bad_auth_fails_the_whole_keychain_even_for_another_registry() -> None:
    good_and_bad = config_json({"ghcr.io": login("robot", "pw"), "quay.io": {"auth": "%%%"}})
    with pytest.raises(SecretError):
        credentials_for([good_and_bad], "ghcr.io/a")


def test_a_bad_auth_in_a_later_secret_fails_too() -> None:
    first = config_json({"ghcr.io": login("robot", "pw")}, name="first")
    second = config_json({"quay.io": {"auth": b64("nocolon")}}, name="second")
    assert error_of([first, second]).startswith("unable to decode auth field: ")


def test_decoding_errors_quote_no_part_of_the_credentials() -> None:
    message = error_of([config_json({"ghcr.io": {"auth": "c2VjcmV0LXNlY3JldA!"}})])
    assert "c2VjcmV0" not in message
    assert "secret" not in message


def test_invalid_json_fails_with_gos_syntax_error() -> None:
    assert error_of([config_raw('{"auths": {"ghcr.io": }}')]) == (
        "invalid character '}' looking for beginning of value"
    )


def test_truncated_json_fails_with_unexpected_end() -> None:
    truncated = config_raw('{"auths": {"ghcr.io": {"username": "robot"')
    assert error_of([truncated]) == "unexpected end of JSON input"


def test_json_after_the_document_fails_as_go_does() -> None:
    assert error_of([config_raw('{"auths": {}} {}')]) == "invalid character '{' after top-level value"


def test_auths_of_the_wrong_type_fails_with_gos_type_error() -> None:
    assert error_of([config_raw('{"auths": "ghcr.io"}')]) == (
        "json: cannot unmarshal string into Go struct field dockerConfigJSON.Auths "
        "of type map[string]authn.AuthConfig"
    )


def test_an_entry_that_is_not_an_object_fails_with_gos_type_error() -> None:
    assert error_of([config_raw('{"auths": {"ghcr.io": ["robot"]}}')]) == (
        "json: cannot unmarshal array into Go value of type authn.authConfig"
    )


def test_a_field_of_the_wrong_type_fails_with_gos_type_error() -> None:
    assert error_of([config_raw('{"auths": {"ghcr.io": {"username": 7}}}')]) == (
        "json: cannot unmarshal number into Go struct field authConfig.username of type string"
    )


def test_a_dockercfg_that_is_not_an_object_fails_with_gos_type_error() -> None:
    legacy = secret(DOCKERCFG_TYPE, {".dockercfg": b64("[]")})
    assert error_of([legacy]) == (
        "json: cannot unmarshal array into Go value of type map[string]authn.AuthConfig"
    )


def test_null_values_leave_fields_empty() -> None:
    document = '{"auths": {"ghcr.io": {"username": "robot", "password": null}, "quay.io": null}}'
    assert credentials_for([config_raw(document)], "ghcr.io/a") == Credentials("robot", "")
    assert credentials_for([config_raw(document)], "quay.io/a") == Credentials()


# -- key normalisation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ("https://index.docker.io/v1/", "index.docker.io"),
        ("index.docker.io", "index.docker.io"),
        ("http://reg.io/v2/", "reg.io"),
        ("reg.io/", "reg.io"),
        ("reg.io:8083/repository/internal", "reg.io:8083/repository/internal"),
        ("https://reg.io/v2/team", "reg.io/team"),
        ("https://reg.io/v1", "reg.io/v1"),
        ("HTTPS://reg.io", "HTTPS://reg.io"),
        ("Reg.IO", "Reg.IO"),
        ("reg.io?query", "reg.io"),
    ],
)
def test_keys_are_normalised_to_host_port_and_path(entry: str, key: str) -> None:
    assert normalize_key(entry) == key


def test_an_unparsable_key_fails_with_the_url_error() -> None:
    with pytest.raises(SecretError) as caught:
        normalize_key("reg io")
    assert str(caught.value) == (
        'Entry "https://reg io" in dockercfg invalid '
        '(parse "https://reg io": invalid character " " in host name)'
    )


def test_a_key_with_a_bad_port_fails_with_the_url_error() -> None:
    assert error_of([config_json({"reg.io:port": login("robot", "pw")})]) == (
        'Entry "https://reg.io:port" in dockercfg invalid (parse "https://reg.io:port": '
        'invalid port ":port" after host)'
    )


# -- matching -------------------------------------------------------------------------------------------


def test_a_host_key_matches_every_repository_of_that_host() -> None:
    assert key_matches("ghcr.io", "ghcr.io/org/app")


def test_a_different_host_does_not_match() -> None:
    assert not key_matches("ghcr.io", "quay.io/org/app")


def test_a_star_glob_matches_one_label() -> None:
    assert key_matches("*.example.com", "a.example.com/app")


def test_a_glob_never_matches_a_different_number_of_labels() -> None:
    assert not key_matches("*.example.com", "a.b.example.com/app")
    assert not key_matches("*.example.com", "example.com/app")


@pytest.mark.parametrize(
    ("key", "host"),
    [("reg-[0-9].io", "reg-7.io"), ("reg-[a-c][x].io", "reg-bx.io"), ("r*g.io", "registry-reg.io")],
)
def test_labels_match_as_go_filepath_globs(key: str, host: str) -> None:
    assert key_matches(key, f"{host}/app")


def test_a_question_mark_starts_a_url_query_so_it_is_no_glob() -> None:
    assert normalize_key("reg-?.io") == "reg-"


def test_a_malformed_glob_matches_nothing() -> None:
    assert not key_matches("reg-[.io", "reg-[.io/app")


def test_ports_must_be_equal() -> None:
    assert key_matches("reg.io:5000", "reg.io:5000/app")
    assert not key_matches("reg.io:5000", "reg.io:5001/app")
    assert not key_matches("reg.io", "reg.io:5000/app")
    assert not key_matches("reg.io:5000", "reg.io/app")


def test_a_key_path_must_be_a_string_prefix_of_the_repository_path() -> None:
    assert key_matches("reg.io/team", "reg.io/team/app")
    assert key_matches("reg.io/team", "reg.io/teamwork/app")
    assert not key_matches("reg.io/team", "reg.io/other/app")
    assert not key_matches("reg.io/team/app/sub", "reg.io/team/app")


@pytest.mark.parametrize("key", ["index.docker.io", "https://index.docker.io/v1/", "*.docker.io"])
def test_docker_hub_keys_that_match_the_canonical_registry(key: str) -> None:
    found = credentials_for([config_json({key: login("robot", "pw")})], HUB_TARGET)
    assert found == Credentials("robot", "pw")


@pytest.mark.parametrize("key", ["docker.io", "https://docker.io", "registry-1.docker.io"])
def test_docker_hub_gotcha_these_keys_do_not_match(key: str) -> None:
    assert credentials_for([config_json({key: login("robot", "pw")})], HUB_TARGET) is None


def test_no_matching_key_means_anonymous() -> None:
    assert credentials_for([config_json({"ghcr.io": login("robot", "pw")})], "quay.io/a") is None


def test_an_ipv6_registry_with_a_port_is_matched_by_its_bracketed_key() -> None:
    pull = config_json({"[0:0:0:0:0:0:0:1]:5000": login("robot", "pw")})
    assert credentials_for([pull], "[0:0:0:0:0:0:0:1]:5000/team/app") == Credentials("robot", "pw")


# -- priority -------------------------------------------------------------------------------------------


def test_a_key_with_a_path_wins_over_the_bare_host() -> None:
    pull = config_json({"reg.io": login("host", "pw-h"), "reg.io/team": login("team", "pw-t")})
    assert credentials_for([pull], "reg.io/team/app") == Credentials("team", "pw-t")
    assert credentials_for([pull], "reg.io/other/app") == Credentials("host", "pw-h")


def test_keys_are_tried_in_reverse_lexicographic_order() -> None:
    pull = config_json({"*.reg.io": login("glob", "pw-g"), "a.reg.io": login("exact", "pw-e")})
    assert Keychain.from_secrets([pull]).keys == ("a.reg.io", "*.reg.io")
    assert credentials_for([pull], "a.reg.io/app") == Credentials("exact", "pw-e")


def test_a_glob_can_outrank_an_exact_key_by_byte_order() -> None:
    # '[' (0x5b) sorts after '1' (0x31), so the glob comes first in reverse order.
    pull = config_json({"a1.reg.io": login("exact", "pw-e"), "a[0-9].reg.io": login("glob", "pw-g")})
    assert credentials_for([pull], "a1.reg.io/app") == Credentials("glob", "pw-g")


def test_within_one_key_the_first_secret_wins() -> None:
    first = config_json({"ghcr.io": login("first", "pw-1")}, name="first")
    second = config_json({"ghcr.io": login("second", "pw-2")}, name="second")
    assert credentials_for([first, second], "ghcr.io/a") == Credentials("first", "pw-1")
    assert credentials_for([second, first], "ghcr.io/a") == Credentials("second", "pw-2")


def test_two_spellings_of_one_key_share_it_in_secret_order() -> None:
    first = config_json({"https://index.docker.io/v1/": login("first", "pw-1")}, name="first")
    second = config_json({"index.docker.io": login("second", "pw-2")}, name="second")
    assert Keychain.from_secrets([first, second]).keys == ("index.docker.io",)
    assert credentials_for([first, second], HUB_TARGET) == Credentials("first", "pw-1")


def test_a_more_specific_key_in_a_later_secret_still_wins() -> None:
    first = config_json({"reg.io": login("first", "pw-1")}, name="first")
    second = config_json({"reg.io/team": login("second", "pw-2")}, name="second")
    assert credentials_for([first, second], "reg.io/team/app") == Credentials("second", "pw-2")


def test_the_keychain_repr_shows_keys_only() -> None:
    keychain = Keychain.from_secrets([config_json({"ghcr.io": login("robot", "pw-never-shown")})])
    assert "pw-never-shown" not in repr(keychain)
    assert "ghcr.io" in repr(keychain)
