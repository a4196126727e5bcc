"""Docker config pull Secrets, read as the controller's keychain reads them.

See docs/behaviour.md, Registry access.

Pure functions over Secret objects as the API server returns them (`data` values in base64) or as a
manifest file holds them (`stringData` too). Secrets of type `kubernetes.io/dockerconfigjson` and
`kubernetes.io/dockercfg` contribute credentials; every other type is ignored. Each `auths` key is
normalised to `host[:port][/path]`; a key matches a target `<registry>/<repository>` when the ports are
equal, the host has as many dot-separated labels with each label matching as a glob, and the key's path
is a string prefix of the target's. Keys are tried in reverse lexicographic order and, within one key,
in Secret order; the first match wins; no match means anonymous access.

This module holds ggcr's Kubernetes keychain; the Go standard library it relies on (`encoding/json`,
`encoding/base64`, `net/url`, `path/filepath.Match`) comes from gocompat. No credential ever appears
in an error message of this module.

Example:
    ```python
    keychain = Keychain.from_secrets([pull_secret])
    credentials = keychain.resolve("ghcr.io/org/app")  # None: anonymous
    ```
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.gocompat import filepath
from kubectl_imagerepo.gocompat.encoding import Base64Error, base64_decode
from kubectl_imagerepo.gocompat.jsondecode import syntax_error, unmarshal_type_error
from kubectl_imagerepo.gocompat.strconv import quote
from kubectl_imagerepo.gocompat.unicode import replace_invalid
from kubectl_imagerepo.gocompat.url import GoURLError, parse_url, split_host_port

if TYPE_CHECKING:
    from kubectl_imagerepo.registry.credentials import Credentials

__all__ = [
    "DOCKERCFG_KEY",
    "DOCKERCFG_TYPE",
    "DOCKER_CONFIG_JSON_KEY",
    "DOCKER_CONFIG_JSON_TYPE",
    "Keychain",
    "SecretError",
    "credentials_for",
    "key_matches",
    "normalize_key",
    "secret_keys",
    "secret_label",
    "secret_value",
]

DOCKER_CONFIG_JSON_TYPE = "kubernetes.io/dockerconfigjson"
DOCKER_CONFIG_JSON_KEY = ".dockerconfigjson"
DOCKERCFG_TYPE = "kubernetes.io/dockercfg"
DOCKERCFG_KEY = ".dockercfg"


class SecretError(ValueError):
    """A Secret that cannot be used; str() is the one-line message (never a credential)."""


# --------------------------------------------------------------------------------------------------
# Secret objects


def secret_label(secret: Mapping[str, Any]) -> str:
    """`<namespace>/<name>` of a Secret object, as the controller names Secrets in its messages."""
    meta = secret.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}
    return f"{meta.get('namespace') or ''}/{meta.get('name') or ''}"


def secret_keys(secret: Mapping[str, Any]) -> list[str]:
    """The keys of the Secret's data, `data` then `stringData`, each once."""
    keys: dict[str, None] = {}
    for section in ("data", "stringData"):
        found = secret.get(section)
        if isinstance(found, Mapping):
            keys.update(dict.fromkeys(str(key) for key in found))
    return list(keys)


def secret_value(secret: Mapping[str, Any], key: str) -> bytes | None:
    """The bytes under `key`, or None when the Secret has no such key.

    `stringData` wins over `data`, as when the API server merges them on write.

    Raises:
        SecretError: The value is not valid base64 (or not a string), e.g.
            `secret 'ns/pull': key '.dockerconfigjson': illegal base64 data at input byte 4`.
    """
    string_data = secret.get("stringData")
    if isinstance(string_data, Mapping) and key in string_data:
        value = string_data[key]
        if value is None:
            return b""
        if not isinstance(value, str):
            raise SecretError(f"secret '{secret_label(secret)}': key '{key}': expected a string")
        return value.encode()
    data = secret.get("data")
    if not isinstance(data, Mapping) or key not in data:
        return None
    value = data[key]
    if value is None:
        return b""
    if not isinstance(value, str):
        raise SecretError(f"secret '{secret_label(secret)}': key '{key}': expected a base64 string")
    try:
        return base64_decode(value)
    except Base64Error as bad:
        raise SecretError(f"secret '{secret_label(secret)}': key '{key}': {bad}") from None


# --------------------------------------------------------------------------------------------------
# The keychain


