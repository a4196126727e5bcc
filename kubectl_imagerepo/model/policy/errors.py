"""The texts and reasons an ImagePolicy's tag selection fails with, and the errors that carry them.

Texts are image-reflector-controller v1.2.4's, byte for byte; `{…}` fields are filled with `str.format`.
"""

from __future__ import annotations

__all__ = [
    "CONSTRAINT_TOO_LONG",
    "EMPTY_VERSION_LIST",
    "FILTER_FAILED",
    "INVALID_CHOICE",
    "INVALID_NUMERIC_VALUE",
    "INVALID_ORDER",
    "INVALID_PATTERN",
    "INVALID_POLICY",
    "NO_LATEST_VERSION",
    "NO_TAGS_IN_DATABASE",
    "READ_TAGS_FAILED",
    "REASON_DEPENDENCY_NOT_READY",
    "REASON_FAILURE",
    "REASON_INVALID_POLICY",
    "RETRYING",
    "TOO_MANY_CONSTRAINT_GROUPS",
    "InvalidPolicyError",
    "NoTagsError",
    "NotANumberError",
    "PatternError",
    "PolicyError",
    "SelectionError",
]

# Condition reasons: Stalled for an invalid policy, Ready=False otherwise.
REASON_INVALID_POLICY = "InvalidPolicy"
REASON_DEPENDENCY_NOT_READY = "DependencyNotReady"
REASON_FAILURE = "Failure"

# The policy cannot be built (Stalled, InvalidPolicy).
INVALID_POLICY = "invalid policy: {error}"
INVALID_CHOICE = "given ImagePolicyChoice object is invalid"
INVALID_ORDER = "invalid order argument provided: '{order}', must be one of: ASC, DESC"
FILTER_FAILED = "failed to filter tags: {error}"
INVALID_PATTERN = "invalid regular expression pattern '{pattern}': {error}"
# Masterminds/semver v3.5.0's bounds on a range, checked before anything else is parsed.
CONSTRAINT_TOO_LONG = "constraint string is too long (max 512 bytes)"
TOO_MANY_CONSTRAINT_GROUPS = "too many constraint groups (max 32)"

# No tags to choose from (Ready=False, DependencyNotReady; the reconciler wraps it in RETRYING).
NO_TAGS_IN_DATABASE = "no tags in database"
RETRYING = "retrying in {interval} error: {error}"
READ_TAGS_FAILED = "failed to read tags from database: {error}"

# The policy ran and picked nothing (Ready=False, Failure).
EMPTY_VERSION_LIST = "version list argument cannot be empty"
NO_LATEST_VERSION = "unable to determine latest version from provided list"
INVALID_NUMERIC_VALUE = "failed to parse invalid numeric value '{value}'"


class PolicyError(ValueError):
    """Why a policy picks no tag: str() is the controller's message, `reason` its condition reason."""

    reason = REASON_FAILURE


class InvalidPolicyError(PolicyError):
    """The policy itself is wrong; the controller stalls until the spec changes."""

    reason = REASON_INVALID_POLICY


class PatternError(InvalidPolicyError):
    """`filterTags.pattern` does not compile; `detail` is the message without `failed to filter tags: `."""

    def __init__(self, pattern: str, error: str) -> None:
        self.detail = INVALID_PATTERN.format(pattern=pattern, error=error)
        super().__init__(FILTER_FAILED.format(error=self.detail))


class NoTagsError(PolicyError):
    """The repository has no stored tags yet."""

    reason = REASON_DEPENDENCY_NOT_READY

    def __init__(self) -> None:
        super().__init__(NO_TAGS_IN_DATABASE)


class SelectionError(PolicyError):
    """The policy ran over the tags and could not pick one."""


class NotANumberError(SelectionError):
    """A numerical policy met a value `strconv.ParseFloat` rejects, which fails the whole policy."""

    def __init__(self, value: str) -> None:
        super().__init__(INVALID_NUMERIC_VALUE.format(value=value))
        self.value = value
