"""How to reach an ImageRepository's registry: proxy, TLS, credentials (docs/behaviour.md, Registry access).

`resolve_access()` builds what the controller's `GetOptions` builds, in the same order and with the same
error texts: the proxy from `spec.proxySecretRef`, the provider check, the TLS material of
`spec.certSecretRef`, then the static credentials of `spec.secretRef` and the ServiceAccount's
`imagePullSecrets`. Unlike the controller, one Secret may serve as both `secretRef` and `certSecretRef`
(see docs/behaviour.md, Deviations from the controller).

The TLS material is checked here, as the controller checks it before any request, and then written to
files (mode 0600, in a private temporary directory) because the registry client loads certificates from
files; `RegistryAccess.close()` removes them. Credentials never reach a message, a log line or a repr.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from kubectl_imagerepo.model.imagerepository import CLOUD_PROVIDERS, GENERIC_PROVIDER
from kubectl_imagerepo.registry.cloud_hosts import provider_registry, serves
from kubectl_imagerepo.registry.dockerconfig import (
    Keychain,
    SecretError,
    secret_keys,
    secret_label,
    secret_value,
)
from kubectl_imagerepo.registry.errors import AuthError
from kubectl_imagerepo.registry.proxy import proxy_url

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.model.imagerepository import ImageRepository
    from kubectl_imagerepo.model.reference import ImageReference
    from kubectl_imagerepo.registry.cloud import CloudLogin
    from kubectl_imagerepo.registry.credentials import Credentials

__all__ = [
    "ANONYMOUS",
    "AuthError",
    "ClusterSecrets",
    "FileSecrets",
    "RegistryAccess",
    "SecretSource",
    "fetch_digest",
    "resolve_access",
]

logger = logging.getLogger(__name__)

#: (standard key, legacy fall-back) of a certSecretRef Secret.
TLS_CERT_KEYS = ("tls.crt", "certFile")
TLS_KEY_KEYS = ("tls.key", "keyFile")
CA_KEYS = ("ca.crt", "caFile")
LEGACY_KEY_WARNING = "using legacy key in secret data"
_EMPTY_NAME = "resource name may not be empty"


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
    """Secrets and ServiceAccounts read from the API server with the user's own permissions.

    `as_caller`: a 403 is the caller's own missing right (`CallerForbidden`), not the object's failure;
    `run` reads as the controller does, where a 403 is the object's authentication failure.
    """

    def __init__(self, kube: Kube, *, as_caller: bool = False) -> None:
        self.kube = kube
        self.as_caller = as_caller

    def secret(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self._get(namespace, "secrets", name)

    def service_account(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self._get(namespace, "serviceaccounts", name)

    def service_account_token(self, namespace: str, name: str, audience: str) -> str:
        """A short-lived token of the ServiceAccount for `audience`, from the TokenRequest API."""
        from kubectl_imagerepo.kube.client import ApiError
        from kubectl_imagerepo.model.errors import CommandError

        path = f"/api/v1/namespaces/{quote(namespace, safe='')}/serviceaccounts/{quote(name, safe='')}/token"
        request = {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"audiences": [audience], "expirationSeconds": 3600},
        }
        try:
            answer = self.kube.post(path, request)
        except ApiError as failure:
            if failure.forbidden and self.as_caller:
                raise failure.refused_to_caller("create", "serviceaccounts/token", namespace, name) from None
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
            if failure.forbidden and self.as_caller:
                raise failure.refused_to_caller("get", plural, namespace, name) from None
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
        from kubectl_imagerepo.registry.errors import redact_url

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

    A cloud provider's credentials are fetched here, as the scan starts; their failures are the scan's,
    a host the provider does not serve failing inside the first request (see docs/behaviour.md,
    Registry access).
    """
    from kubectl_imagerepo.registry.tags import list_tags as registry_list_tags
    from kubectl_imagerepo.registry.tags import tags_list_url

    credentials = access.credentials
    if access.cloud is not None:
        credentials = access.cloud.credentials(tags_list_url(reference))
    return registry_list_tags(
        reference,
        deadline=deadline,
        credentials=credentials,
        ca_file=access.ca_file,
        client_cert=access.client_cert,
        proxies=access.proxies,
        progress=progress,
    )