@dataclass(frozen=True)
class _Entry:
    """One authConfig of a pull Secret, decoded."""

    username: str = ""
    password: str = ""
    identity_token: str = ""
    registry_token: str = ""

    def credentials(self) -> Credentials:
        from kubectl_imagerepo.registry.credentials import Credentials

        return Credentials(
            username=self.username,
            password=self.password,
            token=self.registry_token,
            identity_token=self.identity_token,
        )

    def __repr__(self) -> str:
        return repr(self.credentials()).replace("Credentials(", "_Entry(", 1)


class Keychain:
    """The credentials of a list of pull Secrets, looked up as the controller's keychain does.

    Build it with `from_secrets()`; `resolve()` answers for one target.
    """

    def __init__(self, entries: Mapping[str, Sequence[_Entry]]) -> None:
        self._entries = {key: tuple(found) for key, found in entries.items()}
        self.keys: tuple[str, ...] = tuple(sorted(self._entries, reverse=True))

    def __repr__(self) -> str:
        return f"Keychain(keys={list(self.keys)!r})"

    @classmethod
    def from_secrets(cls, secrets: Iterable[Mapping[str, Any]]) -> Keychain:
        """Read the pull Secrets in order: `secretRef` first, then the ServiceAccount's.

        Raises:
            SecretError: with the controller's text: the JSON error of an invalid config,
                `unable to decode auth field: ...`, or `Entry "..." in dockercfg invalid (...)`; or a
                malformed base64 value of the Secret itself, naming the Secret and the key.
        """
        entries: dict[str, list[_Entry]] = {}
        for secret in secrets:
            kind = secret.get("type") or "Opaque"
            if kind == DOCKER_CONFIG_JSON_TYPE:
                raw = secret_value(secret, DOCKER_CONFIG_JSON_KEY)
                found = _decode_config(raw, wrapped=True) if raw else []
            elif kind == DOCKERCFG_TYPE:
                raw = secret_value(secret, DOCKERCFG_KEY)
                found = _decode_config(raw, wrapped=False) if raw else []
            else:
                continue
            for registry, entry in found:
                entries.setdefault(normalize_key(registry), []).append(entry)
        return cls(entries)

    def resolve(self, target: str) -> Credentials | None:
        """The credentials for `<registry>/<repository>`, or None for anonymous access."""
        for key in self.keys:
            if key_matches(key, target):
                return self._entries[key][0].credentials()
        return None


def credentials_for(secrets: Iterable[Mapping[str, Any]], target: str) -> Credentials | None:
    """`Keychain.from_secrets(secrets).resolve(target)`."""
    return Keychain.from_secrets(secrets).resolve(target)


def normalize_key(registry: str) -> str:
    """The keychain key of an `auths` entry: `host[:port]`, plus its path unless that is empty or `/`.

    `https://` is added when the entry has neither `https://` nor `http://`; a path starting with
    `/v1/` or `/v2/` loses those 3 characters.

    Example:
        ```python
        >>> normalize_key("https://index.docker.io/v1/")
        'index.docker.io'
        >>> normalize_key("reg.io:8083/repository/internal")
        'reg.io:8083/repository/internal'
        ```

    Raises:
        SecretError: `Entry "<url>" in dockercfg invalid (parse "<url>": <reason>)`.
    """
    value = registry if registry.startswith(("https://", "http://")) else "https://" + registry
    try:
        parsed = parse_url(value)
    except GoURLError as bad:
        raise SecretError(f"Entry {quote(value)} in dockercfg invalid ({bad})") from None
    path = parsed.path
    if path.startswith(("/v2/", "/v1/")):
        path = path[3:]
    return parsed.host + path if path and path != "/" else parsed.host


def key_matches(key: str, target: str) -> bool:
    """Whether a keychain key (a glob such as `*.example.com:5000/team`) covers `target`."""
    try:
        glob, wanted = parse_url("https://" + key), parse_url("https://" + target)
    except GoURLError:
        return False
    glob_labels, glob_port = _split_host(glob.host)
    target_labels, target_port = _split_host(wanted.host)
    if glob_port != target_port or len(glob_labels) != len(target_labels):
        return False
    if not wanted.path.startswith(glob.path):
        return False
    pairs = zip(glob_labels, target_labels, strict=True)
    return all(_label_matches(pattern, label) for pattern, label in pairs)


def _split_host(host: str) -> tuple[list[str], str]:
    """The dot-separated labels and the port of `host[:port]`, as Go's `net.SplitHostPort` splits."""
    split = split_host_port(host)
    name, port = split if split is not None else (host, "")
    return name.split("."), port


# --------------------------------------------------------------------------------------------------
# Decoding a config (Go's encoding/json into ggcr's types)

