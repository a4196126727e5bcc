"""`kubectl imagerepo tags NAME`: every tag the last scan of an ImageRepository stored locally.

With `--policy POLICY` the tags are an ImagePolicy's candidates in its order (commands/tags_by_policy.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from kubectl_imagerepo.commands.cmdutil.scan_flags import quiet_option, scan_options
from kubectl_imagerepo.model.errors import CommandError, InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.model.imagepolicy import ImagePolicy
    from kubectl_imagerepo.model.tagquery import TagQuery
    from kubectl_imagerepo.store.database import ObjectKey, StoredScan

API_VERSION = "imagerepo.kubectl-plugin/v1alpha1"
KIND = "TagList"
_BATCH = 2000


@click.command("tags")
@click.argument("name")
@click.option(
    "--filter",
    "pattern",
    metavar="REGEX",
    help="Keep the tags this RE2 pattern matches anywhere, as an ImagePolicy's filterTags.pattern.",
)
@click.option(
    "--semver",
    "version_range",
    metavar="RANGE",
    help="Keep the versions in this ImagePolicy semver range (e.g. '>=1.0.0 <2.0.0', '^1.2', '1.x'); "
    "ranks by semver unless --sort says otherwise.",
)
@click.option("--sort", type=click.Choice(["alpha", "semver", "numeric"]), help="Rank as this policy.")
@click.option(
    "--order",
    type=click.Choice(["asc", "desc"]),
    help="The policy's order (default asc: the highest is the latest). Tags print latest first, so "
    "--limit 1 is what such an ImagePolicy selects.",
)
@click.option(
    "--policy",
    metavar="POLICY",
    help="List the candidates of this ImagePolicy (of the same namespace, referencing NAME) in its "
    "order, its pick first. Not with --filter, --semver, --sort or --order: the policy decides.",
)
@click.option(
    "--explain",
    metavar="TAG",
    help="With --policy: say in one line why TAG is or is not the policy's pick.",
)
@click.option("--limit", type=click.IntRange(min=0), help="Print at most this many tags.")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["json", "yaml", "name"]),
    help="json or yaml: a TagList; name: IMAGE:TAG per line. Default: one tag per line.",
)
@click.option("--scan", is_flag=True, help="Reconcile the object first, as `reconcile NAME` does.")
@quiet_option
@scan_options
def command(
    ctx: click.Context,
    name: str,
    pattern: str | None,
    version_range: str | None,
    sort: str | None,
    order: str | None,
    policy: str | None,
    explain: str | None,
    limit: int | None,
    output: str | None,
    scan: bool,
    quiet: bool,
    database: Path | None,
    feature_gates: str,
) -> None:
    """List every tag a scan stored for an ImageRepository, from the local tag database.

    Without a stored scan of the object (or with --scan) the object is reconciled first, exactly as
    `kubectl imagerepo reconcile NAME`. Without --sort or --semver the tags keep their stored order.
    With --policy they come in that ImagePolicy's order; --explain TAG says why TAG is or is not its pick.
    """
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    options = TagsOptions.complete(
        factory,
        name=name,
        pattern=pattern,
        version_range=version_range,
        sort=sort,
        order=order,
        policy=policy,
        explain=explain,
        limit=limit,
        output=output,
        scan=scan,
        quiet=quiet,
        database=database,
        feature_gates=feature_gates,
    )
    execute(options, factory)


@dataclass(frozen=True)
class TagsOptions:
    """`tags NAME`: the query over the stored tags (or the ImagePolicy ranking them); whether to scan."""

    name: str
    namespace: str
    query: TagQuery
    gates: frozenset[str]
    output: str | None = None
    scan: bool = False
    quiet: bool = False
    database: Path | None = None
    policy: str | None = None
    explain: str | None = None

    @classmethod
    def complete(
        cls,
        factory: Factory,
        *,
        name: str,
        pattern: str | None = None,
        version_range: str | None = None,
        sort: str | None = None,
        order: str | None = None,
        policy: str | None = None,
        explain: str | None = None,
        limit: int | None = None,
        output: str | None = None,
        scan: bool = False,
        quiet: bool = False,
        database: Path | None = None,
        feature_gates: str = "",
    ) -> TagsOptions:
        """The query compiled (its errors are the user's), the gates parsed, the namespace resolved.

        With --policy only --limit and the outputs shape the listing (see tags_by_policy.check_flags).
        """
        from kubectl_imagerepo.commands.cmdutil.scan_flags import parse_feature_gates
        from kubectl_imagerepo.commands.tags_by_policy import check_flags
        from kubectl_imagerepo.model.tagquery import QueryError, compile_query

        ranking = {"--filter": pattern, "--semver": version_range, "--sort": sort, "--order": order}
        listing = {"--limit": limit, "--output": output}
        check_flags(
            policy=policy,
            explain=explain,
            given=[flag for flag, value in ranking.items() if value is not None],
            listing=[flag for flag, value in listing.items() if value is not None],
        )
        try:
            query = compile_query(
                pattern=pattern, version_range=version_range, sort=sort, order=order, limit=limit
            )
        except QueryError as error:
            raise InputError(f"error: {error}") from None
        gates = parse_feature_gates(feature_gates)
        namespace = factory.client().namespace
        return cls(name, namespace, query, gates, output, scan, quiet, database, policy, explain)

    def validate(self) -> None:
        """Nothing is left to check: click checked the choices, `complete` the query and the flags."""

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Read the policy if any, scan when asked or when nothing is stored, then print to `out`."""
        from kubectl_imagerepo.commands.cmdutil.repository_scan import ScanRequest, reconcile_selected
        from kubectl_imagerepo.commands.cmdutil.selection import Selection, select
        from kubectl_imagerepo.commands.tags_by_policy import PolicyRun, read_policy, repository_exclusions
        from kubectl_imagerepo.store.database import StoreError, TagStore, default_path, object_key

        policy = None if self.policy is None else read_policy(kube, self.namespace, self.policy, self.name)
        # --explain tells excluded tags by the repository's exclusion list, read before the store opens.
        exclusions = None
        if policy is not None and self.explain is not None:
            exclusions = repository_exclusions(kube, self.namespace, self.name)
        path = self.database or default_path()
        # The tags are keyed by the object's UID: read it (and say so when it is missing).
        selected = select(kube, self.namespace, Selection((self.name,)))
        uid = selected.objects[0]["metadata"].get("uid") if selected.objects else None
        try:
            key = object_key(None, uid, self.namespace, self.name) if uid else None
            if key is None or self.scan or _stored(path, key) is None:
                request = ScanRequest(self.database, self.gates, concurrency=1, quiet=self.quiet)
                code = reconcile_selected(kube, selected, request, streams.err)
                if code != 0 or key is None:
                    return code or 1
            with TagStore(path) as store:
                stored = store.read(key)
                if stored is None:
                    raise CommandError(f'error: no scan of "{self.name}" is stored in {path}')
                if policy is not None and self.explain is not None:
                    line = PolicyRun(policy).explain(store.tags(key), self.explain, exclusions)
                    streams.out.write(line + "\n")
                    return 0
                tags = self._selected(policy, store.tags(key))
                _write(streams.out, self.output, key, stored, tags)
        except StoreError as failure:
            raise CommandError(f"error: {failure}") from None
        return 0

    def _selected(self, policy: ImagePolicy | None, stored_tags: Iterator[str]) -> Iterator[str]:
        """The tags to print: the policy's candidates in its order, else the query's selection."""
        from kubectl_imagerepo.commands.tags_by_policy import PolicyRun
        from kubectl_imagerepo.model.tagquery import NumericTagError

        if policy is not None:
            return PolicyRun(policy).ranked(stored_tags, self.query.limit)
        selected_tags = self.query.select(stored_tags)
        try:
            first = next(selected_tags, None)
        except NumericTagError as error:
            raise CommandError(f"error: --sort numeric: {error}") from None
        return selected_tags if first is None else _chain(first, selected_tags)


def _stored(path: Path, key: ObjectKey) -> StoredScan | None:
    from kubectl_imagerepo.store.database import TagStore

    with TagStore(path) as store:
        return store.read(key)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _batched_lines(lines: Iterable[str], out: TextIO) -> None:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= _BATCH:
            out.write("".join(batch))
            batch.clear()
    out.write("".join(batch))


def _write(out: TextIO, output: str | None, key: ObjectKey, stored: StoredScan, tags: Iterator[str]) -> None:
    if output is None:
        _batched_lines((f"{tag}\n" for tag in tags), out)
    elif output == "name":
        _batched_lines((f"{stored.canonical_name}:{tag}\n" for tag in tags), out)
    elif output == "json":
        _write_json(out, _envelope(key, stored), tags)
    else:
        _write_yaml(out, _envelope(key, stored), tags)
    out.flush()


def _envelope(key: ObjectKey, stored: StoredScan) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": key.name, "namespace": key.namespace},
        "canonicalImageName": stored.canonical_name,
        "revision": stored.revision,
        "scanTime": stored.scan_time,
    }


