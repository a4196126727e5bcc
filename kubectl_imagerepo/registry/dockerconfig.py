"""Docker config pull Secrets, read as the controller's keychain reads them (spec section 4, item 5).

Pure functions over Secret objects as the API server returns them (`data` values in base64) or as a
manifest file holds them (`stringData` too). Secrets of type `kubernetes.io/dockerconfigjson` and
`kubernetes.io/dockercfg` contribute credentials; every other type is ignored. Each `auths` key is
normalised to `host[:port][/path]`; a key matches a target `<registry>/<repository>` when the ports are
equal, the host has as many dot-separated labels with each label matching as a glob, and the key's path
is a string prefix of the target's. Keys are tried in reverse lexicographic order and, within one key,
in Secret order; the first match wins; no match means anonymous access.

The Go behaviour this mirrors (ggcr's Kubernetes keychain, `encoding/json`, `encoding/base64`,
`net/url`, `path/filepath.Match`) is reproduced here where it shapes a result or an error text. No
credential ever appears in an error message of this module.

Example:
    ```python
    keychain = Keychain.from_secrets([pull_secret])
    credentials = keychain.resolve("ghcr.io/org/app")  # None: anonymous
    ```
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubectl_imagerepo.registry.tags import Credentials

__all__ = [
    "DOCKERCFG_KEY",
    "DOCKERCFG_TYPE",
    "DOCKER_CONFIG_JSON_KEY",
    "DOCKER_CONFIG_JSON_TYPE",
    "Base64Error",
    "GoURL",
    "GoURLError",
    "Keychain",
    "SecretError",
    "credentials_for",
    "go_base64_decode",
    "go_quote",
    "key_matches",
    "normalize_key",
    "parse_go_url",
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
        return go_base64_decode(value)
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
        from kubectl_imagerepo.registry.tags import Credentials

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
        parsed = parse_go_url(value)
    except GoURLError as bad:
        raise SecretError(f"Entry {go_quote(value)} in dockercfg invalid ({bad})") from None
    path = parsed.path
    if path.startswith(("/v2/", "/v1/")):
        path = path[3:]
    return parsed.host + path if path and path != "/" else parsed.host


def key_matches(key: str, target: str) -> bool:
    """Whether a keychain key (a glob such as `*.example.com:5000/team`) covers `target`."""
    try:
        glob, wanted = parse_go_url("https://" + key), parse_go_url("https://" + target)
    except GoURLError:
        return False
    glob_labels, glob_port = _split_host(glob.host)
    target_labels, target_port = _split_host(wanted.host)
    if glob_port != target_port or len(glob_labels) != len(target_labels):
        return False
    if not wanted.path.startswith(glob.path):
        return False
    return all(_glob_match(pattern, label) for pattern, label in zip(glob_labels, target_labels, strict=True))


def _split_host(host: str) -> tuple[list[str], str]:
    """The dot-separated labels and the port of `host[:port]`, as Go's `net.SplitHostPort` splits."""
    split = _split_host_port(host)
    name, port = split if split is not None else (host, "")
    return name.split("."), port


def _split_host_port(hostport: str) -> tuple[str, str] | None:
    """Go's `net.SplitHostPort`; None where Go returns an error."""
    colon = hostport.rfind(":")
    if colon < 0:
        return None
    start, end = 0, 0
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0 or close + 1 != colon:
            return None
        host = hostport[1:close]
        start, end = 1, close + 1
    else:
        host = hostport[:colon]
        if ":" in host:
            return None
    if "[" in hostport[start:] or "]" in hostport[end:]:
        return None
    return host, hostport[colon + 1 :]


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
    syntax = _json_syntax_error(raw)
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
        entries.append((_go_string(registry), _decode_auth_config(config)))


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
            fields[target] = _go_string(item)
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
        decoded = go_base64_decode(auth, padded=auth.strip().endswith("="))
    except Base64Error as bad:
        raise _HardError(f"unable to decode auth field: {bad}") from None
    text = decoded.decode("utf-8", "replace")
    if ":" not in text:
        raise _HardError("unable to decode auth field: must be formatted as base64(username:password)")
    username, _, password = text.partition(":")
    return username, password


def _type_error(value: Any, type_name: str, field: str | None = None) -> str:
    """Go's `json.UnmarshalTypeError` text."""
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
    where = f"Go struct field {field}" if field else "Go value"
    return f"json: cannot unmarshal {kind} into {where} of type {type_name}"


