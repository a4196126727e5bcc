"""What `automation diff`, `apply` and `describe --path` share: the scope, the update step, warnings.

The scope is the automation's namespace, its policy selector, its `spec.update.path` and the
ImagePolicies of the namespace, read from the cluster (with NAME), from -n and --policy-selector
(without), or from files (-f, reconciled locally first).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.model.errors import CommandError

if TYPE_CHECKING:
    from kubectl_imagerepo.checkout.update import DirectoryResult
    from kubectl_imagerepo.commands.cmdutil.command import KubeClient
    from kubectl_imagerepo.model.automation.automation import ImageUpdateAutomation
    from kubectl_imagerepo.model.automation.policies import PolicyVerdict
    from kubectl_imagerepo.model.automation.selector import Matcher
    from kubectl_imagerepo.model.automation.update import Change, Marker


@dataclass(frozen=True)
class Scope:
    """Whose markers count: the namespace, the selector, the update path, and the namespace's policies."""

    namespace: str
    selector: Matcher
    update_path: str
    policies: tuple[Mapping[str, Any], ...]
    automation: ImageUpdateAutomation | None = None


@dataclass(frozen=True)
class Plan:
    """The update step's outcome on a checkout, with paths relative to the checkout's root."""

    checkout: Path
    start: Path
    result: DirectoryResult
    verdicts: tuple[PolicyVerdict, ...]
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    outside: tuple[tuple[str, Marker], ...] = field(default=())

    def shown(self, relative: str) -> str:
        """A path of the update step (relative to the walk's root) as the user sees it."""
        return os.path.relpath(self.start / relative, self.checkout) if relative else relative

    @property
    def changes(self) -> list[tuple[str, Change]]:
        """Every change with its file as shown, in file order."""
        found = [(self.shown(f.path), c) for f in self.result.files for c in f.changes]
        return sorted(found, key=lambda pair: (pair[0], pair[1].line))

    @property
    def changed_files(self) -> list[tuple[str, str, str]]:
        """(path shown, old text, new text) of each file the controller would rewrite."""
        changed = [
            (self.shown(f.path), self.result.old_texts[f.path], f.new_text)
            for f in self.result.files
            if f.new_text is not None
        ]
        return sorted(changed)


def scope_from_cluster(
    kube: KubeClient, namespace: str, name: str | None, policy_selector: str | None
) -> Scope:
    """The scope of the automation NAME (or of -n and --policy-selector) read from the cluster."""
    from kubectl_imagerepo.commands.get import unserved_resource
    from kubectl_imagerepo.kube.client import ApiError
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.model.automation import automation as iua
    from kubectl_imagerepo.model.automation import selector as selectors

    automation = None
    selector = selectors.from_string(policy_selector)
    update_path = ""
    if name is not None:
        try:
            obj = kube.get(kube.resource_path(namespace, name, plural=iua.PLURAL))
        except ApiError as failure:
            if failure.not_found and failure.details.get("name") != name:
                raise unserved_resource(iua.PLURAL) from None
            raise
        automation = iua.ImageUpdateAutomation.from_dict(obj)
        automation.check_update()
        selector = selectors.from_label_selector(
            automation.policy_selector, f"{automation.title}: spec.policySelector"
        )
        update_path = automation.update_path
    try:
        listed = kube.list_all(kube.resource_path(namespace, plural=api.POLICY_PLURAL))
    except ApiError as failure:
        if failure.not_found:
            raise unserved_resource(api.POLICY_PLURAL) from None
        raise
    policies = tuple(listed.get("items") or [])
    return Scope(namespace, selector, update_path, policies, automation)