def fetch_digest(
    reference: ImageReference, tag: str, access: RegistryAccess, deadline: float, image: str | None = None
) -> str:
    """The digest of `tag`'s manifest with the object's credentials, TLS and proxy: the policy's fetcher.

    A cloud provider's credentials are fetched as for `scan_tags`; every failure is a `RegistryError`
    reading `failed fetching descriptor for "<image>:<tag>": …` (see registry/digest.py).
    """
    from kubectl_imagerepo.registry.digest import fetch_manifest_digest

    return fetch_manifest_digest(
        reference,
        tag,
        deadline=deadline,
        image=image,
        credentials=access.credentials,
        login=access.cloud.credentials if access.cloud is not None else None,
        ca_file=access.ca_file,
        client_cert=access.client_cert,
        proxies=access.proxies,
    )


#: Anonymous access through the environment's proxies and the system's CAs.
ANONYMOUS = RegistryAccess()


def resolve_access(source: SecretSource, repo: ImageRepository, reference: ImageReference) -> RegistryAccess:
    """Build the access options of `repo` as the controller does, with its error texts.

    The steps, in the controller's order:

    1. `spec.proxySecretRef`: `address` (http, https or socks5), optional `username`/`password`.
    2. The provider: `generic` uses the static credentials below. Cloud providers (`aws`, `azure`,
       `gcp`) skip them and get a `CloudLogin` whose credentials are fetched during the scan (a host
       mismatch or a cloud error fails the scan); a missing SDK extra is an error here, but only for
       a host the provider serves (the host check is pure and comes first). Any other provider is an
       error.
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
            proxy = proxy_url(self.flux_secret(repo.proxy_secret_ref))
            proxies = {"http": proxy, "https": proxy}

        provider = repo.effective_provider()
        if provider != GENERIC_PROVIDER and provider not in CLOUD_PROVIDERS:
            raise AuthError(f"provider '{provider}' not implemented")
        registry_input = provider_registry(repo.image, reference.registry)
        if provider in CLOUD_PROVIDERS and serves(provider, registry_input):
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
        from kubectl_imagerepo.registry.tls import TLSMaterialError, ca_bundle, check_loadable, key_pair

        label = secret_label(secret)
        cert = _tls_value(secret, *TLS_CERT_KEYS)
        key = _tls_value(secret, *TLS_KEY_KEYS)
        ca = _tls_value(secret, *CA_KEYS)
        if bool(cert) != bool(key):
            present, missing = ("tls.crt", "tls.key") if cert else ("tls.key", "tls.crt")
            raise AuthError(f"secret '{label}' contains '{present}' but missing '{missing}'")
        if not cert and not ca:
            raise AuthError(f"secret '{label}' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'")
        try:
            client_cert = None
            if cert and key:
                chain, private_key = key_pair(cert, key)
                client_cert = (self.write("tls.crt", chain), self.write("tls.key", private_key))
                check_loadable(*client_cert)
            ca_file = self.write("ca.crt", ca_bundle(ca)) if ca else None
        except TLSMaterialError as bad:
            raise AuthError(str(bad)) from None
        return ca_file, client_cert

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

    workload = Workload(repo.namespace, repo.service_account_name) if repo.service_account_name else None
    return CloudLogin(
        provider, provider_registry(repo.image, reference.registry), source, workload, proxies, ca_file
    )


def _tls_value(secret: Mapping[str, Any], key: str, legacy: str) -> bytes | None:
    """The value of `key`, else of its legacy name (with the controller's warning), else None."""
    keys = secret_keys(secret)
    if key in keys:
        return secret_value(secret, key)
    if legacy in keys:
        logger.warning(
            "%s (secret '%s', key '%s', preferred '%s')",
            LEGACY_KEY_WARNING,
            secret_label(secret),
            legacy,
            key,
        )
        return secret_value(secret, legacy)
    return None
