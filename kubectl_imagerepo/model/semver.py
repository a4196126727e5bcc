"""Semantic versions and version ranges as a Flux ImagePolicy's `semver.range` reads them.

Tags are parsed as Flux's `version.ParseVersion` does: strict SemVer 2.0.0 (`MAJOR.MINOR.PATCH`, no
leading zeros, optional `-prerelease` and `+metadata`), with one leading `v` allowed. Ranges follow
Masterminds/semver v3 `NewConstraint`: comparisons (`=`, `!=`, `>`, `<`, `>=`, `=>`, `<=`, `=<`),
tilde (`~`, `~>`), caret (`^`), wildcards (`1.x`, `1.2.*`, `*`), hyphen ranges (`1.2 - 3.4.5`),
AND with spaces or commas, OR with `||`. A prerelease version only satisfies an AND group in which
some comparison names a prerelease.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kubectl_imagerepo.gocompat.strconv import quote

__all__ = [
    "Constraint",
    "Range",
    "SemverError",
    "Version",
    "compare",
    "parse_range",
    "parse_tag",
    "precedence_key",
]

_UINT64_MAX = (1 << 64) - 1
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
_VALID = re.compile(rf"\A({_S}*({_OPS}){_S}*({_CV}){_S}*)((?:{_S}+|,{_S}*)({_OPS}){_S}*({_CV}){_S}*)*\Z")
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


def _strict(text: str, original: str) -> Version:
    """Masterminds `StrictNewVersion`: exactly three numeric parts without leading zeros."""
    if not text:
        raise SemverError("version string empty")
    parts = text.split(".", 2)
    if len(parts) != 3:
        raise SemverError("invalid semantic version")
    metadata = prerelease = ""
    last = parts[2]
    if "+" in last:
        last, metadata = last.split("+", 1)
        _check_metadata(metadata)
    if "-" in last:
        last, prerelease = last.split("-", 1)
        _check_prerelease(prerelease)
    numbers = [parts[0], parts[1], last]
    for number in numbers:
        if not _DIGITS.issuperset(number):
            raise SemverError("invalid characters in version")
        if len(number) > 1 and number[0] == "0":
            raise SemverError("version segment starts with 0")
        if not number:
            raise SemverError("invalid semantic version")
    major, minor, patch = (_uint(number) for number in numbers)
    return Version(major, minor, patch, prerelease, metadata, original)


def parse_tag(tag: str) -> Version | None:
    """The version of a tag as Flux's semver policy reads it, or None when the tag is no version.

    `1.2.3`, `v1.2.3`, `1.2.3-rc.1+build.5` are versions; `1.2`, `01.2.3`, `vv1.2.3`, `V1.2.3` are not.
    """
    try:
        return _strict(tag.removeprefix("v"), tag)
    except SemverError:
        return None


def _loose(text: str) -> Version:
    """Masterminds `NewVersion` (coercing): missing minor and patch are 0, leading zeros allowed."""
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
        version = _loose(to_parse)
    except SemverError:
        raise SemverError(f"improper constraint: {quote(text)}") from None
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


def _rewrite_hyphens(text: str) -> str:
    """`A - B` becomes `>= A, <= B ` (each match replaces its first occurrence, as Masterminds does)."""
    rewritten = text
    for match in _HYPHEN.finditer(text):
        rewritten = rewritten.replace(match.group(0), f">= {match.group(1)}, <= {match.group(11)} ", 1)
    return rewritten


def parse_range(text: str) -> Range:
    """Parse a Masterminds/semver v3 range such as `>=1.0.0 <2.0.0`, `^1.2 || ~0.9`, `1.2.x`.

    Raises:
        SemverError: `improper constraint: <group>` for a group that does not parse.
    """
    groups = []
    for segment in _rewrite_hyphens(text).split("||"):
        if _VALID.match(segment) is None:
            raise SemverError(f"improper constraint: {quote(segment)}")
        parts = [m.group(0) for m in _FIND.finditer(segment)] or [segment]
        groups.append(tuple(_parse_constraint(part) for part in parts))
    return Range(text, tuple(groups))