def _go_string(text: str) -> str:
    """A decoded JSON string as Go keeps it: lone surrogates (invalid UTF-16) become U+FFFD."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)


# --------------------------------------------------------------------------------------------------
# Go's JSON syntax errors (encoding/json's scanner)

_WHITESPACE = b" \t\r\n"
_OBJECT_KEY, _OBJECT_VALUE, _ARRAY = 0, 1, 2
_MAX_DEPTH = 10000


class _Syntax(Exception):
    pass


def _json_syntax_error(data: bytes) -> str | None:
    """Go's `json.Unmarshal` syntax error for `data`, or None when it is valid JSON."""
    try:
        _JSONScanner(data).scan()
    except _Syntax as bad:
        return str(bad)
    return None


class _JSONScanner:
    """A port of the error behaviour of Go's `encoding/json` scanner (`checkValid`)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.stack: list[int] = []

    def fail(self, context: str, char: int | None = None) -> _Syntax:
        byte = self.data[self.pos] if char is None else char
        return _Syntax(f"invalid character {_quote_char(byte)} {context}")

    def skip_space(self) -> None:
        while self.pos < len(self.data) and self.data[self.pos] in _WHITESPACE:
            self.pos += 1

    def at_end(self) -> bool:
        return self.pos >= len(self.data)

    def scan(self) -> None:
        expect = "value"
        while True:
            self.skip_space()
            if self.at_end():
                raise _Syntax("unexpected end of JSON input")
            char = self.data[self.pos]
            closer = {"array-first": ord("]"), "object-first": ord("}")}.get(expect)
            if char == closer:
                self.pos += 1
                self.stack.pop()
            elif expect in ("key", "object-first"):
                if char != ord('"'):
                    raise self.fail("looking for beginning of object key string")
                self.string()
            else:
                nested = self.value()
                if nested is not None:
                    expect = nested
                    continue
            expect = self.after_value()
            if expect == "done":
                return

    def value(self) -> str | None:
        """Scan one value; returns the next expectation when it opened an object or array."""
        char = self.data[self.pos]
        if char in b"{[":
            self.stack.append(_OBJECT_KEY if char == ord("{") else _ARRAY)
            if len(self.stack) > _MAX_DEPTH:
                raise self.fail("exceeded max depth")
            self.pos += 1
            return "object-first" if char == ord("{") else "array-first"
        if char == ord('"'):
            self.string()
        elif char == ord("-") or ord("0") <= char <= ord("9"):
            self.number()
        elif char in b"tfn":
            self.literal({ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}[char])
        else:
            raise self.fail("looking for beginning of value")
        return None

    def after_value(self) -> str:
        """Consume what follows a complete value; the next expectation, or `done` at the end."""
        while True:
            self.skip_space()
            if not self.stack:
                if not self.at_end():
                    raise self.fail("after top-level value")
                return "done"
            if self.at_end():
                raise _Syntax("unexpected end of JSON input")
            char, top = self.data[self.pos], self.stack[-1]
            self.pos += 1
            if top == _OBJECT_KEY:
                if char != ord(":"):
                    self.pos -= 1
                    raise self.fail("after object key")
                self.stack[-1] = _OBJECT_VALUE
                return "value"
            if top == _OBJECT_VALUE:
                if char == ord(","):
                    self.stack[-1] = _OBJECT_KEY
                    return "key"
                if char == ord("}"):
                    self.stack.pop()
                    continue
                self.pos -= 1
                raise self.fail("after object key:value pair")
            if char == ord(","):
                return "value"
            if char == ord("]"):
                self.stack.pop()
                continue
            self.pos -= 1
            raise self.fail("after array element")

    def next_char(self, eof_context: str | None) -> int:
        """The next byte; at the end, Go feeds a space: an error in `eof_context`, else end of input."""
        if self.at_end():
            if eof_context is None:
                raise _Syntax("unexpected end of JSON input")
            raise self.fail(eof_context, ord(" "))
        return self.data[self.pos]

    def string(self) -> None:
        self.pos += 1
        while True:
            char = self.next_char(None)
            self.pos += 1
            if char == ord('"'):
                return
            if char == ord("\\"):
                escape = self.next_char("in string escape code")
                if escape == ord("u"):
                    self.pos += 1
                    for _ in range(4):
                        digit = self.next_char("in \\u hexadecimal character escape")
                        if digit not in b"0123456789abcdefABCDEF":
                            raise self.fail("in \\u hexadecimal character escape")
                        self.pos += 1
                elif escape in b'bfnrt\\/"':
                    self.pos += 1
                else:
                    raise self.fail("in string escape code")
            elif char < 0x20:
                self.pos -= 1
                raise self.fail("in string literal")

    def digits(self) -> None:
        while not self.at_end() and ord("0") <= self.data[self.pos] <= ord("9"):
            self.pos += 1

    def number(self) -> None:
        if self.data[self.pos] == ord("-"):
            self.pos += 1
            char = self.next_char("in numeric literal")
            if not ord("0") <= char <= ord("9"):
                raise self.fail("in numeric literal")
        if self.data[self.pos] == ord("0"):
            self.pos += 1
        else:
            self.digits()
        if not self.at_end() and self.data[self.pos] == ord("."):
            self.pos += 1
            char = self.next_char("after decimal point in numeric literal")
            if not ord("0") <= char <= ord("9"):
                raise self.fail("after decimal point in numeric literal")
            self.digits()
        if not self.at_end() and self.data[self.pos] in b"eE":
            self.pos += 1
            char = self.next_char("in exponent of numeric literal")
            if char in b"+-":
                self.pos += 1
                char = self.next_char("in exponent of numeric literal")
            if not ord("0") <= char <= ord("9"):
                raise self.fail("in exponent of numeric literal")
            self.digits()

    def literal(self, word: bytes) -> None:
        name = word.decode()
        self.pos += 1
        for expected in word[1:]:
            context = f"in literal {name} (expecting {_quote_char(expected)})"
            if self.next_char(context) != expected:
                raise self.fail(context)
            self.pos += 1


def _quote_char(byte: int) -> str:
    """Go's `quoteChar`: a byte as a single-quoted Go character literal."""
    if byte == ord("'"):
        return "'\\''"
    if byte == ord('"'):
        return "'\"'"
    return "'" + go_quote(chr(byte))[1:-1] + "'"


