"""`automation diff -f FILE…`: the scope from manifests, with no cluster.

ImageRepositories in the files are scanned and their ImagePolicies resolved first, as `reconcile -f`
does; policies of files without repositories count with the status they carry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from kubectl_imagerepo.model.errors import CommandError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.automation.plan import Scope
    from kubectl_imagerepo.commands.cmdutil.command import Streams
    from kubectl_imagerepo.model.manifests import Manifests


@dataclass(frozen=True)
class LocalRun:
    """How to reconcile the files' objects: the tag database, feature gates, progress shown or not."""

    database: Path | None
    gates: frozenset[str]
    quiet: bool


def scope_from_files(
    files: Sequence[IO[str]],
    namespace: str,
    name: str | None,
    policy_selector: str | None,
    run: LocalRun,
    streams: Streams,
) -> Scope:
    """The scope the files describe: the automation NAME among them, or -n and --policy-selector."""
    from kubectl_imagerepo.commands.automation.plan import Scope
    from kubectl_imagerepo.model.automation import automation as iua
    from kubectl_imagerepo.model.automation import selector as selectors
    from kubectl_imagerepo.model.manifests import Manifests, load_manifests, read_text

    merged = Manifests((), ())
    automations: list[Mapping[str, Any]] = []
    sources: list[str] = []
    for stream in files:
        source = "stdin" if stream.name in ("<stdin>", "-") else stream.name
        sources.append(source)
        text = read_text(stream, source)
        found = load_manifests(text, source, namespace)
        merged = Manifests(
            merged.repositories + found.repositories,
            merged.secrets + found.secrets,
            merged.service_accounts + found.service_accounts,
            merged.policies + found.policies,
            merged.namespaces + found.namespaces,
        )
        automations += _automations(text, namespace)
    policies = list(merged.policies)
    if merged.repositories:
        policies = _resolved_policies(merged, ", ".join(sources), run, streams)
    if name is None:
        return Scope(namespace, selectors.from_string(policy_selector), "", tuple(policies))
    chosen = [
        a for a in automations if (a["metadata"].get("name"), a["metadata"]["namespace"]) == (name, namespace)
    ]
    if not chosen:
        raise CommandError(f"error: {iua.KIND} {namespace}/{name} not found in {', '.join(sources)}")
    automation = iua.ImageUpdateAutomation.from_dict(chosen[0])
    automation.check_update()
    where = f"{automation.title}: spec.policySelector"
    selector = selectors.from_label_selector(automation.policy_selector, where)
    return Scope(namespace, selector, automation.update_path, tuple(policies), automation)


def _automations(text: str, namespace: str) -> list[Mapping[str, Any]]:
    """The ImageUpdateAutomations of a manifest text, their namespace defaulted."""
    import yaml

    from kubectl_imagerepo.model.automation.automation import KIND

    found: list[Mapping[str, Any]] = []
    for document in yaml.safe_load_all(text):
        is_list = isinstance(document, dict) and document.get("kind") == "List"
        items = document.get("items") if is_list else [document]
        for item in items or []:
            if isinstance(item, dict) and item.get("kind") == KIND:
                metadata = dict(item.get("metadata") or {})
                metadata.setdefault("namespace", namespace)
                found.append({**item, "metadata": metadata})
    return found


def _resolved_policies(
    manifests: Manifests, source: str, run: LocalRun, streams: Streams
) -> list[dict[str, Any]]:
    """Scan the repositories, then resolve the policies over them, as `reconcile -f` does."""
    from kubectl_imagerepo.commands.cmdutil.selection import Selection
    from kubectl_imagerepo.commands.reconcile import ReconcileOptions, reconcile_file_objects
    from kubectl_imagerepo.model import api

    options = ReconcileOptions(Selection(), None, run.gates, run.database, quiet=run.quiet)
    objects, _ = reconcile_file_objects(manifests, source, options, streams)
    return [obj for obj in objects if obj.get("kind") == api.POLICY_KIND]