def _write_json(out: TextIO, envelope: dict[str, Any], tags: Iterator[str]) -> None:
    """The envelope with 4-space indents, its `tags` written as they come."""
    head = json.dumps(envelope, indent=4, ensure_ascii=False)
    out.write(head[: head.rindex("}")].rstrip() + ',\n    "tags": [')
    first = next(tags, None)
    if first is None:
        out.write("]\n}\n")
        return
    out.write(f"\n        {json.dumps(first, ensure_ascii=False)}")
    _batched_lines((f",\n        {json.dumps(tag, ensure_ascii=False)}" for tag in tags), out)
    out.write("\n    ]\n}\n")


def _write_yaml(out: TextIO, envelope: dict[str, Any], tags: Iterator[str]) -> None:
    """The envelope as YAML, then `tags:` as a block sequence written as the tags come."""
    import re

    import yaml

    out.write(yaml.safe_dump(envelope, sort_keys=False, default_flow_style=False, allow_unicode=True))
    first = next(tags, None)
    if first is None:
        out.write("tags: []\n")
        return
    resolve: Callable[[Any, str, tuple[bool, bool]], str] = yaml.resolver.Resolver().resolve
    plain = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")

    def scalar(tag: str) -> str:
        if plain.fullmatch(tag) and resolve(yaml.ScalarNode, tag, (True, False)) == ("tag:yaml.org,2002:str"):
            return tag
        return json.dumps(tag, ensure_ascii=False)

    out.write(f"tags:\n- {scalar(first)}\n")
    _batched_lines((f"- {scalar(tag)}\n" for tag in tags), out)
