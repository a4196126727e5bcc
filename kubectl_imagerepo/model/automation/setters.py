"""The setters a set of ImagePolicies defines: four per policy with a `latestRef`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kubectl_imagerepo.model.errors import CommandError

TOKEN = '"$imagepolicy"'
SHORTHAND = "$imagepolicy"

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_HOST = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_REPOSITORY = re.compile(rf"(?:{_HOST}/)?{_COMPONENT}(?:/{_COMPONENT})*")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"sha256:[a-f0-9]{64}")


@dataclass(frozen=True)
class Setter:
    """One setter: its name (`NS:NAME[:part]`), the value it writes, and the policy behind it."""

    name: str
    value: str
    policy: str  # NS/NAME


def latest_ref_string(ref: Mapping[str, Any]) -> str:
    """ImageRef.String(): `name:tag`, then `@digest` when there is one."""
    text = f"{ref.get('name') or ''}:{ref.get('tag') or ''}"
    if ref.get("digest"):
        text += "@" + str(ref["digest"])
    return text


def valid_reference(text: str) -> bool:
    """Whether go-containerregistry's ParseReference (weak validation) accepts the reference."""
    base, _, digest = text.partition("@")
    if digest and not _DIGEST.fullmatch(digest):
        return False
    repository, tag = base, ""
    slash = base.rfind("/")
    colon = base.rfind(":")
    if colon > slash:
        repository, tag = base[:colon], base[colon + 1 :]
        if not _TAG.fullmatch(tag):
            return False
    elif not digest:
        return _REPOSITORY.fullmatch(base) is not None
    return _REPOSITORY.fullmatch(repository) is not None


def setters_for(policies: Iterable[Mapping[str, Any]]) -> dict[str, Setter]:
    """The setters of every policy with a `status.latestRef`; a reference Go cannot parse is an error."""
    setters: dict[str, Setter] = {}
    for policy in policies:
        meta = policy.get("metadata") or {}
        ref = (policy.get("status") or {}).get("latestRef")
        if not isinstance(ref, Mapping):
            continue
        image = latest_ref_string(ref)
        if not valid_reference(image):
            raise CommandError(
                f'error: encountered invalid image ref "{image}": could not parse reference: {image}'
            )
        base = f"{meta.get('namespace') or ''}:{meta.get('name') or ''}"
        policy_id = f"{meta.get('namespace') or ''}/{meta.get('name') or ''}"
        for name, value in (
            (base, image),
            (base + ":tag", str(ref.get("tag") or "")),
            (base + ":name", str(ref.get("name") or "")),
            (base + ":digest", str(ref.get("digest") or "")),
        ):
            setters[name] = Setter(name, value, policy_id)
    return setters


def marker_setter(line_comment: str, head_comment: str) -> str | None:
    """kyaml's fieldmeta.Read: the setter a node's comment names (line comment first), if any.

    Only the first non-empty comment is read; it must be exactly a JSON object of strings once the
    leading `#`s are dropped, so a head comment of several lines never marks anything.
    """
    import json

    comment = line_comment or head_comment
    if not comment:
        return None
    try:
        data = json.loads(comment.lstrip("#"))
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(v, str) or v is None for v in data.values()):
        return None
    name = data.get(SHORTHAND)
    return name or None
