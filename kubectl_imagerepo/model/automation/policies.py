"""Which ImagePolicies an automation counts (getPolicies), and why a marker changed nothing.

The controller counts the ImagePolicies of the automation's namespace that its `policySelector`
matches and that have a `status.latestRef`; it says nothing of the others. The warnings here are the
plugin's own (docs/behaviour.md, automation): each names a file and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubectl_imagerepo.model.automation.selector import Matcher
from kubectl_imagerepo.model.automation.update import Marker

SUFFIXES = ("", ":tag", ":name", ":digest")

COUNTED = "Counted"
NO_LATEST_REF = "NoLatestRef"
NOT_SELECTED = "NotSelected"

MARKER_POLICY_MISSING = "marker names ImagePolicy {policy}, which does not exist"
MARKER_OTHER_NAMESPACE = (
    "marker names ImagePolicy {policy}, not of the automation's namespace {namespace}: "
    "the controller ignores it"
)
MARKER_UNKNOWN_SETTER = "marker names {setter}: no setter has that name (suffixes are :tag, :name, :digest)"
MARKER_NO_LATEST_REF = "ImagePolicy {policy} has no latestRef{why}: the controller leaves this value alone"
MARKER_NOT_READY = "ImagePolicy {policy} is not Ready{why}: the controller still writes its latestRef"
MARKER_NOT_SELECTED = (
    "ImagePolicy {policy} is left out by the policySelector: the controller leaves this value alone"
)
MARKER_UP_TO_DATE = "up to date: {value} ({setter})"
MARKER_NOT_READ = (
    "a \"$imagepolicy\" marker kyaml does not read here: it belongs in the line comment of the value"
)
MARKER_BROKEN_JSON = "comment mentions \"$imagepolicy\" but is not a JSON marker kyaml reads: ignored"
FILE_UNREADABLE = "kyaml cannot read this file ({reason}): the controller skips it silently"
FILE_OUTSIDE_PATH = (
    "marker outside spec.update.path ({path}): the controller does not read this file"
)
FILE_SKIPPED = "not read: {reason}"


@dataclass(frozen=True)
class PolicyVerdict:
    """One ImagePolicy of the namespace: counted or not, and why; its pick when it has one."""

    namespace: str
    name: str
    verdict: str
    latest: str | None
    ready: str  # the Ready condition's status, "" when there is none
    ready_message: str
    obj: Mapping[str, Any]

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


def _ready(obj: Mapping[str, Any]) -> tuple[str, str]:
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return str(condition.get("status") or ""), str(condition.get("message") or "")
    return "", ""


def judge_policies(
    policies: Iterable[Mapping[str, Any]], namespace: str, selector: Matcher
) -> list[PolicyVerdict]:
    """The ImagePolicies of `namespace`, each with whether getPolicies would return it."""
    from kubectl_imagerepo.model.automation.setters import latest_ref_string

    verdicts: list[PolicyVerdict] = []
    for obj in policies:
        meta = obj.get("metadata") or {}
        if (meta.get("namespace") or "") != namespace:
            continue
        ref = (obj.get("status") or {}).get("latestRef")
        latest = latest_ref_string(ref) if isinstance(ref, Mapping) else None
        labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
        if not selector(labels):
            verdict = NOT_SELECTED
        elif latest is None:
            verdict = NO_LATEST_REF
        else:
            verdict = COUNTED
        ready, message = _ready(obj)
        verdicts.append(
            PolicyVerdict(namespace, str(meta.get("name") or ""), verdict, latest, ready, message, obj)
        )
    return sorted(verdicts, key=lambda v: v.name)


def counted(verdicts: Sequence[PolicyVerdict]) -> list[Mapping[str, Any]]:
    """The policy objects the controller would hand to the update step."""
    return [v.obj for v in verdicts if v.verdict == COUNTED]


def _split_setter(setter: str) -> tuple[str, str, str]:
    """`NS:NAME[:suffix]` as (namespace, name, suffix); suffix "" for the full reference."""
    parts = setter.split(":")
    if len(parts) >= 3 and ":" + parts[-1] in SUFFIXES:
        return parts[0], ":".join(parts[1:-1]), ":" + parts[-1]
    return parts[0], ":".join(parts[1:]), ""


def marker_warning(
    marker: Marker, namespace: str, verdicts: Mapping[str, PolicyVerdict]
) -> str | None:
    """Why a marker's value does not change, or that it is up to date; None when it changes."""
    if marker.new is not None and marker.new != marker.old:
        verdict = verdicts.get(_policy_key(marker.setter))
        if verdict is not None and verdict.ready not in ("", "True"):
            return MARKER_NOT_READY.format(policy=verdict.key, why=_why(verdict))
        return None
    if marker.new is not None:
        return MARKER_UP_TO_DATE.format(value=marker.old, setter=marker.setter)
    marker_namespace, name, suffix = _split_setter(marker.setter)
    policy = f"{marker_namespace}/{name}"
    if marker_namespace != namespace:
        return MARKER_OTHER_NAMESPACE.format(policy=policy, namespace=namespace)
    verdict = verdicts.get(policy)
    if verdict is None:
        return MARKER_POLICY_MISSING.format(policy=policy)
    if ":" in name or suffix not in SUFFIXES:
        return MARKER_UNKNOWN_SETTER.format(setter=marker.setter)
    if verdict.verdict == NOT_SELECTED:
        return MARKER_NOT_SELECTED.format(policy=policy)
    if verdict.verdict == NO_LATEST_REF:
        return MARKER_NO_LATEST_REF.format(policy=policy, why=_why(verdict))
    return MARKER_UNKNOWN_SETTER.format(setter=marker.setter)


def _policy_key(setter: str) -> str:
    namespace, name, _ = _split_setter(setter)
    return f"{namespace}/{name}"


def _why(verdict: PolicyVerdict) -> str:
    if not verdict.ready:
        return " (no Ready condition)"
    return f" (Ready={verdict.ready}: {verdict.ready_message})" if verdict.ready_message else ""