_AUTH_FIELDS = {
    "username": "username",
    "password": "password",
    "auth": "auth",
    "identitytoken": "identity_token",
    "registrytoken": "registry_token",
}


class _HardError(Exception):
    """An error that stops Go's decoder at once (one returned by an UnmarshalJSON method)."""


def _decode_config(raw: bytes, *, wrapped: bool) -> list[tuple[str, _Entry]]:
    """The (registry key, entry) pairs of a `.dockerconfigjson` (`wrapped`) or `.dockercfg` document.

    Raises:
        SecretError: Go's JSON syntax or type error, or the auth field's decoding error.
    """
    syntax = syntax_error(raw)
    if syntax is not None:
        raise SecretError(syntax)
    try:
        document = json.loads(raw.decode("utf-8", "replace"), object_pairs_hook=_Pairs)
    except RecursionError:
        # Go accepts nesting up to 10000 levels; Python's decoder stops far earlier.
        raise SecretError("json: nesting too deep to decode") from None
    saved: list[str] = []
    entries: list[tuple[str, _Entry]] = []
    try:
        if wrapped:
            if isinstance(document, _Pairs):
                for name, value in document:
                    if _fold(name) == "auths":
                        _decode_auths(value, entries, saved, field="dockerConfigJSON.Auths")
            elif document is not None:
                saved.append(_type_error(document, "kubernetes.dockerConfigJSON"))
        else:
            _decode_auths(document, entries, saved, field=None)
    except _HardError as hard:
        raise SecretError(str(hard)) from None
    if saved:
        raise SecretError(saved[0])
    return entries


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs in document order, duplicates kept."""


def _decode_auths(
    value: Any, entries: list[tuple[str, _Entry]], saved: list[str], *, field: str | None
) -> None:
    """Decode a `map[string]authn.AuthConfig` value, adding its entries in document order."""
    map_type = "map[string]authn.AuthConfig"
    if value is None:
        return
    if not isinstance(value, _Pairs):
        saved.append(_type_error(value, map_type, field))
        return
    for registry, config in value:
        entries.append((replace_invalid(registry), _decode_auth_config(config)))


def _decode_auth_config(value: Any) -> _Entry:
    """ggcr's `AuthConfig.UnmarshalJSON`: the fields, then `auth` overriding username and password."""
    if value is None:
        return _Entry()
    if not isinstance(value, _Pairs):
        raise _HardError(_type_error(value, "authn.authConfig"))
    fields = dict.fromkeys(_AUTH_FIELDS.values(), "")
    saved: list[str] = []
    for name, item in value:
        target = _AUTH_FIELDS.get(_fold(name))
        if target is None or item is None:
            continue
        if isinstance(item, str):
            fields[target] = replace_invalid(item)
        else:
            saved.append(_type_error(item, "string", f"authConfig.{_json_name(target)}"))
    if saved:
        raise _HardError(saved[0])
    auth = fields.pop("auth")
    if auth:
        fields["username"], fields["password"] = _decode_auth_field(auth)
    return _Entry(**fields)


def _fold(name: str) -> str:
    """A JSON object key folded as Go matches it to a struct field (case-insensitive, `ſ` ~ `s`)."""
    return name.lower().replace("\u017f", "s")


def _json_name(attribute: str) -> str:
    return next(name for name, target in _AUTH_FIELDS.items() if target == attribute)


def _decode_auth_field(auth: str) -> tuple[str, str]:
    """base64(`user:password`): padded when it ends in `=`, unpadded otherwise; split at the first `:`."""
    try:
        decoded = base64_decode(auth, padded=auth.strip().endswith("="))
    except Base64Error as bad:
        raise _HardError(f"unable to decode auth field: {bad}") from None
    text = decoded.decode("utf-8", "replace")
    if ":" not in text:
        raise _HardError("unable to decode auth field: must be formatted as base64(username:password)")
    username, _, password = text.partition(":")
    return username, password


def _type_error(value: Any, type_name: str, field: str | None = None) -> str:
    """Go's `json.UnmarshalTypeError` text for a decoded value."""
    if isinstance(value, bool):
        kind = "bool"
    elif isinstance(value, int | float):
        kind = "number"
    elif isinstance(value, str):
        kind = "string"
    elif isinstance(value, _Pairs):
        kind = "object"
    else:
        kind = "array"
    return unmarshal_type_error(kind, type_name, field)


def _label_matches(pattern: str, label: str) -> bool:
    """Whether a host label matches a glob label; a malformed glob matches nothing (the keychain skips it)."""
    try:
        return filepath.match(pattern, label)
    except filepath.BadPatternError:
        return False
