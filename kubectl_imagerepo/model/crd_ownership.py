"""Who holds a CRD's fields when `install`'s server-side apply conflicts, and the line that says so.

The API server refuses an apply that would change a field another field manager owns (409 Conflict,
one `FieldManagerConflict` cause per field, its message `conflict with "<manager>" …`). `install`
reads those causes and prints one line per CRD; see docs/behaviour.md, Command output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The field managers of Flux's own appliers: kustomize-controller and helm-controller reconciling a
# cluster's sources, and the flux CLI (`flux install`, `flux bootstrap`).
FLUX_MANAGERS = ("kustomize-controller", "helm-controller", "flux")
FIELD_MANAGER_CONFLICT = "FieldManagerConflict"
CRD_RESOURCE = "customresourcedefinition.apiextensions.k8s.io"
FIELDS_NAMED = 3  # the conflicting fields a line names before `…`
UNCHANGED = "nothing was changed"
FORCE_HINT = f"{UNCHANGED} (--force-conflicts takes the fields over)"

_MANAGER = re.compile(r'conflict with "((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class ApplyConflict:
    """A CRD the apply would take from other managers: who they are and which fields, in server order."""

    crd: str
    managers: tuple[str, ...]
    fields: tuple[str, ...]

    @property
    def flux(self) -> bool:
        """Whether every manager holding a conflicting field is one of Flux's."""
        return bool(self.managers) and all(m in FLUX_MANAGERS for m in self.managers)


def conflict_of(crd: str, details: Mapping[str, Any]) -> ApplyConflict:
    """The conflict a 409's Status `details` describes; managers and fields once each, in order."""
    managers: dict[str, None] = {}
    fields: dict[str, None] = {}
    for cause in details.get("causes") or []:
        if not isinstance(cause, Mapping) or cause.get("reason") != FIELD_MANAGER_CONFLICT:
            continue
        found = _MANAGER.search(str(cause.get("message") or ""))
        if found:
            managers[found.group(1).replace('\\"', '"')] = None
        if cause.get("field"):
            fields[str(cause["field"])] = None
    return ApplyConflict(crd, tuple(managers), tuple(fields))


def storage_version(crd: Mapping[str, Any]) -> str:
    """The version a CRD stores: the one the plugin reads and writes its objects in."""
    versions = (crd.get("spec") or {}).get("versions") or []
    return next((str(v["name"]) for v in versions if v.get("storage")), "")


def served_versions(crd: Mapping[str, Any]) -> tuple[str, ...]:
    """The versions a CRD serves, in its order."""
    versions = (crd.get("spec") or {}).get("versions") or []
    return tuple(str(v.get("name")) for v in versions if v.get("served"))


def conflict_line(conflict: ApplyConflict, kind: str, needed: str, served: tuple[str, ...]) -> str:
    """One line for a CRD whose fields others manage, naming the first FIELDS_NAMED fields; for Flux's
    managers, whether the cluster serves what the plugin needs (`needed`, the shipped CRD's stored
    version, among `served`).
    """
    managers = ", ".join(f'"{m}"' for m in conflict.managers) or "another field manager"
    count = len(conflict.fields)
    fields = f"{count} field{'s' if count != 1 else ''}"
    if conflict.fields:
        named = ", ".join(conflict.fields[:FIELDS_NAMED])
        fields += f" ({named}{', …' if count > FIELDS_NAMED else ''})"
    head = f"error: {CRD_RESOURCE}/{conflict.crd}: {fields} managed by {managers}"
    if not conflict.flux:
        return f"{head}: {FORCE_HINT}"
    if needed in served:
        return f"{head} (Flux): the cluster already serves {kind} {needed}, all the plugin needs; {UNCHANGED}"
    shown = ", ".join(served) or "none"
    lacking = f"the cluster serves {kind} {shown}, not {needed}, which the plugin needs"
    return f"{head} (Flux): {lacking}; {FORCE_HINT}"
