"""`kubectl imagerepo describe`: kubectl's describe layout plus what a person debugging a scan needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.commands.cmdutil.scan_flags import database_option
from kubectl_imagerepo.kube.flags import kube_options
from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from pathlib import Path

    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.model.imagerepository import ImageRepository
    from kubectl_imagerepo.output.describe import PolicyAccess


@click.command("describe")
@click.argument("names", nargs=-1)
@click.option("-A", "--all-namespaces", is_flag=True, help="Describe the objects of every namespace.")
@click.option("-l", "--selector", help="Label selector to filter on, e.g. -l key1=value1,key2=value2.")
@click.option("--show-events/--no-show-events", default=True, show_default=True, help="Show the events.")
@database_option
@kube_options
@click.pass_context
def command(
    ctx: click.Context,
    names: tuple[str, ...],
    all_namespaces: bool,
    selector: str | None,
    show_events: bool,
    database: Path | None,
) -> None:
    """Show details of ImageRepositories: conditions, scan settings, latest tags, policies, events.

    A NAME that matches no object exactly describes every object whose name starts with it.
    """
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    options = DescribeOptions.complete(
        factory, names=names, all_namespaces=all_namespaces, selector=selector, show_events=show_events,
        database=database,
    )
    execute(options, factory)


@dataclass(frozen=True)
class DescribeOptions:
    """`describe [NAME...]`: which objects, whether to show their events, which tag database."""

    namespace: str
    names: tuple[str, ...] = ()
    all_namespaces: bool = False
    selector: str | None = None
    show_events: bool = True
    database: Path | None = None

    @classmethod
    def complete(
        cls,
        factory: Factory,
        *,
        names: tuple[str, ...] = (),
        all_namespaces: bool = False,
        selector: str | None = None,
        show_events: bool = True,
        database: Path | None = None,
    ) -> DescribeOptions:
        namespace = factory.client().namespace
        return cls(namespace, tuple(names), all_namespaces, selector, show_events, database)

    def validate(self) -> None:
        """Nothing to check: names and -l may go together, as in kubectl describe."""

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Describe each object found; 1 when a name matched nothing, not even as a prefix."""
        from kubectl_imagerepo.model.imagerepository import ImageRepository
        from kubectl_imagerepo.output.describe import render_describe

        namespace = None if self.all_namespaces else self.namespace
        objects, missing = described_objects(kube, self.namespace, namespace, self.names, self.selector)
        if not self.names and not objects:
            where = "" if self.all_namespaces else f" in {namespace} namespace"
            streams.echo(f"No resources found{where}.\n", err=True)
            return 0

        now = datetime.now(UTC)
        policies = _policies(kube)
        texts = []
        for obj in objects:
            repo = ImageRepository.from_dict(obj)
            events = _events(kube, repo) if self.show_events else []
            access = _access(kube, repo, policies)
            sharing = _sharing(self.database, repo)
            texts.append(render_describe(repo, events=events, policies=access, now=now, sharing=sharing))
        if texts:
            streams.echo("\n\n".join(t.rstrip("\n") for t in texts) + "\n")
        for text in missing:
            streams.echo(text + "\n", err=True)
        return 1 if missing else 0


def _sharing(database: Path | None, repo: ImageRepository) -> int | None:
    """How many objects the listing of the object's last stored scan served; None when not known.

    The database is read only when it exists: describing creates nothing.
    """
    from kubectl_imagerepo.store.database import StoreError, TagStore, default_path, object_key

    path = database or default_path()
    if not repo.uid or not path.exists():
        return None
    try:
        with TagStore(path) as store:
            stored = store.read(object_key(None, repo.uid, repo.namespace, repo.name))
            if stored is None or not stored.listing or stored.scan_time != _scan_time(repo):
                return None
            return store.served_by(stored.listing)
    except StoreError:
        return None  # describe shows what the cluster says; the database is a detail here


def _scan_time(repo: ImageRepository) -> str | None:
    scan = repo.last_scan_result
    return None if scan is None else scan.scan_time


def described_objects(
    kube: KubeClient,
    own_namespace: str,
    namespace: str | None,
    names: tuple[str, ...],
    selector: str | None,
    plural: str = api.PLURAL,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The objects to describe, and kubectl's NotFound text for each name that matched nothing.

    A name that matches no object exactly stands for every object whose name it begins (in
    `own_namespace`); without names, the objects of `namespace` (None: all) matching `selector`.
    """
    from kubectl_imagerepo.commands.cmdutil.lookup import get_named, list_matching

    if not names:
        return list_matching(kube, namespace, selector, plural=plural).objects, []
    objects: list[dict[str, Any]] = []
    missing: list[str] = []
    listed: list[dict[str, Any]] | None = None
    for name in names:
        found, gone = get_named(kube, namespace or own_namespace, [name], unique=False, plural=plural)
        objects.extend(found)
        if not gone:
            continue
        if listed is None:
            listed = list_matching(kube, namespace or own_namespace, None, plural=plural).objects
        prefixed = [o for o in listed if str(o["metadata"]["name"]).startswith(name)]
        if prefixed:
            objects.extend(prefixed)
        else:
            missing.append(gone[0].error.kubectl_text())
    return objects, missing


def _events(kube: KubeClient, repo: ImageRepository) -> list[dict[str, Any]]:
    return object_events(kube, api.KIND, repo.namespace, repo.name, repo.uid)


def object_events(
    kube: KubeClient, kind: str, namespace: str, name: str, uid: str | None
) -> list[dict[str, Any]]:
    """An object's events from core/v1, which also serves those written through events.k8s.io/v1."""
    from kubectl_imagerepo.kube.client import ApiError

    selector = f"involvedObject.name={name},involvedObject.kind={kind}"
    try:
        found = kube.get(f"/api/v1/namespaces/{namespace}/events", [("fieldSelector", selector)])
    except ApiError as failure:
        if failure.status in (403, 404):
            return []
        raise
    items: list[dict[str, Any]] = found.get("items") or []
    return [e for e in items if not uid or (e.get("involvedObject") or {}).get("uid") in (None, uid)]


def _policies(kube: KubeClient) -> list[dict[str, Any]]:
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


def _access(kube: KubeClient, repo: ImageRepository, policies: list[dict[str, Any]]) -> list[PolicyAccess]:
    """Which of the policies reference `repo`, and whether its accessFrom lets each one in."""
    from kubectl_imagerepo.kube.client import ApiError
    from kubectl_imagerepo.model.acl import access_denied_reason, policies_referencing
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
