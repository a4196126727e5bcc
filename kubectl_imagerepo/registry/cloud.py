"""Registry credentials from the cloud providers `aws`, `azure` and `gcp`.

See docs/behaviour.md, Registry access. Credentials are lazy, as the controller's since v1.2:
`resolve_access` only builds a `CloudLogin`, and the host check, the token fetch and the exchange run
when the scan asks for `credentials()`. Their failures are `RegistryError`s, so the scan fails with
ReadOperationFailed (`scan failed: <error>`); a host the provider does not serve fails inside the first
request, as in the controller (`Get "<tags list URL>": invalid AWS registry: ...`). The host check is
pure and comes first, so a missing SDK extra never hides it.

Without `spec.serviceAccountName` the user's own credential chain is used: boto3's, azure-identity's
`DefaultAzureCredential`, google-auth's `default()`. With it (object-level workload identity, behind the
feature gate the reconciler checks) the ServiceAccount's token comes from the TokenRequest API and is
exchanged for the identity its annotations name.

The vendors' SDKs are optional extras imported only here, only when used. Credentials are cached per
provider, identity and registry until 80% of their lifetime has passed, at most one hour.
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import quote

from kubectl_imagerepo.model.errors import CallerForbidden
from kubectl_imagerepo.registry.cloud_hosts import (
    HostMismatch,
    RegistryTarget,
    acr_scope,
    check_registry,
)
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.tokencache import TTLCache

if TYPE_CHECKING:
    import requests

__all__ = [
    "ACR_USERNAME",
    "AWS_AUDIENCE",
    "AZURE_AUDIENCE",
    "GCP_SCOPES",
    "GCP_USERNAME",
    "TOKENS",
    "CacheKey",
    "CloudError",
    "CloudLogin",
    "CloudTokenCache",
    "TokenRequester",
    "Workload",
    "jwt_expiry",
    "missing_extra",
]

ACR_USERNAME = "00000000-0000-0000-0000-000000000000"
GCP_USERNAME = "oauth2accesstoken"
GCP_SCOPES = (
    "https://www.googleapis.com/auth/cloud-platform",
    "https://www.googleapis.com/auth/userinfo.email",
)
AWS_AUDIENCE = "sts.amazonaws.com"
AZURE_AUDIENCE = "api://AzureADTokenExchange"
AWS_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
AZURE_TENANT_ANNOTATION = "azure.workload.identity/tenant-id"
AZURE_CLIENT_ANNOTATION = "azure.workload.identity/client-id"
GCP_PROVIDER_ANNOTATION = "gcp.auth.fluxcd.io/workload-identity-provider"
GCP_SERVICE_ACCOUNT_ANNOTATION = "iam.gke.io/gcp-service-account"
GCP_STS_URL = "https://sts.googleapis.com/v1/token"
MAX_CACHE_SECONDS = 3600.0
CACHE_FRACTION = 0.8
EXCHANGE_TIMEOUT = 30.0

#: provider: (distribution to install, module that proves it is installed).
EXTRAS = {
    "aws": ("boto3", "boto3"),
    "azure": ("azure-identity", "azure.identity"),
    "gcp": ("google-auth", "google.auth"),
}


class CloudError(Exception):
    """A cloud credential could not be obtained; str() is the message (never a credential)."""


def missing_extra(provider: str) -> str | None:
    """The error for a cloud provider whose SDK is not installed, or None when it is."""
    distribution, module = EXTRAS[provider]
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if found:
        return None
    return f"provider '{provider}' needs {distribution}: pip install 'kubectl-imagerepo[{provider}]'"


@runtime_checkable
class TokenRequester(Protocol):
    """A source of ServiceAccounts that can also ask the API server for their tokens (TokenRequest)."""

    def service_account(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        """The ServiceAccount `namespace/name`, or None."""
        ...

    def service_account_token(self, namespace: str, name: str, audience: str) -> str:
        """A short-lived token of the ServiceAccount for `audience`; raises an exception with the API's
        message."""
        ...


@dataclass(frozen=True)
class Workload:
    """The ServiceAccount whose identity an object uses (object-level workload identity)."""

    namespace: str
    service_account: str

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.service_account}"


# --------------------------------------------------------------------------------------------------
# The token cache


@dataclass(frozen=True)
class CacheKey:
    """Provider, identity (`<ns>/<sa>`, empty for the user's own) and the registry input."""

    provider: str
    identity: str
    registry: str


class CloudTokenCache:
    """Cloud credentials kept until 80% of their lifetime has passed, at most `max_seconds`; thread-safe.

    One fetch per key at a time: concurrent reconciles of objects sharing a registry ask the cloud once.
    The keeping is `tokencache.TTLCache`'s, on the wall clock (cloud expiries are wall-clock times).
    """

    def __init__(
        self, clock: Callable[[], float] = time.time, max_seconds: float = MAX_CACHE_SECONDS
    ) -> None:
        self._max = max_seconds
        self._entries: TTLCache[CacheKey, Credentials] = TTLCache(clock)

    def __repr__(self) -> str:
        return f"CloudTokenCache(entries={len(self._entries)})"

    def _kept_until(self, expires_at: float) -> float:
        """When to stop using credentials expiring at `expires_at`: 80% of the way, at most the maximum."""
        now = self._entries.clock()
        lifetime = expires_at - now
        return now + min(lifetime * CACHE_FRACTION, self._max) if lifetime > 0 else now

    def get(self, key: CacheKey) -> Credentials | None:
        """The cached credentials of `key`, or None when absent or stale."""
        return self._entries.get(key)

    def put(self, key: CacheKey, credentials: Credentials, expires_at: float) -> None:
        """Keep `credentials` expiring at `expires_at` (a `time.time()` value); expired ones are not kept."""
        self._entries.put(key, credentials, self._kept_until(expires_at))

    def fetch(self, key: CacheKey, obtain: Callable[[], tuple[Credentials, float]]) -> Credentials:
        """The cached credentials of `key`, else `obtain()`'s (credentials, expiry), kept."""

        def kept() -> tuple[Credentials, float]:
            credentials, expires_at = obtain()
            return credentials, self._kept_until(expires_at)

        found = self._entries.fetch(key, kept)
        assert found is not None  # no timeout: the key's turn always comes
        return found

    def clear(self) -> None:
        self._entries.clear()


#: The process's cache, shared by every reconcile of a command.
TOKENS = CloudTokenCache()


# --------------------------------------------------------------------------------------------------
# The login


@dataclass(frozen=True, repr=False)
class CloudLogin:
    """How to get an object's registry credentials from its cloud provider, when the scan needs them.

    Attributes:
        provider: `aws`, `azure` or `gcp`.
        registry: The registry input derived from `spec.image` (`cloud_hosts.provider_registry`).
        source: Where the ServiceAccount is read from and its token requested (object level only).
        workload: The object's ServiceAccount, or None for the user's own credential chain.
        proxies: The object's proxy (`spec.proxySecretRef`) for the token exchanges, or None.
        ca_file: The CA bundle of `spec.certSecretRef`, also trusted for the ACR exchange.
    """

    provider: str
    registry: str
    source: object = None
    workload: Workload | None = None
    proxies: Mapping[str, str] | None = None
    ca_file: str | None = None
    cache: CloudTokenCache = field(default=TOKENS, compare=False)

    def __repr__(self) -> str:
        workload = None if self.workload is None else self.workload.label
        return f"CloudLogin(provider={self.provider!r}, registry={self.registry!r}, workload={workload!r})"

    __str__ = __repr__

    def credentials(self, request_url: str | None = None) -> Credentials:
        """The registry credentials, from the cache or the cloud.

        Args:
            request_url: The URL of the request the credentials are for; a host mismatch is reported
                as failing inside it (Go's `url.Error`), as the controller reports it.

        Raises:
            RegistryError: the host does not match the provider, or the cloud refused; the text is the
                controller's, e.g. `Get "https://ghcr.io/v2/app/tags/list?n=1000": invalid AWS
                registry: 'ghcr.io'. must match ...`.
        """
        from kubectl_imagerepo.registry.errors import RegistryError

        try:
            target = check_registry(self.provider, self.registry)
        except HostMismatch as mismatch:
            if request_url is None:
                raise RegistryError(str(mismatch)) from None
            raise RegistryError(str(mismatch), method="GET", url=request_url, url_error=True) from None
        try:
            identity = "" if self.workload is None else self.workload.label
            key = CacheKey(self.provider, identity, self.registry)
            return self.cache.fetch(key, lambda: self._obtain(target))
        except CloudError as failure:
            raise RegistryError(str(failure)) from None

    def _obtain(self, target: RegistryTarget) -> tuple[Credentials, float]:
        if self.provider == "aws":
            return _aws_login(target, self.proxies, self._aws_web_identity())
        if self.provider == "azure":
            return _azure_login(target, self.proxies, self.ca_file, self._azure_assertion())
        return _gcp_login(self.proxies, self._gcp_federation())

    # -- object-level workload identity ---------------------------------------------------------------

    def _account(self) -> Mapping[str, str]:
        """The annotations of the object's ServiceAccount."""
        assert self.workload is not None
        requester = self._requester()
        try:
            account = requester.service_account(self.workload.namespace, self.workload.service_account)
        except CallerForbidden:
            raise
        except Exception as failure:
            raise CloudError(f"failed to get serviceaccount '{self.workload.label}': {failure}") from None
        if account is None:
            raise CloudError(f"serviceaccount '{self.workload.label}' not found")
        meta = account.get("metadata")
        annotations = meta.get("annotations") if isinstance(meta, Mapping) else None
        return {str(k): str(v) for k, v in (annotations or {}).items()}

    def _requester(self) -> TokenRequester:
        if not isinstance(self.source, TokenRequester):
            raise CloudError(
                "object-level workload identity needs the cluster's TokenRequest API, "
                "which is not available when reconciling manifests from a file"
            )
        return self.source

    def _token(self, audience: str) -> str:
        assert self.workload is not None
        try:
            return self._requester().service_account_token(
                self.workload.namespace, self.workload.service_account, audience
            )
        except (CloudError, CallerForbidden):
            raise
        except Exception as failure:
            raise CloudError(
                f"failed to create token for serviceaccount '{self.workload.label}': {failure}"
            ) from None

    def _annotation(self, annotations: Mapping[str, str], name: str) -> str:
        value = annotations.get(name, "")
        if not value:
            assert self.workload is not None
            raise CloudError(f"serviceaccount '{self.workload.label}' has no '{name}' annotation")
        return value

    def _aws_web_identity(self) -> tuple[str, str, str] | None:
        """(role ARN, ServiceAccount token, session name), or None for the user's chain."""
        if self.workload is None:
            return None
        role = self._annotation(self._account(), AWS_ROLE_ANNOTATION)
        session = re.sub(r"[^\w+=,.@-]", "-", f"{self.workload.service_account}.{self.workload.namespace}")
        return role, self._token(AWS_AUDIENCE), f"{session}.kubectl-imagerepo"[:64]

    def _azure_assertion(self) -> tuple[str, str, Callable[[], str]] | None:
        """(tenant, client ID, token supplier), or None for the user's chain."""
        if self.workload is None:
            return None
        annotations = self._account()
        tenant = self._annotation(annotations, AZURE_TENANT_ANNOTATION)
        client = self._annotation(annotations, AZURE_CLIENT_ANNOTATION)
        return tenant, client, lambda: self._token(AZURE_AUDIENCE)

    def _gcp_federation(self) -> tuple[str, str, Callable[[], str]] | None:
        """(STS audience, service account to impersonate or "", token supplier), or None (user's chain)."""
        if self.workload is None:
            return None
        annotations = self._account()
        provider = annotations.get(GCP_PROVIDER_ANNOTATION, "")
        if not provider:
            raise CloudError(
                f"serviceaccount '{self.workload.label}' has no '{GCP_PROVIDER_ANNOTATION}' annotation "
                "(GKE workload identity without it needs the cluster's metadata server)"
            )
        provider = provider.removeprefix("//iam.googleapis.com/").removeprefix("https://iam.googleapis.com/")
        impersonate = annotations.get(GCP_SERVICE_ACCOUNT_ANNOTATION, "")
        return (
            f"//iam.googleapis.com/{provider}",
            impersonate,
            lambda: self._token(f"https://iam.googleapis.com/{provider}"),
        )


def _one_line(error: object) -> str:
    return " ".join(str(error).split())


def _credentials(username: str, password: str) -> Credentials:
    return Credentials(username, password)


# --------------------------------------------------------------------------------------------------
# AWS


def _aws_login(
    target: RegistryTarget, proxies: Mapping[str, str] | None, web_identity: tuple[str, str, str] | None
) -> tuple[Credentials, float]:
    """ECR's (or public ECR's) authorization token, as Basic credentials, and its expiry."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    config = Config(proxies=dict(proxies) if proxies else None)
    session = boto3.session.Session()
    if web_identity is not None:
        role, token, session_name = web_identity
        try:
            sts = session.client(
                "sts", region_name=target.region, config=config.merge(Config(signature_version=UNSIGNED))
            )
            assumed = sts.assume_role_with_web_identity(
                RoleArn=role, RoleSessionName=session_name, WebIdentityToken=token
            )["Credentials"]
        except (BotoCoreError, ClientError) as failure:
            reason = _one_line(failure)
            raise CloudError(f"failed to assume role '{role}' with web identity: {reason}") from None
        session = boto3.session.Session(
            aws_access_key_id=assumed["AccessKeyId"],
            aws_secret_access_key=assumed["SecretAccessKey"],
            aws_session_token=assumed["SessionToken"],
        )
    try:
        if target.public:
            client = session.client("ecr-public", region_name=target.region, config=config)
            data = client.get_authorization_token()["authorizationData"]
        else:
            client = session.client("ecr", region_name=target.region, config=config)
            data = client.get_authorization_token()["authorizationData"][0]
    except (BotoCoreError, ClientError, IndexError, KeyError) as failure:
        raise CloudError(f"failed to get ECR authorization token: {_one_line(failure)}") from None
    try:
        decoded = base64.b64decode(str(data["authorizationToken"]), validate=True).decode()
    except (KeyError, binascii.Error, UnicodeDecodeError):
        raise CloudError("failed to decode ECR authorization token") from None
    username, colon, password = decoded.partition(":")
    if not colon:
        raise CloudError("invalid ECR authorization token: expected 'user:password'")
    expires = data.get("expiresAt")
    expires_at = expires.timestamp() if isinstance(expires, datetime) else time.time()
    return _credentials(username, password), expires_at


# --------------------------------------------------------------------------------------------------
# Azure


def _azure_login(
    target: RegistryTarget,
    proxies: Mapping[str, str] | None,
    ca_file: str | None,
    assertion: tuple[str, str, Callable[[], str]] | None,
) -> tuple[Credentials, float]:
    """An AAD token for the ACR scope, exchanged for an ACR refresh token (expiry from its `exp`)."""
    from azure.core.exceptions import AzureError
    from azure.identity import ClientAssertionCredential, DefaultAzureCredential

    scope = acr_scope(target.registry)
    credential: Any
    if assertion is None:
        credential = DefaultAzureCredential()
    else:
        tenant, client, supplier = assertion
        credential = ClientAssertionCredential(tenant, client, supplier)
    try:
        access_token = credential.get_token(scope).token
    except CloudError:
        raise
    except AzureError as failure:
        reason = _one_line(failure)
        raise CloudError(f"failed to get Azure access token for scope '{scope}': {reason}") from None
    finally:
        credential.close()
    refresh_token = _acr_exchange(target.registry, access_token, proxies, ca_file)
    expiry = jwt_expiry(refresh_token)
    return _credentials(ACR_USERNAME, refresh_token), time.time() if expiry is None else expiry


def _acr_exchange(
    registry: str, access_token: str, proxies: Mapping[str, str] | None, ca_file: str | None
) -> str:
    """POST `https://<registry>/oauth2/exchange`: the ACR refresh token for an AAD access token."""
    import requests

    url = f"https://{registry}/oauth2/exchange"
    form = {"grant_type": "access_token", "service": registry, "access_token": access_token}
    failed = f"failed to exchange the Azure token at POST {url}"
    with _session(proxies, ca_file) as session:
        try:
            response = session.post(url, data=form, timeout=EXCHANGE_TIMEOUT)
        except requests.RequestException as failure:
            from kubectl_imagerepo.registry.neterrors import describe_network_error

            reason = describe_network_error(failure, url)[0]
            raise CloudError(f"{failed}: {reason}") from None
        if response.status_code != 200:
            status = response.status_code
            raise CloudError(f"{failed}: unexpected status code {status}")
        try:
            refresh = response.json().get("refresh_token")
        except (ValueError, AttributeError):
            refresh = None
    if not isinstance(refresh, str) or not refresh:
        raise CloudError(f"{failed}: no refresh_token in the answer")
    return refresh


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT (seconds since the epoch), or None when it has none or is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def _session(proxies: Mapping[str, str] | None, ca_file: str | None) -> requests.Session:
    """A requests session with the object's proxy, trusting what the scan of the registry trusts."""
    import requests
    from requests.adapters import HTTPAdapter

    from kubectl_imagerepo.registry.tls import tls_context

    session = requests.Session()
    if proxies:
        session.proxies.update(proxies)
        session.trust_env = False
    if ca_file is not None:
        context = tls_context(ca_file, None)

        class _Trusting(HTTPAdapter):
            def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
                kwargs["ssl_context"] = context
                super().init_poolmanager(*args, **kwargs)

            def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
                kwargs["ssl_context"] = context
                return super().proxy_manager_for(proxy, **kwargs)

        session.mount("https://", _Trusting())
    return session


# --------------------------------------------------------------------------------------------------
# GCP


def _gcp_login(
    proxies: Mapping[str, str] | None, federation: tuple[str, str, Callable[[], str]] | None
) -> tuple[Credentials, float]:
    """A Google access token for `oauth2accesstoken`, with its expiry."""
    import warnings

    import google.auth
    import google.auth.exceptions
    from google.auth.transport.requests import Request

    credentials: Any
    with _session(proxies, None) as session:
        request = Request(session)
        try:
            with warnings.catch_warnings():
                # End-user credentials warn about quota projects on every use; not the user's concern here.
                warnings.simplefilter("ignore")
                if federation is None:
                    credentials, _project = google.auth.default(scopes=list(GCP_SCOPES))
                else:
                    credentials = _gcp_federated(*federation)
                credentials.refresh(request)
        except CloudError:
            raise
        except google.auth.exceptions.GoogleAuthError as failure:
            raise CloudError(f"failed to get GCP access token: {_one_line(failure)}") from None
    token = getattr(credentials, "token", None)
    if not isinstance(token, str) or not token:
        raise CloudError("failed to get GCP access token: no token")
    expiry = getattr(credentials, "expiry", None)
    expires_at = time.time() + MAX_CACHE_SECONDS
    if isinstance(expiry, datetime):
        expires_at = expiry.replace(tzinfo=UTC).timestamp()
    return _credentials(GCP_USERNAME, token), expires_at


def _gcp_federated(audience: str, impersonate: str, supplier: Callable[[], str]) -> Any:
    """Identity-pool credentials: the ServiceAccount token exchanged at Google's STS, then impersonation."""
    from google.auth import identity_pool

    class _ServiceAccountToken(identity_pool.SubjectTokenSupplier):
        def get_subject_token(self, context: Any, request: Any) -> str:
            return supplier()

    impersonation = None
    if impersonate:
        impersonation = (
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
            f"{quote(impersonate, safe='@.')}:generateAccessToken"
        )
    pool_credentials: Any = identity_pool.Credentials
    return pool_credentials(
        audience=audience,
        subject_token_type="urn:ietf:params:oauth:token-type:jwt",
        token_url=GCP_STS_URL,
        subject_token_supplier=_ServiceAccountToken(),
        service_account_impersonation_url=impersonation,
        scopes=list(GCP_SCOPES),
    )