def run_plan(scope: Scope, checkout_dir: Path) -> Plan:
    """Run the update step (nothing written) and collect why each marker did or did not change."""
    from kubectl_imagerepo.checkout.files import secure_join
    from kubectl_imagerepo.checkout.update import update_directory
    from kubectl_imagerepo.model.automation.policies import counted, judge_policies
    from kubectl_imagerepo.model.automation.setters import setters_for

    if not checkout_dir.is_dir():
        what = "not a directory" if checkout_dir.exists() else "no such directory"
        raise CommandError(f"error: --path {checkout_dir}: {what}")
    checkout = checkout_dir.resolve()
    start = secure_join(checkout, scope.update_path) if scope.update_path else checkout
    if not start.exists():
        raise CommandError(
            f"error: spec.update.path {scope.update_path}: no such file or directory under {checkout_dir}"
        )
    verdicts = tuple(judge_policies(scope.policies, scope.namespace, scope.selector))
    result = update_directory(checkout, start, setters_for(counted(verdicts)))
    plan = Plan(checkout, start, result, verdicts, (), ())
    warnings, notes = _explain(plan, scope)
    outside: list[tuple[str, Marker]] = []
    if start != checkout:
        outside = _markers_outside(checkout, start)
        warnings += [_at(path, m.line, _outside_text(scope.update_path)) for path, m in outside]
    return Plan(checkout, start, result, verdicts, tuple(warnings), tuple(notes), tuple(outside))


def _at(path: str, line: int, message: str) -> str:
    return f"{path}:{line}: {message}" if line else f"{path}: {message}"


def _outside_text(update_path: str) -> str:
    from kubectl_imagerepo.model.automation.policies import FILE_OUTSIDE_PATH

    return FILE_OUTSIDE_PATH.format(path=update_path)


def _explain(plan: Plan, scope: Scope) -> tuple[list[str], list[str]]:
    from kubectl_imagerepo.model.automation import policies as why

    by_key = {v.key: v for v in plan.verdicts}
    warnings: list[str] = []
    notes: list[str] = []
    for skipped in plan.result.skipped:
        warnings.append(_at(plan.shown(skipped.relative), 0, why.FILE_SKIPPED.format(reason=skipped.reason)))
    for problem in plan.result.problems:
        warnings.append(
            _at(plan.shown(problem.relative), problem.line, why.FILE_UNREADABLE.format(reason=problem.reason))
        )
    for file in plan.result.files:
        shown = plan.shown(file.path)
        for marker in file.markers:
            message = why.marker_warning(marker, scope.namespace, by_key)
            if message is None:
                continue
            if message.startswith("up to date"):
                notes.append(_at(shown, marker.line, message))
            else:
                warnings.append(_at(shown, marker.line, message))
        for unread in file.unread:
            text = why.MARKER_NOT_READ if unread.valid_json else why.MARKER_BROKEN_JSON
            warnings.append(_at(shown, unread.line, text))
    return warnings, notes


def _markers_outside(checkout: Path, start: Path) -> list[tuple[str, Marker]]:
    """Markers in files of the checkout that the walk from `start` does not reach."""
    from kubectl_imagerepo.checkout.files import Candidate, walk
    from kubectl_imagerepo.model.automation.update import YAMLSyntaxError, update_text

    found: list[tuple[str, Marker]] = []
    for item in walk(checkout, checkout):
        if not isinstance(item, Candidate):
            continue
        resolved = (checkout / item.relative).resolve()
        if resolved == start or start in resolved.parents:
            continue
        try:
            result = update_text(item.relative, item.data.decode("utf-8"), {})
        except (YAMLSyntaxError, UnicodeDecodeError, RecursionError):
            continue
        found += [(item.relative, marker) for marker in result.markers]
    return found


def print_explanations(plan: Plan, err: Any) -> None:
    """The warnings (`warning: FILE:LINE: ...`) and notes (`note: ...`) on stderr, one line each."""
    for warning in plan.warnings:
        err.write(f"warning: {warning}\n")
    for note in plan.notes:
        err.write(f"note: {note}\n")
    err.flush()


def sorted_verdicts(plan: Plan) -> Sequence[PolicyVerdict]:
    """The namespace's policies as judged, by name."""
    return sorted(plan.verdicts, key=lambda v: v.name)
