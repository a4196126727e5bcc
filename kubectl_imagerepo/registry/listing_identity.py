"""When two objects' listings would be the same requests: the identity a shared listing is keyed by.

The same canonical image and the same resolved access, compared by value: the credentials themselves
(not the Secret's name), the bytes of the CA bundle and of the client certificate and key, the proxy,
`insecure`, and the provider with the identity it logs in as. Anything that differs makes another
identity, so a tenant without credentials never gets another tenant's listing (docs/behaviour.md,
Shared listings and registry limits). The identity is a digest: it holds no secret.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubectl_imagerepo.model.reference import ImageReference
    from kubectl_imagerepo.registry.access import RegistryAccess

__all__ = ["listing_identity"]


def listing_identity(reference: ImageReference, access: RegistryAccess) -> str:
    """A digest of everything that decides what listing `reference`'s tags with `access` returns."""
    cloud = access.cloud
    parts = {
        "image": reference.canonical_name,
        "insecure": reference.insecure,
        "credentials": None if access.credentials is None else access.credentials.fingerprint,
        "ca": _file_digest(access.ca_file),
        "client": None if access.client_cert is None else [_file_digest(p) for p in access.client_cert],
        "proxies": None if access.proxies is None else sorted(access.proxies.items()),
        "provider": None if cloud is None else cloud.provider,
        "registry": None if cloud is None else cloud.registry,
        "workload": None if cloud is None or cloud.workload is None else cloud.workload.label,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _file_digest(path: str | None) -> str | None:
    """The digest of a file's bytes (the TLS material is written to a private file per object)."""
    if path is None:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return f"unreadable:{path}"  # never equal to another object's file
