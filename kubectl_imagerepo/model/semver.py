"""Semantic versions and version ranges as a Flux ImagePolicy's `semver.range` reads them.

Tags are read as Flux's `version.ParseVersion` does since fluxcd/pkg/version v0.10 (`parse_tag`): at
least two dots, then Masterminds/semver v3's coercing `NewVersion` (`coerce_version`): one lowercase `v`
allowed, leading zeros allowed (`01.02.03`), minor and patch optional before a prerelease (`1.2-rc.1`),
every number within uint64. Ranges follow Masterminds/semver v3.5.0 `NewConstraint`: comparisons (`=`,
`!=`, `>`, `<`, `>=`, `=>`, `<=`, `=<`), tilde (`~`, `~>`), caret (`^`), wildcards (`1.x`, `1.2.*`,
`*`), hyphen ranges (`1.2 - 3.4.5`), AND with spaces or commas, OR with `||`. A prerelease version only
satisfies an AND group in which some comparison names a prerelease.

Each OR group is checked against Masterminds' validity pattern with RE2, Go's engine, which answers in
linear time: Python's `re` backtracks exponentially on that pattern for ranges such as `1.x 1.x … ~`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import re2

from kubectl_imagerepo.gocompat.strconv import quote

__all__ = [
    "Constraint",
    "Range",
    "SemverError",
    "Version",
    "coerce_version",
    "compare",
    "parse_range",
    "parse_tag",
    "precedence_key",
    "rewrite_hyphens",
]

_UINT64_MAX = (1 << 64) - 1
# The longest tag fluxcd/pkg/version reads as a version.
_MAX_VERSION_BYTES = 256
_DIGITS = frozenset("0123456789")
_IDENTIFIER_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")

# Go's `\s` is ASCII [\t\n\f\r ]; `\Z` because Python's `$` also matches before a final newline.
_S = r"[\t\n\f\r ]"
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_CV = (
    r"v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_ONE = re.compile(rf"\A{_S}*({_OPS}){_S}*({_CV}){_S}*\Z")
_HYPHEN = re.compile(rf"{_S}*({_CV}){_S}+-{_S}+({_CV}){_S}*")
_FIND = re.compile(rf"({_OPS}){_S}*({_CV})")
_VALID_GROUP = rf"\A({_S}*({_OPS}){_S}*({_CV}){_S}*)((?:{_S}+|,{_S}*)({_OPS}){_S}*({_CV}){_S}*)*\z"
_LOOSE = re.compile(
    r"\Av?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?\Z"
)
_WILDCARDS = ("x", "X", "*")


class SemverError(ValueError):
    """A version or range that does not parse."""


@dataclass(frozen=True)
class Version:
    """A parsed version; `original` is the text it came from (the tag)."""

    major: int
    minor: int
    patch: int
    prerelease: str = ""
    metadata: str = ""
    original: str = field(default="", compare=False)


def _uint(text: str) -> int:
    value = int(text)
    if value > _UINT64_MAX:
        raise SemverError(f"version segment out of range: {text}")
    return value


def _check_prerelease(prerelease: str) -> None:
    for part in prerelease.split("."):
        if not part or not _IDENTIFIER_CHARS.issuperset(part):
            raise SemverError("invalid prerelease string")
        if _DIGITS.issuperset(part) and len(part) > 1 and part[0] == "0":
            raise SemverError("version segment starts with 0")


def _check_metadata(metadata: str) -> None:
    for part in metadata.split("."):
        if not part or not _IDENTIFIER_CHARS.issuperset(part):
            raise SemverError("invalid metadata string")


def parse_tag(tag: str) -> Version | None:
    """The version Flux's `version.ParseVersion` reads in a tag, or None when the tag is no version.

    `1.2.3`, `v1.2.3-rc.1+b.5`, `01.02.03`, `2025.01.02`, `1.2-rc.1` are versions; `1.2`, `1.2.3.4`,
    `V1.2.3`, `vv1.2.3`, `1.0.0-rc.01` and tags longer than 256 bytes are not.
    """
    if len(tag.split(".", 2)) != 3 or len(tag.encode("utf-8", "surrogatepass")) > _MAX_VERSION_BYTES:
        return None
    try:
        return coerce_version(tag)
    except SemverError:
        return None


def coerce_version(text: str) -> Version:
    """Masterminds `NewVersion` (coercing): missing minor and patch are 0, leading zeros allowed.

    Raises:
        SemverError: for text that is no version.
    """
    match = _LOOSE.match(text)
    if match is None:
        raise SemverError("invalid semantic version")
    prerelease, metadata = match.group(5) or "", match.group(8) or ""
    if prerelease:
        _check_prerelease(prerelease)
    if metadata:
        _check_metadata(metadata)
    major = _uint(match.group(1))
    minor = _uint(match.group(2)[1:]) if match.group(2) else 0
    patch = _uint(match.group(3)[1:]) if match.group(3) else 0
    return Version(major, minor, patch, prerelease, metadata, text)


def _compare_part(a: str, b: str) -> int:
    if a == b:
        return 0
    if not a:
        return -1
    if not b:
        return 1
    a_number = _DIGITS.issuperset(a) and int(a) <= _UINT64_MAX
    b_number = _DIGITS.issuperset(b) and int(b) <= _UINT64_MAX
    if a_number and b_number:
        return 1 if int(a) > int(b) else -1
    if a_number:
        return -1
    if b_number:
        return 1
    return 1 if a > b else -1


def _compare_prerelease(a: str, b: str) -> int:
    a_parts, b_parts = a.split("."), b.split(".")
    for i in range(max(len(a_parts), len(b_parts))):
        result = _compare_part(a_parts[i] if i < len(a_parts) else "", b_parts[i] if i < len(b_parts) else "")
        if result:
            return result
    return 0


def compare(a: Version, b: Version) -> int:
    """-1, 0 or 1 by SemVer precedence (metadata ignored): `1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0`."""
    for x, y in ((a.major, b.major), (a.minor, b.minor), (a.patch, b.patch)):
        if x != y:
            return 1 if x > y else -1
    if a.prerelease == b.prerelease:
        return 0
    if not a.prerelease:
        return 1
    if not b.prerelease:
        return -1
    return _compare_prerelease(a.prerelease, b.prerelease)


def _part_key(part: str) -> tuple[int, int, str]:
    if _DIGITS.issuperset(part) and int(part) <= _UINT64_MAX:
        return (0, int(part), "")
    return (1, 0, part)


def precedence_key(v: Version) -> tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]:
    """A sort key ordering versions as `compare` does (equal keys for equal precedence)."""
    if not v.prerelease:
        return (v.major, v.minor, v.patch, 1, ())
    return (v.major, v.minor, v.patch, 0, tuple(_part_key(part) for part in v.prerelease.split(".")))


@dataclass(frozen=True)
class Constraint:
    """One comparison of a range, such as `>=1.2` or `~1.x`; `dirty` when a part was left out or wild."""

    operator: str
    version: Version
    text: str
    dirty: bool = False
    minor_dirty: bool = False
    patch_dirty: bool = False

    def allows(self, v: Version, include_prerelease: bool) -> bool:
        if v.prerelease and not include_prerelease:
            return False
        check = _OPERATORS[self.operator]
        return check(self, v)


def _is_wild(part: str) -> bool:
    return part in _WILDCARDS


def _parse_constraint(text: str) -> Constraint:
    match = _ONE.match(text)
    if match is None:
        raise SemverError(f"improper constraint: {quote(text)}")
    operator, version_text = match.group(1), match.group(2)
    major, minor, patch, prerelease = match.group(3), match.group(4), match.group(5), match.group(6) or ""
    dirty = minor_dirty = patch_dirty = False
    if _is_wild(major):
        to_parse, dirty = f"0.0.0{prerelease}", True
    elif not minor or _is_wild(minor[1:]):
        to_parse, dirty, minor_dirty = f"{major}.0.0{prerelease}", True, True
    elif not patch or _is_wild(patch[1:]):
        to_parse, dirty, patch_dirty = f"{major}{minor}.0{prerelease}", True, True
    else:
        to_parse = version_text
    try:
        version = coerce_version(to_parse)
    except SemverError:
        # A part the pattern lets through but no number, such as `1x`: Masterminds' words.
        raise SemverError("constraint parser error") from None
    return Constraint(operator, version, version_text, dirty, minor_dirty, patch_dirty)


def _not_equal(c: Constraint, v: Version) -> bool:
    if c.dirty:
        if c.version.major != v.major:
            return True
        if c.version.minor != v.minor and not c.minor_dirty:
            return True
        if c.minor_dirty:
            return False
        if c.version.patch != v.patch and not c.patch_dirty:
            return True
        if c.patch_dirty:
            if v.prerelease or c.version.prerelease:
                return _compare_prerelease(v.prerelease, c.version.prerelease) != 0
            return False
    return compare(v, c.version) != 0


def _greater(c: Constraint, v: Version) -> bool:
    if not c.dirty:
        return compare(v, c.version) > 0
    if v.major != c.version.major:
        return v.major > c.version.major
    if c.minor_dirty:
        return False
    if c.patch_dirty:
        return v.minor > c.version.minor
    return compare(v, c.version) > 0


def _less(c: Constraint, v: Version) -> bool:
    return compare(v, c.version) < 0


def _greater_equal(c: Constraint, v: Version) -> bool:
    return compare(v, c.version) >= 0


def _less_equal(c: Constraint, v: Version) -> bool:
    if not c.dirty:
        return compare(v, c.version) <= 0
    if v.major > c.version.major:
        return False
    return not (v.major == c.version.major and v.minor > c.version.minor and not c.minor_dirty)


def _tilde(c: Constraint, v: Version) -> bool:
    con = c.version
    if compare(v, con) < 0:
        return False
    if (con.major, con.minor, con.patch) == (0, 0, 0) and not c.minor_dirty and not c.patch_dirty:
        return True
    if v.major != con.major:
        return False
    return v.minor == con.minor or c.minor_dirty


def _tilde_or_equal(c: Constraint, v: Version) -> bool:
    if c.dirty:
        return _tilde(c, v)
    return compare(v, c.version) == 0


def _caret(c: Constraint, v: Version) -> bool:
    con = c.version
    if compare(v, con) < 0:
        return False
    if con.major > 0 or c.minor_dirty:
        return v.major == con.major
    if v.major > 0:
        return False
    if con.minor > 0 or c.patch_dirty:
        return v.minor == con.minor
    if v.minor > 0:
        return False
    return v.patch == con.patch


_OPERATORS = {
    "": _tilde_or_equal,
    "=": _tilde_or_equal,
    "!=": _not_equal,
    ">": _greater,
    "<": _less,
    ">=": _greater_equal,
    "=>": _greater_equal,
    "<=": _less_equal,
    "=<": _less_equal,
    "~": _tilde,
    "~>": _tilde,
    "^": _caret,
}


@dataclass(frozen=True)
class Range:
    """A parsed range: OR of AND groups; `text` is what the user wrote."""

    text: str
    groups: tuple[tuple[Constraint, ...], ...]

    def allows(self, version: Version) -> bool:
        """Whether the version satisfies every comparison of some group.

        Prereleases only match a group that names a prerelease in one of its comparisons.
        """
        for group in self.groups:
            include_prerelease = any(c.version.prerelease for c in group)
            if all(c.allows(version, include_prerelease) for c in group):
                return True
        return False


def rewrite_hyphens(text: str) -> str:
    """`A - B` becomes `>= A, <= B ` (each match replaces its first occurrence, as Masterminds does)."""
    rewritten = text
    for match in _HYPHEN.finditer(text):
        rewritten = rewritten.replace(match.group(0), f">= {match.group(1)}, <= {match.group(11)} ", 1)
    return rewritten


def _compile_re2(pattern: str) -> Any:
    options = re2.Options()
    options.log_errors = False
    return re2.compile(pattern, options)


_VALID: Any = _compile_re2(_VALID_GROUP)


def parse_range(text: str) -> Range:
    """Parse a Masterminds/semver v3 range such as `>=1.0.0 <2.0.0`, `^1.2 || ~0.9`, `1.2.x`.

    The bounds v3.5.0 puts on length and OR groups are checked by the caller (model/policy).

    Raises:
        SemverError: `improper constraint: "<group>"` for a group that does not parse, `constraint
            parser error` for a comparison whose version has a part that is no number (`1x`).
    """
    groups = []
    for segment in rewrite_hyphens(text).split("||"):
        if _VALID.match(segment) is None:
            raise SemverError(f"improper constraint: {quote(segment)}")
        parts = [m.group(0) for m in _FIND.finditer(segment)] or [segment]
        groups.append(tuple(_parse_constraint(part) for part in parts))
    return Range(text, tuple(groups))
