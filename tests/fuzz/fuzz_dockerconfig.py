"""Fuzz pull Secret decoding: any payload gives a keychain or a SecretError free of the credential.

The fuzzed bytes are read as a `.dockerconfigjson` / `.dockercfg` payload, once base64-encoded in `data`
(as the API server returns it) and once as the raw `data` string (usually broken base64). A canary
credential is spliced into the payload; no error message may contain it.

Run: `python tests/fuzz/fuzz_dockerconfig.py -dict=tests/fuzz/dockerconfig.dict -max_total_time=60`.
"""

from __future__ import annotations

import base64
import sys

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports():
    from kubectl_imagerepo.dockerconfig import (
        DOCKER_CONFIG_JSON_KEY,
        DOCKER_CONFIG_JSON_TYPE,
        DOCKERCFG_KEY,
        DOCKERCFG_TYPE,
        Keychain,
        SecretError,
    )

CANARY = "canary-Pa55w0rd-7f1d9c"
TYPES = ((DOCKER_CONFIG_JSON_TYPE, DOCKER_CONFIG_JSON_KEY), (DOCKERCFG_TYPE, DOCKERCFG_KEY))


def _try(secret: dict[str, object]) -> None:
    try:
        Keychain.from_secrets([secret]).resolve("registry.example.com/team/app")
    except SecretError as bad:
        message = str(bad)
        if CANARY in message or "\n" in message or not message:
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
