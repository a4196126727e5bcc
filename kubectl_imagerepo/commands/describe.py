"""`kubectl imagerepo describe`: kubectl's describe layout plus what a person debugging a scan needs."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.kube.flags import flags_from, kube_options
from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.model.imagerepository import ImageRepository
    from kubectl_imagerepo.output.describe import PolicyAccess


@click.command("describe")
@click.argument("names", nargs=-1)
@click.option("-A", "--all-namespaces", is_flag=True, help="Describe the objects of every namespace.")
@click.option("-l", "--selector", help="Label selector to filter on, e.g. -l key1=value1,key2=value2.")
@click.option("--show-events/--no-show-events", default=True, show_default=True, help="Show the events.")
@kube_options
@click.pass_context
def command(
    ctx: click.Context, names: tuple[str, ...], all_namespaces: bool, selector: str | None, show_events: bool
) -> None:
    """Show details of ImageRepositories: conditions, scan settings, latest tags, policies, events.

    A NAME that matches no object exactly describes every object whose name starts with it.
    """
    from kubectl_imagerepo.kube.client import ApiError, Kube
    from kubectl_imagerepo.model.imagerepository import ImageRepository

    kube = Kube(flags_from(ctx))
    namespace = None if all_namespaces else kube.namespace
    objects: list[dict[str, Any]] = []
    missing: list[str] = []
    if names:
        listed: list[dict[str, Any]] | None = None
        for name in names:
            try:
                objects.append(kube.get(kube.resource_path(namespace or kube.namespace, name)))
            except ApiError as failure:
                if not failure.not_found:
                    raise
                if listed is None:
                    listed = kube.list_all(kube.resource_path(namespace or kube.namespace))["items"]
                prefixed = [o for o in listed if str(o["metadata"]["name"]).startswith(name)]
                if prefixed:
                    objects.extend(prefixed)
                else:
                    missing.append(failure.kubectl_text())
    else:
        query = [("labelSelector", selector)] if selector else []
        objects = kube.list_all(kube.resource_path(namespace), query)["items"]
        if not objects:
            where = "" if all_namespaces else f" in {namespace} namespace"
            click.echo(f"No resources found{where}.", err=True)
            return

    from kubectl_imagerepo.output.describe import render_describe

    now = datetime.now(UTC)
    policies = _policies(kube)
    texts = []
    for obj in objects:
        repo = ImageRepository.from_dict(obj)
        events = _events(kube, repo) if show_events else []
        texts.append(render_describe(repo, events=events, policies=_access(kube, repo, policies), now=now))
    if texts:
        click.echo("\n\n".join(t.rstrip("\n") for t in texts))
    for text in missing:
        click.echo(text, err=True)
    if missing:
        sys.exit(1)


def _events(kube: Kube, repo: ImageRepository) -> list[dict[str, Any]]:
    """The object's events from core/v1, which also serves those written through events.k8s.io/v1."""
    from kubectl_imagerepo.kube.client import ApiError

    selector = f"involvedObject.name={repo.name},involvedObject.kind={api.KIND}"
    try:
        found = kube.get(f"/api/v1/namespaces/{repo.namespace}/events", [("fieldSelector", selector)])
    except ApiError as failure:
        if failure.status in (403, 404):
            return []
        raise
    items: list[dict[str, Any]] = found.get("items") or []
    return [
        e for e in items if not repo.uid or (e.get("involvedObject") or {}).get("uid") in (None, repo.uid)
    ]


def _policies(kube: Kube) -> list[dict[str, Any]]:
    """Every ImagePolicy the user may list; none when the CRD is absent or access is denied."""
    from kubectl_imagerepo.kube.client import ApiError
    from kubectl_imagerepo.model.errors import CommandError

    try:
        path = kube.resource_path(None, plural=api.POLICY_PLURAL)
        items: list[dict[str, Any]] = kube.list_all(path)["items"]
        return items
    except ApiError as failure:
        if failure.status in (403, 404):
            return []
        raise
    except CommandError:
        return []


def _access(kube: Kube, repo: ImageRepository, policies: list[dict[str, Any]]) -> list[PolicyAccess]:
    """Which of the policies reference `repo`, and whether its accessFrom lets each one in."""
    from kubectl_imagerepo.kube.client import ApiError
    from kubectl_imagerepo.model.access import access_denied_reason, policies_referencing
    from kubectl_imagerepo.output.describe import PolicyAccess

    result = []
    labels_of: dict[str, dict[str, str]] = {}
    for policy in policies_referencing(repo, policies):
        meta = policy.get("metadata") or {}
        ns, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
        if ns not in labels_of:
            try:
                labels_of[ns] = dict(
                    (kube.get(f"/api/v1/namespaces/{ns}").get("metadata") or {}).get("labels") or {}
                )
            except ApiError:
                labels_of[ns] = {}
        denied = access_denied_reason(ns, repo, labels_of[ns])
        result.append(PolicyAccess(namespace=ns, name=name, allowed=denied is None, reason=denied or ""))
    return result
