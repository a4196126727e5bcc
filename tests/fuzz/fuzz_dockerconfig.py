"""Fuzz pull Secret decoding: any payload gives a keychain or a SecretError free of the credential.

The fuzzed bytes are read as a `.dockerconfigjson` / `.dockercfg` payload, once base64-encoded in `data`
(as the API server returns it) and once as the raw `data` string (usually broken base64). A canary
credential is spliced into the payload; no error message may contain it, except inside the registry
address an invalid entry's message quotes (as the controller's does), since that is where the fuzzer put it.

Run: `python tests/fuzz/fuzz_dockerconfig.py -dict=tests/fuzz/dockerconfig.dict -max_total_time=60`.
"""

from __future__ import annotations

import base64
import sys

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports():
    from kubectl_imagerepo.registry.dockerconfig import (
        DOCKER_CONFIG_JSON_KEY,
        DOCKER_CONFIG_JSON_TYPE,
        DOCKERCFG_KEY,
        DOCKERCFG_TYPE,
        Keychain,
        SecretError,
    )

CANARY = "canary-Pa55w0rd-7f1d9c"
TYPES = ((DOCKER_CONFIG_JSON_TYPE, DOCKER_CONFIG_JSON_KEY), (DOCKERCFG_TYPE, DOCKERCFG_KEY))


ENTRY_PREFIX, ENTRY_SUFFIX = 'Entry "', '" in dockercfg invalid (parse "'


def _without_entry_name(message: str) -> str:
    """The message less the registry address it quotes: an address is what a user typed, not a credential."""
    if message.startswith(ENTRY_PREFIX) and ENTRY_SUFFIX in message:
        name = message[len(ENTRY_PREFIX) : message.index(ENTRY_SUFFIX)]
        return message.replace(name, "<entry>")
    return message


def _try(secret: dict[str, object]) -> None:
    try:
        Keychain.from_secrets([secret]).resolve("registry.example.com/team/app")
    except SecretError as bad:
        message = str(bad)
        if CANARY in _without_entry_name(message) or "\n" in message or not message:
            raise AssertionError(f"bad error message: {message!r}") from None


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    kind, key = TYPES[provider.ConsumeIntInRange(0, 1)]
    head = provider.ConsumeBytes(provider.ConsumeIntInRange(0, len(data)))
    payload = head + CANARY.encode() + provider.ConsumeBytes(len(data))
    meta = {"name": "pull", "namespace": "ns"}
    _try({"metadata": meta, "type": kind, "data": {key: base64.b64encode(payload).decode()}})
    _try({"metadata": meta, "type": kind, "data": {key: payload.decode("utf-8", "replace")}})
    _try({"metadata": meta, "type": kind, "stringData": {key: payload.decode("utf-8", "replace")}})


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
