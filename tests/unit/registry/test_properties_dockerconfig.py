"""Properties of pull Secret decoding, over generated Secrets (hypothesis).

Each generated Secret hides a canary credential; whatever the Secret holds, reading it either works or
fails with a one-line `SecretError` that never contains the canary.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubectl_imagerepo.registry.dockerconfig import (
    DOCKER_CONFIG_JSON_KEY,
    DOCKER_CONFIG_JSON_TYPE,
    DOCKERCFG_KEY,
    DOCKERCFG_TYPE,
    Keychain,
    SecretError,
    secret_value,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CANARY = "canary-Pa55w0rd-7f1d9c"
CANARY_B64 = base64.b64encode(f"user:{CANARY}".encode()).decode()
TARGET = "registry.example.com/team/app"

_JSON_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
)
_CREDENTIAL = st.sampled_from(
    [CANARY, CANARY_B64, CANARY_B64.rstrip("="), CANARY_B64[:-3] + "!", f"{CANARY}:x", ""]
)
_FIELD = st.sampled_from(["username", "password", "auth", "identitytoken", "registrytoken", "email", "AUTH"])
_AUTH_CONFIG = st.one_of(
    st.dictionaries(_FIELD, st.one_of(_CREDENTIAL, _JSON_SCALAR), max_size=5),
    _JSON_SCALAR,
    st.lists(_CREDENTIAL, max_size=2),
)
_REGISTRY_KEY = st.one_of(
    st.sampled_from(["registry.example.com", "https://index.docker.io/v1/", "*.example.com:5000/team"]),
    st.text(alphabet="abc.:/*[]%?#@ -", max_size=16),
)
_AUTHS = st.one_of(st.dictionaries(_REGISTRY_KEY, _AUTH_CONFIG, max_size=4), _JSON_SCALAR)
_DOCUMENT = st.one_of(
    st.builds(lambda auths: {"auths": auths}, _AUTHS),
    _AUTHS,
    st.dictionaries(st.sampled_from(["auths", "Auths", "credsStore"]), _AUTHS, max_size=2),
)


def _serialize(document: Any, cut: int | None) -> bytes:
    raw = json.dumps(document).encode()
    return raw if cut is None else raw[:cut]  # a cut document is a JSON syntax error


@st.composite
def payloads(draw: st.DrawFn) -> bytes:
    """The bytes of a docker config: JSON with the canary, cut JSON, or raw bytes around the canary."""
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return _serialize(draw(_DOCUMENT), None)
    if choice == 1:
        raw = _serialize(draw(_DOCUMENT), None)
        return raw[: draw(st.integers(0, len(raw)))]
    return draw(st.binary(max_size=30)) + CANARY.encode() + draw(st.binary(max_size=30))


@st.composite
def secrets(draw: st.DrawFn) -> dict[str, Any]:
    """A Secret of any type, holding its payload in `data` (base64, maybe broken) or `stringData`."""
    kind = draw(st.sampled_from([DOCKER_CONFIG_JSON_TYPE, DOCKERCFG_TYPE, "Opaque", None]))
    key = draw(st.sampled_from([DOCKER_CONFIG_JSON_KEY, DOCKERCFG_KEY]))
    payload = draw(payloads())
    encoded = base64.b64encode(payload).decode()
    value: Any = draw(
        st.sampled_from(
            [
                encoded,
                encoded.rstrip("="),  # unpadded: illegal in a Secret's data
                encoded + "\n",
                CANARY,  # not base64 at all
                f"{encoded[:4]}!{CANARY}",
            ]
        )
        | _JSON_SCALAR
    )
    section = draw(st.sampled_from(["data", "stringData"]))
    if section == "stringData" and isinstance(value, str):
        value = payload.decode("utf-8", "replace")
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "pull", "namespace": "ns"},
        section: {key: value},
    }
    if kind is not None:
        obj["type"] = kind
    return obj


@SETTINGS
@given(st.lists(secrets(), min_size=1, max_size=3))
def test_reading_secrets_fails_only_with_a_secret_error_free_of_the_credential(
    pull: list[dict[str, Any]],
) -> None:
    try:
        keychain = Keychain.from_secrets(pull)
    except SecretError as bad:
        message = str(bad)
        assert message and "\n" not in message
        assert CANARY not in message and CANARY_B64.rstrip("=") not in message
        assert CANARY not in repr(bad)
        return
    keychain.resolve(TARGET)  # must not raise either
    assert CANARY not in repr(keychain)


@SETTINGS
@given(secrets())
def test_a_bad_secret_value_is_named_by_secret_and_key_without_the_value(secret: dict[str, Any]) -> None:
    for key in (DOCKER_CONFIG_JSON_KEY, DOCKERCFG_KEY):
        try:
            secret_value(secret, key)
        except SecretError as bad:
            message = str(bad)
            assert message.startswith(f"secret 'ns/pull': key '{key}': "), message
            assert CANARY not in message and "\n" not in message


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_as_a_config_give_a_keychain_or_a_secret_error(raw: bytes) -> None:
    for kind, key in ((DOCKER_CONFIG_JSON_TYPE, DOCKER_CONFIG_JSON_KEY), (DOCKERCFG_TYPE, DOCKERCFG_KEY)):
        secret = {"metadata": {"name": "pull", "namespace": "ns"}, "type": kind}
        secret["data"] = {key: base64.b64encode(raw).decode()}
        try:
            Keychain.from_secrets([secret]).resolve(TARGET)
        except SecretError as bad:
            assert str(bad) and "\n" not in str(bad)
