"""TLS for registry requests: the trusted roots and client certificate as one cached SSL context, and
the checks the controller makes of `certSecretRef` material, with Go's error texts.

See docs/behaviour.md, Registry access. Errors are `TLSMaterialError`s; `access` turns them into the
controller's `failed to parse TLS certificate and key: ...` and `failed to parse CA certificate`.
"""

from __future__ import annotations

import collections
import hashlib
import ssl
import threading

import certifi

from kubectl_imagerepo.registry.errors import RegistryError
from kubectl_imagerepo.registry.pem import Block, encode, pem_blocks

__all__ = [
    "MAX_CONTEXTS",
    "TLSMaterialError",
    "ca_bundle",
    "check_loadable",
    "key_pair",
    "tls_context",
]

#: Enough for every distinct certSecretRef a long-running `run` sees at once.
MAX_CONTEXTS = 64
#: TLS contexts by the digest of their CA and client certificate files, least recently used first.
_CONTEXTS: collections.OrderedDict[tuple[object, ...], ssl.SSLContext] = collections.OrderedDict()
_CONTEXTS_LOCK = threading.Lock()


class TLSMaterialError(ValueError):
    """The certSecretRef material is unusable; str() is the controller's message."""


def _file_identity(path: str) -> str:
    """The SHA-256 of the file's bytes: the same Secret written to a new temporary file hits the cache."""
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return f"unreadable:{path}"  # fails with the reader's error below


def tls_context(ca_file: str | None, client_cert: tuple[str, str] | None) -> ssl.SSLContext:
    """System roots plus certifi's plus `ca_file` (appended, as the controller appends to the system pool).

    Loading roots costs ~100 ms, so contexts are cached by the content of the CA and client certificate
    files (each scan writes them to new temporary files), at most `MAX_CONTEXTS` of them.

    Raises:
        RegistryError: `failed to parse CA certificate: ...` or
            `failed to parse TLS certificate and key: ...`.
    """
    key = (
        _file_identity(ca_file) if ca_file else None,
        tuple(_file_identity(path) for path in client_cert) if client_cert else None,
    )
    with _CONTEXTS_LOCK:
        cached = _CONTEXTS.get(key)
        if cached is not None:
            _CONTEXTS.move_to_end(key)
            return cached
        context = ssl.create_default_context()
        context.load_verify_locations(cafile=certifi.where())
        if ca_file:
            try:
                context.load_verify_locations(cafile=ca_file)
            except (OSError, ValueError) as error:
                raise RegistryError(f"failed to parse CA certificate: {_os_reason(error)}") from None
        if client_cert:
            try:
                context.load_cert_chain(certfile=client_cert[0], keyfile=client_cert[1])
            except (OSError, ValueError) as error:
                raise RegistryError(f"failed to parse TLS certificate and key: {_os_reason(error)}") from None
        _CONTEXTS[key] = context
        while len(_CONTEXTS) > MAX_CONTEXTS:
            _CONTEXTS.popitem(last=False)
        return context


def _os_reason(error: BaseException) -> str:
    if isinstance(error, ssl.SSLError) and error.reason:
        return str(error.reason).lower().replace("_", " ")
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error)


def ca_bundle(ca: bytes) -> bytes:
    """The certificates of a `ca.crt` value as Go's `AppendCertsFromPEM` takes them, re-encoded.

    Raises:
        TLSMaterialError: `failed to parse CA certificate` when it holds none.
    """
    certificates = [block.der for block in pem_blocks(ca)
                    if block.type == "CERTIFICATE" and not block.headers and _parses(block.der)]
    if not certificates:
        raise TLSMaterialError("failed to parse CA certificate")
    return b"".join(encode("CERTIFICATE", der) for der in certificates)


def key_pair(cert: bytes, key: bytes) -> tuple[bytes, bytes]:
    """Go's `tls.X509KeyPair` checks of a `tls.crt`/`tls.key` pair: (certificate chain PEM, key PEM).

    Raises:
        TLSMaterialError: `failed to parse TLS certificate and key: <Go's reason>`.
    """
    certificates, key_block = _find_key_pair(cert, key)
    if not _parses(certificates[0]):
        raise _pair_error("x509: malformed certificate")
    if key_block.type == "ENCRYPTED PRIVATE KEY" or key_block.headers:
        raise _pair_error("tls: failed to parse private key")
    return (b"".join(encode("CERTIFICATE", der) for der in certificates),
            encode(key_block.type, key_block.der))


def _pair_error(reason: str) -> TLSMaterialError:
    return TLSMaterialError(f"failed to parse TLS certificate and key: {reason}")


def _find_key_pair(cert_pem: bytes, key_pem: bytes) -> tuple[list[bytes], Block]:
    """The certificate chain and the key block, with Go's errors for missing or misplaced PEM blocks."""
    certificates, skipped = [], []
    for block in pem_blocks(cert_pem):
        if block.type == "CERTIFICATE":
            certificates.append(block.der)
        else:
            skipped.append(block.type)
    if not certificates:
        if not skipped:
            raise _pair_error("tls: failed to find any PEM data in certificate input")
        if len(skipped) == 1 and skipped[0].endswith("PRIVATE KEY"):
            raise _pair_error("tls: failed to find certificate PEM data in certificate input, but did find a "
                              "private key; PEM inputs may have been switched")
        raise _pair_error('tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping '
                          f"PEM blocks of the following types: [{' '.join(skipped)}]")
    skipped = []
    for block in pem_blocks(key_pem):
        if block.type == "PRIVATE KEY" or block.type.endswith(" PRIVATE KEY"):
            return certificates, block
        skipped.append(block.type)
    if not skipped:
        raise _pair_error("tls: failed to find any PEM data in key input")
    if skipped == ["CERTIFICATE"]:
        raise _pair_error("tls: found a certificate rather than a key in the PEM for the private key")
    raise _pair_error('tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after '
                      f"skipping PEM blocks of the following types: [{' '.join(skipped)}]")


class _NoPassword(Exception):
    pass


def _no_password() -> bytes:
    raise _NoPassword


def check_loadable(cert_file: str, key_file: str) -> None:
    """Load the pair as the registry client will; OpenSSL's complaints in Go's words."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_cert_chain(cert_file, key_file, password=_no_password)
    except _NoPassword:
        raise _pair_error("tls: failed to parse private key") from None
    except ssl.SSLError as error:
        reason = str(error.reason or "")
        if reason == "KEY_VALUES_MISMATCH":
            raise _pair_error("tls: private key does not match public key") from None
        if reason == "KEY_TYPE_MISMATCH":
            raise _pair_error("tls: private key type does not match public key type") from None
        raise _pair_error("tls: failed to parse private key") from None


def _parses(der: bytes) -> bool:
    """Whether `der` is an X.509 certificate OpenSSL can load."""
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=der)
    except (ssl.SSLError, ValueError):
        return False
    return True

