"""`kubectl imagerepo policy describe`: kubectl's describe layout, and how each policy evaluates here.

The evaluation runs over the tags this machine's database holds for the referenced ImageRepository
(the ones `policy reconcile` would use); nothing is scanned and the database is never created.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.commands.cmdutil.scan_flags import database_option
from kubectl_imagerepo.kube.flags import kube_options

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.model.imagepolicy import ImagePolicy
    from kubectl_imagerepo.output.policy_describe import RepositoryLookup
    from kubectl_imagerepo.reconcile.policy_sources import RepositorySource
    from kubectl_imagerepo.store.database import TagStore


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
    """Show details of ImagePolicies: conditions, and how the policy evaluates over the stored tags.

    The Evaluation section names the ImageRepository and whether the policy may use it, then replays
    the choice over the tags the local database holds for it: what the filter and the policy left out,
    the first 10 candidates in the policy's order, the pick and its digest.
    A NAME that matches no object exactly describes every object whose name starts with it.
    """
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    options = PolicyDescribeOptions.complete(
        factory,
        names=names,
        all_namespaces=all_namespaces,
        selector=selector,
        show_events=show_events,
        database=database,
    )
    execute(options, factory)


@dataclass(frozen=True)
class PolicyDescribeOptions:
    """`policy describe [NAME...]`: which objects, whether to show their events, which tag database."""

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
    ) -> PolicyDescribeOptions:
        namespace = factory.client().namespace
        return cls(namespace, tuple(names), all_namespaces, selector, show_events, database)

    def validate(self) -> None:
        """Nothing to check: names and -l may go together, as in kubectl describe."""

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Describe each object found; 1 when a name matched nothing, not even as a prefix."""
        from kubectl_imagerepo.commands.cmdutil.command import as_kube
        from kubectl_imagerepo.commands.describe import described_objects, object_events
        from kubectl_imagerepo.commands.get import unserved_resource
        from kubectl_imagerepo.kube.client import ApiError
        from kubectl_imagerepo.model import api
        from kubectl_imagerepo.model.errors import CommandError
        from kubectl_imagerepo.model.imagepolicy import ImagePolicy
        from kubectl_imagerepo.model.policy.evaluation import evaluate
        from kubectl_imagerepo.output.policy_describe import render_policy_describe
        from kubectl_imagerepo.reconcile.policy_sources import ClusterRepositories
        from kubectl_imagerepo.store.database import StoreError, TagStore, default_path

        namespace = None if self.all_namespaces else self.namespace
        try:
            objects, missing = described_objects(
                kube, self.namespace, namespace, self.names, self.selector, plural=api.POLICY_PLURAL
            )
        except ApiError as failure:
            if failure.not_found:  # only a list lets it through: the resource is not served
                raise unserved_resource(api.POLICY_PLURAL) from None
            raise
        if not self.names and not objects:
            where = "" if self.all_namespaces else f" in {namespace} namespace"
            streams.echo(f"No resources found{where}.\n", err=True)
            return 0

        now = datetime.now(UTC)
        source = ClusterRepositories(as_kube(kube))
        path = self.database or default_path()
        texts = []
        store: TagStore | None = None
        try:
            # A database that does not exist holds no tags: describing creates nothing.
            store = TagStore(path) if objects and path.exists() else None
            for obj in objects:
                policy = ImagePolicy.from_dict(obj)
                lookup = repository_lookup(source, policy)
                tags = _stored_tags(store, lookup)
                evaluation = evaluate(policy.inputs(), tags)
                events = (
                    object_events(kube, api.POLICY_KIND, policy.namespace, policy.name, policy.uid)
                    if self.show_events
                    else []
                )
                texts.append(
                    render_policy_describe(
                        policy, repository=lookup, evaluation=evaluation, events=events, now=now
                    )
                )
        except StoreError as failure:
            raise CommandError(f"error: {failure}") from None
        finally:
            if store is not None:
                store.close()
        if texts:
            streams.echo("\n\n".join(t.rstrip("\n") for t in texts) + "\n")
        for text in missing:
            streams.echo(text + "\n", err=True)
        return 1 if missing else 0


def _stored_tags(store: TagStore | None, lookup: RepositoryLookup) -> list[str]:
    """The tags this machine stored for the repository found, if any."""
    from kubectl_imagerepo.store.database import object_key

    if store is None or not lookup.uid:
        return []
    return list(store.tags(object_key(None, lookup.uid, lookup.namespace, lookup.name)))


def repository_lookup(source: RepositorySource, policy: ImagePolicy) -> RepositoryLookup:
    """The referenced ImageRepository and the verdict of the controller's access check on it.

    A repository in another namespace needs the policy namespace's labels; when they cannot be read,
    the controller denies access with the error, and so does the verdict.
    """
    from kubectl_imagerepo.model.acl import access_denied_reason
    from kubectl_imagerepo.model.errors import InputError
    from kubectl_imagerepo.model.imagerepository import ImageRepository
    from kubectl_imagerepo.output.policy_describe import ALLOWED, RepositoryLookup
    from kubectl_imagerepo.reconcile.policy_sources import SourceError, repository_not_found

    namespace, name = policy.repository_namespace(), policy.image_repository_ref.name
    try:
        found: Mapping[str, Any] | None = source.repository(namespace, name)
    except SourceError as failure:
        return RepositoryLookup(namespace, name, None, f"unreadable: {failure}")
    if found is None:
        return RepositoryLookup(namespace, name, None, f"not found: {repository_not_found(name)}")
    try:
        repo = ImageRepository.from_dict(found)
    except InputError as failure:
        return RepositoryLookup(namespace, name, None, f"unreadable: {str(failure).removeprefix('error: ')}")
    labels: Mapping[str, str] = {}
    if repo.namespace and repo.namespace != policy.namespace:
        try:
            labels = source.namespace_labels(policy.namespace)
        except SourceError as failure:
            return RepositoryLookup(namespace, name, repo.image, f"denied: {failure}", repo.uid)
    denied = access_denied_reason(policy.namespace, repo, labels)
    verdict = ALLOWED if denied is None else f"denied: {denied}"
    return RepositoryLookup(namespace, name, repo.image, verdict, repo.uid)