def go_quote(text: str) -> str:
    """Go's `strconv.Quote`: a double-quoted string with Go escapes for what is not printable."""
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
             "\\": "\\\\", '"': '\\"'}
    out = []
    for char in text:
        code = ord(char)
        if char in named:
            out.append(named[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x80 or char.isprintable():
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


# --------------------------------------------------------------------------------------------------
# Go's encoding/base64


class Base64Error(ValueError):
    """Go's `base64.CorruptInputError`: `illegal base64 data at input byte <offset>`."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"illegal base64 data at input byte {offset}")
        self.offset = offset


_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def go_base64_decode(text: str, *, padded: bool = True) -> bytes:
    """Decode as Go's `base64.StdEncoding` (`padded`) or `RawStdEncoding`, with Go's error offsets.

    As in Go, `\\r` and `\\n` are skipped and the unused bits of the last quantum are not checked.

    Raises:
        Base64Error: at the offset Go reports.
    """
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    if _looks_canonical(data, padded):
        try:
            return base64.b64decode(data if padded else data + b"=" * (-len(data) % 4), validate=True)
        except (binascii.Error, ValueError):
            pass
    return _decode_quanta(data, padded)


def _looks_canonical(data: bytes, padded: bool) -> bool:
    """Plain input the standard library decodes exactly as Go does (the common, fast case)."""
    if b"\n" in data or b"\r" in data:
        return False
    body = data.rstrip(b"=")
    if any(byte not in _ALPHABET for byte in body):
        return False
    if padded:
        return len(data) % 4 == 0 and len(data) - len(body) <= 2
    return body == data and len(data) % 4 != 1


def _decode_quanta(data: bytes, padded: bool) -> bytes:
    """Go's `Encoding.Decode`, one 4-character quantum at a time."""
    out = bytearray()
    pos = 0
    while pos < len(data):
        pos, chunk, done = _decode_quantum(data, pos, padded)
        out += chunk
        if done:
            break
    return bytes(out)


def _decode_quantum(data: bytes, pos: int, padded: bool) -> tuple[int, bytes, bool]:
    values: list[int] = []
    length = 4
    while len(values) < 4:
        if pos == len(data):
            if not values:
                return pos, b"", True
            if len(values) == 1 or padded:
                raise Base64Error(pos - len(values))
            length = len(values)
            break
        char = data[pos]
        pos += 1
        index = _ALPHABET.find(bytes([char]))
        if index >= 0:
            values.append(index)
            continue
        if char in (0x0A, 0x0D):
            continue
        if not padded or char != ord("="):
            raise Base64Error(pos - 1)
        # Padding: only after 2 or 3 characters of a quantum, and then it must end the input.
        if len(values) < 2:
            raise Base64Error(pos - 1)
        if len(values) == 2:
            while pos < len(data) and data[pos] in (0x0A, 0x0D):
                pos += 1
            if pos == len(data):
                raise Base64Error(len(data))
            if data[pos] != ord("="):
                raise Base64Error(pos - 1)
            pos += 1
        while pos < len(data) and data[pos] in (0x0A, 0x0D):
            pos += 1
        if pos < len(data):
            raise Base64Error(pos)
        length = len(values)
        break
    values += [0] * (4 - len(values))
    number = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3]
    chunk = number.to_bytes(3, "big")[: length - 1]
    return pos, chunk, length < 4


# --------------------------------------------------------------------------------------------------
# Go's net/url.Parse, enough for registry keys and proxy addresses


class GoURLError(ValueError):
    """Go's `url.Error` from `url.Parse`: `parse "<url>": <reason>`; `reason` is the part after the colon."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"parse {go_quote(url)}: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class GoURL:
    """What `url.Parse` gives: the scheme (lower case), user info, host (with port) and path."""

    scheme: str
    userinfo: str | None
    host: str
    path: str
    opaque: str
    authority_end: int

    def __repr__(self) -> str:
        user = None if self.userinfo is None else self.userinfo.partition(":")[0]
        return f"GoURL(scheme={self.scheme!r}, user={user!r}, host={self.host!r}, path={self.path!r})"


_HOST_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:[]<>\"")
_USERINFO_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:~!$&'()*+,;=%@")
_HEX = frozenset("0123456789abcdefABCDEF")


def parse_go_url(raw: str) -> GoURL:
    """Parse `raw` as Go's `url.Parse` does, with its error texts.

    Raises:
        GoURLError: e.g. `parse "127.0.0.1:3128": first path segment in URL cannot contain colon`.
    """
    without_fragment, _, fragment = raw.partition("#")
    try:
        parsed = _parse_url(without_fragment)
    except _URLProblem as problem:
        raise GoURLError(without_fragment, str(problem)) from None
    if fragment:
        try:
            _unescape(fragment, host=False)
        except _URLProblem as problem:
            raise GoURLError(raw, str(problem)) from None
    return parsed


class _URLProblem(Exception):
    pass


def _parse_url(raw: str) -> GoURL:
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in raw):
        raise _URLProblem("net/url: invalid control character in URL")
    scheme, rest = _get_scheme(raw)
    consumed = len(raw) - len(rest)
    rest = rest.partition("?")[0]  # the query (Go keeps it apart; nothing here needs it)
    if not rest.startswith("/"):
        if scheme:
            return GoURL(scheme, None, "", "", rest, consumed)
        if ":" in rest.partition("/")[0]:
            raise _URLProblem("first path segment in URL cannot contain colon")
    userinfo, host = None, ""
    if rest.startswith("//") and (scheme or not rest.startswith("///")):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        consumed += 2 + len(authority)
        userinfo, host = _parse_authority(authority)
    path = _unescape(rest, host=False)
    return GoURL(scheme, userinfo, host, path, "", consumed)


def _get_scheme(raw: str) -> tuple[str, str]:
    for index, char in enumerate(raw):
        if char.isascii() and char.isalpha():
            continue
        if char.isascii() and (char.isdigit() or char in "+-."):
            if index == 0:
                return "", raw
            continue
        if char == ":":
            if index == 0:
                raise _URLProblem("missing protocol scheme")
            return raw[:index].lower(), raw[index + 1 :]
        return "", raw
    return "", raw


def _parse_authority(authority: str) -> tuple[str | None, str]:
    at = authority.rfind("@")
    host = _parse_host(authority[at + 1 :] if at >= 0 else authority)
    if at < 0:
        return None, host
    userinfo = authority[:at]
    if any(char not in _USERINFO_SAFE for char in userinfo):
        raise _URLProblem("net/url: invalid userinfo")
    user, colon, password = userinfo.partition(":")
    _unescape(user, host=False)
    if colon:
        _unescape(password, host=False)
    return userinfo, host


def _parse_host(host: str) -> str:
    if host.startswith("["):
        close = host.rfind("]")
        if close < 0:
            raise _URLProblem("missing ']' in host")
        port = host[close + 1 :]
    else:
        colon = host.rfind(":")
        port = host[colon:] if colon >= 0 else ""
    if port and not (port[0] == ":" and all("0" <= char <= "9" for char in port[1:])):
        raise _URLProblem(f"invalid port {go_quote(port)} after host")
    return _unescape(host, host=True)


def _unescape(text: str, *, host: bool) -> str:
    """Go's `unescape` in host or path mode: validate the escapes (and host characters), then decode."""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "%":
            escape = text[index : index + 3]
            if index + 2 >= len(text) or not (text[index + 1] in _HEX and text[index + 2] in _HEX):
                raise _URLProblem(f"invalid URL escape {go_quote(escape)}")
            if host and int(text[index + 1], 16) < 8 and escape != "%25":
                raise _URLProblem(f"invalid URL escape {go_quote(escape)}")
            index += 3
            continue
        if host and char.isascii() and char not in _HOST_SAFE:
            raise _URLProblem(f"invalid character {go_quote(char)} in host name")
        index += 1
    if "%" not in text:
        return text
    from urllib.parse import unquote

    return unquote(text, errors="replace")


# --------------------------------------------------------------------------------------------------
# Go's path/filepath.Match (Unix): `*`, `?`, `[...]` with `^` negation and `\` escapes


def _glob_match(pattern: str, name: str) -> bool:
    """Whether `name` matches `pattern`; a malformed pattern matches nothing (the keychain ignores it)."""
    try:
        return _match(pattern, name)
    except _BadPattern:
        return False


class _BadPattern(Exception):
    pass


def _match(pattern: str, name: str) -> bool:
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return "/" not in name
        rest = _match_chunk(chunk, name)
        if rest is not None and (not rest or pattern):
            name = rest
            continue
        if star:
            for index in _star_positions(name):
                rest = _match_chunk(chunk, name[index + 1 :])
                if rest is not None:
                    if not pattern and rest:
                        continue
                    name = rest
                    break
            else:
                _check_rest(pattern)
                return False
            continue
        _check_rest(pattern)
        return False
    return not name


def _star_positions(name: str) -> Iterator[int]:
    for index, char in enumerate(name):
        if char == "/":
            return
        yield index


def _check_rest(pattern: str) -> None:
    while pattern:
        _, chunk, pattern = _scan_chunk(pattern)
        _match_chunk(chunk, "")


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    star = False
    while pattern.startswith("*"):
        pattern, star = pattern[1:], True
    in_range = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if index + 1 < len(pattern):
                index += 1
        elif char == "[":
            in_range = True
        elif char == "]":
            in_range = False
        elif char == "*" and not in_range:
            break
        index += 1
    return star, pattern[:index], pattern[index:]


def _match_chunk(chunk: str, name: str) -> str | None:
    """The rest of `name` after `chunk` matched its start, or None; raises _BadPattern."""
    failed = False
    while chunk:
        if not failed and not name:
            failed = True
        head = chunk[0]
        if head == "[":
            char = ""
            if not failed:
                char, name = name[0], name[1:]
            chunk = chunk[1:]
            negated = chunk.startswith("^")
            if negated:
                chunk = chunk[1:]
            matched, ranges = False, 0
            while True:
                if chunk.startswith("]") and ranges > 0:
                    chunk = chunk[1:]
                    break
                low, chunk = _get_escaped(chunk)
                high = low
                if chunk[0] == "-":
                    high, chunk = _get_escaped(chunk[1:])
                if not failed and low <= char <= high:
                    matched = True
                ranges += 1
            if matched == negated:
                failed = True
            continue
        if head == "?":
            if not failed:
                if name[0] == "/":
                    failed = True
                name = name[1:]
            chunk = chunk[1:]
            continue
        if head == "\\":
            chunk = chunk[1:]
            if not chunk:
                raise _BadPattern
        if not failed:
            if chunk[0] != name[0]:
                failed = True
            name = name[1:]
        chunk = chunk[1:]
    return None if failed else name


def _get_escaped(chunk: str) -> tuple[str, str]:
    if not chunk or chunk[0] in "-]":
        raise _BadPattern
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            raise _BadPattern
    char, rest = chunk[0], chunk[1:]
    if not rest:
        raise _BadPattern
    return char, rest
