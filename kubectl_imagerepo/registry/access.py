"""How to reach an ImageRepository's registry: proxy, TLS and credentials (spec section 4).

`resolve_access()` builds what the controller's `GetOptions` builds, in the same order and with the same
error texts: the proxy from `spec.proxySecretRef`, the provider check, the TLS material of
`spec.certSecretRef`, then the static credentials of `spec.secretRef` and the ServiceAccount's
`imagePullSecrets`. Unlike the controller (project decision 0.2 item 1), one Secret may serve as both
`secretRef` and `certSecretRef`.

The TLS material is checked here, as the controller checks it before any request, and then written to
files (mode 0600, in a private temporary directory) because the registry client loads certificates from
files; `RegistryAccess.close()` removes them. Credentials never reach a message, a log line or a repr.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from kubectl_imagerepo.model.imagerepository import CLOUD_PROVIDERS, GENERIC_PROVIDER
from kubectl_imagerepo.registry.dockerconfig import (
    Base64Error,
    GoURLError,
    Keychain,
    SecretError,
    go_base64_decode,
    go_quote,
    parse_go_url,
    secret_keys,
    secret_label,
    secret_value,
)

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.model.imagerepository import ImageRepository
    from kubectl_imagerepo.model.reference import ImageReference
    from kubectl_imagerepo.registry.cloud import CloudLogin
    from kubectl_imagerepo.registry.tags import Credentials

__all__ = [
    "ANONYMOUS",
    "AuthError",
    "ClusterSecrets",
    "FileSecrets",
    "RegistryAccess",
    "SecretSource",
    "resolve_access",
]

logger = logging.getLogger(__name__)

PROXY_SCHEMES = ("http", "https", "socks5")
MAX_PROXY_URL_LENGTH = 2048
#: (standard key, legacy fall-back) of a certSecretRef Secret.
TLS_CERT_KEYS = ("tls.crt", "certFile")
TLS_KEY_KEYS = ("tls.key", "keyFile")
CA_KEYS = ("ca.crt", "caFile")
LEGACY_KEY_WARNING = "using legacy key in secret data"
_EMPTY_NAME = "resource name may not be empty"


class AuthError(Exception):
    """The registry options cannot be built; str() is the controller's message (never a credential)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class SecretSource(Protocol):
    """Where Secrets and ServiceAccounts are read from: the cluster, or the manifests of a file.

    Both methods return the object (as the API server returns it), or None when it does not exist, and
    raise `AuthError` with the API's message for any other failure.
    """

    def secret(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        """The Secret `namespace/name`, or None."""
        ...

    def service_account(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        """The ServiceAccount `namespace/name`, or None."""
        ...


class ClusterSecrets:
    """Secrets and ServiceAccounts read from the API server with the user's own permissions."""

    def __init__(self, kube: Kube) -> None:
        self.kube = kube

    def secret(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self._get(namespace, "secrets", name)

    def service_account(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self._get(namespace, "serviceaccounts", name)

    def service_account_token(self, namespace: str, name: str, audience: str) -> str:
        """A short-lived token of the ServiceAccount for `audience`, from the TokenRequest API."""
        from kubectl_imagerepo.kube.client import ApiError
        from kubectl_imagerepo.model.errors import CommandError

        path = f"/api/v1/namespaces/{quote(namespace, safe='')}/serviceaccounts/{quote(name, safe='')}/token"
        request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                   "spec": {"audiences": [audience], "expirationSeconds": 3600}}
        try:
            answer = self.kube.post(path, request)
        except ApiError as failure:
            raise AuthError(failure.message) from None
        except CommandError as failure:
            raise AuthError(str(failure).removeprefix("error: ")) from None
        token = (answer.get("status") or {}).get("token") if isinstance(answer, Mapping) else None
        if not isinstance(token, str) or not token:
            raise AuthError("the TokenRequest API returned no token")
        return token

    def _get(self, namespace: str, plural: str, name: str) -> Mapping[str, Any] | None:
        from kubectl_imagerepo.kube.client import ApiError
        from kubectl_imagerepo.model.errors import CommandError

        path = f"/api/v1/namespaces/{quote(namespace, safe='')}/{plural}/{quote(name, safe='')}"
        try:
            found = self.kube.get(path)
        except ApiError as failure:
            if failure.not_found:
                return None
            raise AuthError(failure.message) from None
        except CommandError as failure:
            raise AuthError(str(failure).removeprefix("error: ")) from None
        return found if isinstance(found, Mapping) else None


class FileSecrets:
    """Secrets (and ServiceAccounts) found in the manifests given to `reconcile -f`.

    Objects without a namespace belong to `default`; a later object replaces an earlier one of the same
    name, as applying the file would.
    """

    def __init__(
        self, secrets: Iterable[Mapping[str, Any]], service_accounts: Iterable[Mapping[str, Any]] = ()
    ) -> None:
        self._secrets = _index(secrets)
        self._service_accounts = _index(service_accounts)

    def __repr__(self) -> str:
        return f"FileSecrets(secrets={sorted(self._secrets)!r})"

    def secret(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self._secrets.get((namespace, name))

    def service_account(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self._service_accounts.get((namespace, name))


def _index(objects: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Mapping[str, Any]]:
    found: dict[tuple[str, str], Mapping[str, Any]] = {}
    for obj in objects:
        meta = obj.get("metadata")
        if isinstance(meta, Mapping) and meta.get("name"):
            found[(str(meta.get("namespace") or "default"), str(meta["name"]))] = obj
    return found


@dataclass(frozen=True, repr=False)
class RegistryAccess:
    """What the tag lister needs to reach a registry, as `registry.list_tags` takes it.

    Attributes:
        credentials: The static credentials, or None for anonymous access.
        ca_file: A PEM file of CA certificates trusted besides the system's, or None.
        client_cert: (certificate file, key file) for mutual TLS, or None.
        proxies: requests-style proxies replacing the environment's, or None for the environment's.
        directory: The private temporary directory holding the files; `close()` removes it.
        cloud: For a cloud provider, how to get the credentials when the scan needs them (`credentials`
            is then None); see `kubectl_imagerepo.registry.cloud`.

    Use it as a context manager, or call `close()` once the scan is over.
    """

    credentials: Credentials | None = None
    ca_file: str | None = None
    client_cert: tuple[str, str] | None = None
    proxies: Mapping[str, str] | None = None
    directory: str | None = field(default=None, compare=False)
    cloud: CloudLogin | None = None

    def __repr__(self) -> str:
        from kubectl_imagerepo.registry.tags import redact_url

        proxies = None if self.proxies is None else {k: redact_url(v) for k, v in self.proxies.items()}
        return (
            f"RegistryAccess(credentials={self.credentials!r}, ca_file={self.ca_file!r}, "
            f"client_cert={self.client_cert!r}, proxies={proxies!r}, cloud={self.cloud!r})"
        )

    __str__ = __repr__

    def close(self) -> None:
        """Remove the temporary files, if any."""
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> RegistryAccess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def scan_tags(
    reference: ImageReference,
    access: RegistryAccess,
    deadline: float,
    progress: Callable[[int, int], None] | None,
) -> list[str]:
    """List the tags of `reference` with the object's credentials, TLS and proxy: the reconciler's lister.

    A cloud provider's credentials are fetched here, as the scan starts; their failures are the scan's.
    """
    from kubectl_imagerepo.registry.tags import list_tags as registry_list_tags

    credentials = access.credentials if access.cloud is None else access.cloud.credentials()
    return registry_list_tags(
        reference,
        deadline=deadline,
        credentials=credentials,
        ca_file=access.ca_file,
        client_cert=access.client_cert,
        proxies=access.proxies,
        progress=progress,
    )


#: Anonymous access through the environment's proxies and the system's CAs.
ANONYMOUS = RegistryAccess()


def resolve_access(source: SecretSource, repo: ImageRepository, reference: ImageReference) -> RegistryAccess:
    """Build the access options of `repo` as the controller does, with its error texts.

    The steps, in the controller's order:

    1. `spec.proxySecretRef`: `address` (http, https or socks5), optional `username`/`password`.
    2. The provider: `generic` uses the static credentials below. Cloud providers (`aws`, `azure`,
       `gcp`) skip them and get a `CloudLogin` whose credentials are fetched during the scan (a host
       mismatch or a cloud error fails the scan); a missing SDK extra is an error here. Any other
       provider is an error.
    3. `spec.certSecretRef`: `ca.crt` and/or `tls.crt` with `tls.key` (or the legacy `caFile`,
       `certFile`, `keyFile`, with a warning), checked and written to private temporary files.
    4. The pull Secrets, `spec.secretRef` then the ServiceAccount's `imagePullSecrets`, looked up for
       `reference`'s canonical name.

    TLS verification is never turned off; `spec.insecure` only selects plain HTTP (in `reference`).

    Raises:
        AuthError: e.g. `secrets "pull" not found`, `serviceaccount 'ns/sa' not found`,
            `secret 'ns/certs' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'`.
    """
    builder = _Builder(source, repo.namespace)
    try:
        return builder.build(repo, reference)
    except SecretError as bad:
        builder.discard()
        raise AuthError(str(bad)) from None
    except BaseException:
        builder.discard()
        raise


class _Builder:
    def __init__(self, source: SecretSource, namespace: str) -> None:
        self.source = source
        self.namespace = namespace
        self.fetched: dict[str, Mapping[str, Any]] = {}
        self.directory: str | None = None

    def discard(self) -> None:
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def build(self, repo: ImageRepository, reference: ImageReference) -> RegistryAccess:
        proxies = None
        if repo.proxy_secret_ref is not None:
            proxy = _proxy_url(self.flux_secret(repo.proxy_secret_ref))
            proxies = {"http": proxy, "https": proxy}

        provider = repo.effective_provider()
        if provider != GENERIC_PROVIDER and provider not in CLOUD_PROVIDERS:
            raise AuthError(f"provider '{provider}' not implemented")
        if provider in CLOUD_PROVIDERS:
            from kubectl_imagerepo.registry.cloud import missing_extra

            missing = missing_extra(provider)
            if missing is not None:
                raise AuthError(missing)

        ca_file, client_cert = None, None
        if repo.cert_secret_ref is not None:
            ca_file, client_cert = self.tls_files(self.client_get(repo.cert_secret_ref))

        credentials = None
        if provider == GENERIC_PROVIDER:
            pull: list[Mapping[str, Any]] = []
            if repo.secret_ref is not None:
                pull.append(self.client_get(repo.secret_ref))
            if repo.service_account_name:
                pull += self.service_account_pull_secrets(repo.service_account_name)
            if pull:
                credentials = Keychain.from_secrets(pull).resolve(reference.canonical_name)
        cloud = None
        if provider in CLOUD_PROVIDERS:
            cloud = _cloud_login(self.source, repo, reference, provider, proxies, ca_file)

        return RegistryAccess(
            credentials=credentials,
            ca_file=ca_file,
            client_cert=client_cert,
            proxies=proxies,
            directory=self.directory,
            cloud=cloud,
        )

    # -- reading objects, with the controller's wording for each kind of read ------------------------

    def fetch(self, name: str) -> Mapping[str, Any] | None:
        if not name:
            raise AuthError(_EMPTY_NAME)
        return self.source.secret(self.namespace, name)

    def client_get(self, name: str) -> Mapping[str, Any]:
        """A plain client Get (secretRef, certSecretRef): the API's error as it is; each Secret read once."""
        if name not in self.fetched:
            secret = self.fetch(name)
            if secret is None:
                raise AuthError(f'secrets "{name}" not found')
            self.fetched[name] = secret
        return self.fetched[name]

    def flux_secret(self, name: str) -> Mapping[str, Any]:
        """fluxcd/pkg's `getSecret` (proxy, pull secrets of a ServiceAccount)."""
        ref = f"{self.namespace}/{name}"
        try:
            secret = self.fetch(name)
        except AuthError as failure:
            raise AuthError(f"failed to get secret '{ref}': {failure}") from None
        if secret is None:
            raise AuthError(f"secret '{ref}' not found")
        return secret

    def service_account_pull_secrets(self, name: str) -> list[Mapping[str, Any]]:
        ref = f"{self.namespace}/{name}"
        try:
            account = self.source.service_account(self.namespace, name)
        except AuthError as failure:
            raise AuthError(f"failed to get serviceaccount '{ref}': {failure}") from None
        if account is None:
            raise AuthError(f"serviceaccount '{ref}' not found")
        secrets = []
        for item in account.get("imagePullSecrets") or []:
            secret_name = str(item.get("name") or "") if isinstance(item, Mapping) else ""
            try:
                secrets.append(self.flux_secret(secret_name))
            except AuthError as failure:
                raise AuthError(
                    f"failed to get image pull secret for serviceaccount '{ref}': {failure}"
                ) from None
        return secrets

    # -- TLS -----------------------------------------------------------------------------------------

    def tls_files(self, secret: Mapping[str, Any]) -> tuple[str | None, tuple[str, str] | None]:
        """Check the TLS material of a certSecretRef Secret and write it to private files."""
        label = secret_label(secret)
        cert = _tls_value(secret, *TLS_CERT_KEYS)
        key = _tls_value(secret, *TLS_KEY_KEYS)
        ca = _tls_value(secret, *CA_KEYS)
        if bool(cert) != bool(key):
            present, missing = ("tls.crt", "tls.key") if cert else ("tls.key", "tls.crt")
            raise AuthError(f"secret '{label}' contains '{present}' but missing '{missing}'")
        if not cert and not ca:
            raise AuthError(f"secret '{label}' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'")
        client_cert = None
        if cert and key:
            client_cert = self.key_pair_files(cert, key)
        ca_file = None
        if ca:
            certificates = [block.der for block in _pem_blocks(ca)
                            if block.type == "CERTIFICATE" and not block.headers and _parses(block.der)]
            if not certificates:
                raise AuthError("failed to parse CA certificate")
            ca_file = self.write("ca.crt", b"".join(_pem("CERTIFICATE", der) for der in certificates))
        return ca_file, client_cert

    def key_pair_files(self, cert: bytes, key: bytes) -> tuple[str, str]:
        """Go's `tls.X509KeyPair` checks, then OpenSSL's, on the files handed to the registry client."""
        certificates, key_block = _find_key_pair(cert, key)
        if not _parses(certificates[0]):
            raise _pair_error("x509: malformed certificate")
        if key_block.type == "ENCRYPTED PRIVATE KEY" or key_block.headers:
            raise _pair_error("tls: failed to parse private key")
        cert_file = self.write("tls.crt", b"".join(_pem("CERTIFICATE", der) for der in certificates))
        key_file = self.write("tls.key", _pem(key_block.type, key_block.der))
        _check_loadable(cert_file, key_file)
        return cert_file, key_file

    def write(self, name: str, content: bytes) -> str:
        if self.directory is None:
            self.directory = tempfile.mkdtemp(prefix="kubectl-imagerepo-tls-")
        path = os.path.join(self.directory, name)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
        return path


def _cloud_login(
    source: SecretSource,
    repo: ImageRepository,
    reference: ImageReference,
    provider: str,
    proxies: Mapping[str, str] | None,
    ca_file: str | None,
) -> CloudLogin:
    from kubectl_imagerepo.registry.cloud import CloudLogin, Workload
    from kubectl_imagerepo.registry.cloud_hosts import provider_registry

    workload = Workload(repo.namespace, repo.service_account_name) if repo.service_account_name else None
    return CloudLogin(provider, provider_registry(repo.image, reference.registry), source, workload,
                      proxies, ca_file)


def _tls_value(secret: Mapping[str, Any], key: str, legacy: str) -> bytes | None:
    """The value of `key`, else of its legacy name (with the controller's warning), else None."""
    keys = secret_keys(secret)
    if key in keys:
        return secret_value(secret, key)
    if legacy in keys:
        logger.warning("%s (secret '%s', key '%s', preferred '%s')", LEGACY_KEY_WARNING, secret_label(secret),
                       legacy, key)
        return secret_value(secret, legacy)
    return None


def _pair_error(reason: str) -> AuthError:
    return AuthError(f"failed to parse TLS certificate and key: {reason}")


def _find_key_pair(cert_pem: bytes, key_pem: bytes) -> tuple[list[bytes], _Block]:
    """The certificate chain and the key block, with Go's errors for missing or misplaced PEM blocks."""
    certificates, skipped = [], []
    for block in _pem_blocks(cert_pem):
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
    for block in _pem_blocks(key_pem):
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


def _check_loadable(cert_file: str, key_file: str) -> None:
    """Load the pair as the registry client will; OpenSSL's complaints in Go's words."""
    import ssl

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
    import ssl

    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=der)
    except (ssl.SSLError, ValueError):
        return False
    return True


def _pem(kind: str, der: bytes) -> bytes:
    body = base64.b64encode(der)
    lines = b"\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return b"-----BEGIN " + kind.encode() + b"-----\n" + lines + b"\n-----END " + kind.encode() + b"-----\n"


# --------------------------------------------------------------------------------------------------
# PEM blocks, found as Go's encoding/pem.Decode finds them


@dataclass(frozen=True, repr=False)
class _Block:
    type: str
    headers: dict[str, str]
    der: bytes

    def __repr__(self) -> str:
        return f"_Block(type={self.type!r})"


_BEGIN, _END, _DASHES = b"\n-----BEGIN ", b"\n-----END ", b"-----"


def _pem_blocks(data: bytes) -> list[_Block]:
    blocks = []
    while data:
        block, data = _pem_decode(data)
        if block is None:
            break
        blocks.append(block)
    return blocks


def _get_line(data: bytes) -> tuple[bytes, bytes]:
    end = data.find(b"\n")
    if end < 0:
        return data.rstrip(b" \t"), b""
    line_end = end - 1 if end > 0 and data[end - 1] == ord("\r") else end
    return data[:line_end].rstrip(b" \t"), data[end + 1 :]


def _pem_decode(data: bytes) -> tuple[_Block | None, bytes]:
    """The first valid PEM block of `data` and what follows it, or (None, data)."""
    rest = data
    while True:
        if rest.startswith(_BEGIN[1:]):
            rest = rest[len(_BEGIN) - 1 :]
        else:
            found = rest.find(_BEGIN)
            if found < 0:
                return None, data
            rest = rest[found + len(_BEGIN) :]
        type_line, rest = _get_line(rest)
        if not type_line.endswith(_DASHES):
            continue
        kind = type_line[: -len(_DASHES)]
        headers: dict[str, str] = {}
        while True:
            if not rest:
                return None, data
            line, following = _get_line(rest)
            name, colon, value = line.partition(b":")
            if not colon:
                break
            headers[name.strip().decode("latin-1")] = value.strip().decode("latin-1")
            rest = following
        if not headers and rest.startswith(_END[1:]):
            end, trailer_at = 0, len(_END) - 1
        else:
            end = rest.find(_END)
            trailer_at = end + len(_END)
        if end < 0:
            continue
        trailer_length = len(kind) + len(_DASHES)
        trailer = rest[trailer_at : trailer_at + trailer_length]
        if len(trailer) < trailer_length or not trailer.startswith(kind) or not trailer.endswith(_DASHES):
            continue
        if _get_line(rest[trailer_at + trailer_length :])[0]:
            continue
        body = rest[:end].replace(b" ", b"").replace(b"\t", b"")
        try:
            der = go_base64_decode(body.decode("latin-1"))
        except Base64Error:
            continue
        following = _get_line(rest[end + len(_END) - 1 :])[1]
        return _Block(kind.decode("latin-1"), headers, der), following


# --------------------------------------------------------------------------------------------------
# The proxy


def _proxy_url(secret: Mapping[str, Any]) -> str:
    """fluxcd/pkg's `ProxyURLFromSecret`: the proxy URL with the Secret's user info, for requests."""
    label = secret_label(secret)
    raw = secret_value(secret, "address")
    if raw is None:
        raise AuthError(f"secret '{label}': key 'address' not found")
    address = raw.decode("utf-8", "replace")
    if not address:
        raise AuthError(f"secret '{label}': proxy address is empty")
    if len(raw) > MAX_PROXY_URL_LENGTH:
        raise AuthError(
            f"secret '{label}': proxy URL exceeds maximum length of {MAX_PROXY_URL_LENGTH} characters"
        )
    try:
        parsed = parse_go_url(address)
    except GoURLError as bad:
        shown = _redact_address(address)
        reason = _scrub_reason(bad.reason, address)
        raise AuthError(
            f"secret '{label}': failed to parse proxy address '{shown}': "
            f"parse {go_quote(shown.partition('#')[0])}: {reason}"
        ) from None
    if parsed.scheme not in PROXY_SCHEMES:
        raise AuthError(
            f"secret '{label}': proxy URL must use one of the supported schemes "
            f"({', '.join(PROXY_SCHEMES)}), got '{parsed.scheme}'"
        )
    username = secret_value(secret, "username")
    password = secret_value(secret, "password")
    prefix_length = address.index(":") + 3
    if username is None or parsed.opaque or address[prefix_length - 2 : prefix_length] != "//":
        return address
    userinfo = quote(username.decode("utf-8", "replace"), safe="")
    if password is not None:
        userinfo += ":" + quote(password.decode("utf-8", "replace"), safe="")
    authority = address[prefix_length : parsed.authority_end]
    host = authority[authority.rfind("@") + 1 :]
    return f"{address[:prefix_length]}{userinfo}@{host}{address[parsed.authority_end:]}"


def _userinfo_password(address: str) -> str:
    start = address.find("//")
    if start < 0:
        return ""
    authority = address[start + 2 :].partition("/")[0].partition("?")[0].partition("#")[0]
    at = authority.rfind("@")
    return authority[:at].partition(":")[2] if at >= 0 else ""


def _redact_address(address: str) -> str:
    """The address with the password of its user info replaced by `xxxxx`, as Go's `URL.Redacted`."""
    start = address.find("//")
    if start < 0:
        return address
    end = start + 2
    while end < len(address) and address[end] not in "/?#":
        end += 1
    authority = address[start + 2 : end]
    at = authority.rfind("@")
    if at < 0 or ":" not in authority[:at]:
        return address
    user = authority[:at].partition(":")[0]
    return f"{address[: start + 2]}{user}:xxxxx{authority[at:]}{address[end:]}"


def _scrub_reason(reason: str, address: str) -> str:
    """A url.Parse reason without any part of the address's password (an escape quoted from it)."""
    password = _userinfo_password(address)
    if not password:
        return reason
    head, quote_mark, tail = reason.partition('"')
    quoted, closing, rest = tail.partition('"')
    if quote_mark and closing and quoted and quoted in password:
        return f'{head}"xxxxx"{rest}'
    return reason
