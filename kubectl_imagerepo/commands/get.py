"""`kubectl imagerepo get`: list ImageRepositories as `kubectl get` does, with Flux's status filter."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.kube.flags import kube_options
from kubectl_imagerepo.model.errors import InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.shared import Factory, KubeClient, Streams
    from kubectl_imagerepo.model.imagerepository import ImageRepository
    from kubectl_imagerepo.output.listing import StatusSelector
    from kubectl_imagerepo.output.printers import OutputFormat


@click.command("get")
@click.argument("names", nargs=-1)
@click.option(
    "-A", "--all-namespaces", is_flag=True, help="List the requested objects across all namespaces."
)
@click.option("-l", "--selector", help="Label selector to filter on, e.g. -l key1=value1,key2=value2.")
@click.option("-o", "--output", help="Output format: json|yaml|name|wide|jsonpath=...|custom-columns=...")
@click.option("-w", "--watch", is_flag=True, help="After listing, watch for changes.")
@click.option("--status-selector", help="Filter by a condition, as Flux does: type=status or type!=status.")
@click.option("--no-headers", is_flag=True, help="Don't print headers in the table.")
@click.option("--ignore-not-found", is_flag=True, help="Treat a named object that is missing as found.")
@click.option(
    "--show-managed-fields", is_flag=True, help="Keep metadata.managedFields in JSON and YAML output."
)
@click.option("--chunk-size", default=500, show_default=True, help="List in chunks of this many objects.")
@kube_options
@click.pass_context
def command(
    ctx: click.Context,
    names: tuple[str, ...],
    all_namespaces: bool,
    selector: str | None,
    output: str | None,
    watch: bool,
    status_selector: str | None,
    no_headers: bool,
    ignore_not_found: bool,
    show_managed_fields: bool,
    chunk_size: int,
) -> None:
    """Display one or many ImageRepositories.

    Columns: NAME, IMAGE, TAGS, READY, STATUS, LAST SCAN, AGE; `-o wide` adds SUSPENDED, INTERVAL,
    NEXT SCAN and CANONICAL IMAGE.
    """
    from kubectl_imagerepo.commands.shared import Factory, execute

    factory = Factory.from_context(ctx)
    options = GetOptions.complete(
        factory,
        names=names,
        all_namespaces=all_namespaces,
        selector=selector,
        output=output,
        watch=watch,
        status_selector=status_selector,
        no_headers=no_headers,
        ignore_not_found=ignore_not_found,
        show_managed_fields=show_managed_fields,
        chunk_size=chunk_size,
    )
    execute(options, factory)


@dataclass(frozen=True)
class GetOptions:
    """`get [NAME...]`: what to list, how to print it, whether to watch."""

    namespace: str
    names: tuple[str, ...] = ()
    all_namespaces: bool = False
    selector: str | None = None
    output: str | None = None
    fmt: OutputFormat | None = None
    chosen: StatusSelector | None = None
    watch: bool = False
    no_headers: bool = False
    ignore_not_found: bool = False
    show_managed_fields: bool = False
    chunk_size: int = 500

    @classmethod
    def complete(
        cls,
        factory: Factory,
        *,
        names: tuple[str, ...] = (),
        all_namespaces: bool = False,
        selector: str | None = None,
        output: str | None = None,
        watch: bool = False,
        status_selector: str | None = None,
        no_headers: bool = False,
        ignore_not_found: bool = False,
        show_managed_fields: bool = False,
        chunk_size: int = 500,
    ) -> GetOptions:
        """The printer and the status selector parsed (their errors first), then the namespace."""
        from kubectl_imagerepo.output.listing import StatusSelector

        fmt = None if output in (None, "wide") else _output_format(output)
        chosen = StatusSelector.parse(status_selector) if status_selector else None
        namespace = factory.client().namespace
        return cls(
            namespace, tuple(names), all_namespaces, selector, output, fmt, chosen, watch, no_headers,
            ignore_not_found, show_managed_fields, chunk_size,
        )

    @property
    def table(self) -> bool:
        return self.output in (None, "wide")

    def validate(self) -> None:
        if self.watch and len(self.names) > 1:
            raise InputError("error: you may only specify a single resource type and name when watching")

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Print the objects (then every change, with -w); 1 when a named object is missing."""
        from kubectl_imagerepo.commands.selection import get_named, list_matching

        namespace = None if self.all_namespaces else self.namespace
        missing: list[str] = []
        if self.names:
            objects, gone = get_named(kube, namespace or self.namespace, self.names, unique=False)
            if not self.ignore_not_found:
                missing = [g.error.kubectl_text() for g in gone]
            resource_version = ""
        else:
            listed = list_matching(kube, namespace, self.selector, chunk=self.chunk_size)
            objects, resource_version = listed.objects, listed.resource_version

        repos = _select(objects, self.chosen)
        emit: Callable[[ImageRepository], None]
        if self.table:
            printer = _TablePrinter(
                streams, wide=self.output == "wide", all_namespaces=self.all_namespaces,
                no_headers=self.no_headers,
            )
            emit = printer.emit
            if repos:
                streams.echo(printer.first(repos, datetime.now(UTC)))
            elif not self.names and not self.watch:
                where = "" if self.all_namespaces else f" in {namespace} namespace"
                streams.echo(f"No resources found{where}.\n", err=True)
        elif self.watch:
            assert self.fmt is not None
            objects_printer = _ObjectPrinter(streams, self.fmt, self.show_managed_fields)
            emit = objects_printer.emit
            for repo in repos:
                objects_printer.print(repo.raw)
        else:
            from kubectl_imagerepo.output.printers import render_objects

            assert self.fmt is not None
            single = len(self.names) == 1 and len(repos) == 1
            shown = [_shown(r.raw, self.show_managed_fields) for r in repos]
            streams.echo(render_objects(shown, self.fmt, single=single))
        for text in missing:
            streams.echo(text + "\n", err=True)
        if self.watch:
            _watch(kube, namespace, self.names, self.selector, resource_version, self.chosen, emit)
        return 1 if missing else 0


def _shown(obj: Mapping[str, Any], show_managed_fields: bool) -> Mapping[str, Any]:
    from kubectl_imagerepo.output.printers import without_managed_fields

    return obj if show_managed_fields else without_managed_fields(obj)


def _output_format(output: str | None) -> OutputFormat:
    from kubectl_imagerepo.output.printers import parse_output

    try:
        return parse_output(output)
    except ValueError as bad:
        raise InputError(f"error: {bad}") from None


def _select(objects: Sequence[dict[str, Any]], chosen: StatusSelector | None) -> list[ImageRepository]:
    from kubectl_imagerepo.model.imagerepository import ImageRepository
    from kubectl_imagerepo.output.listing import select

    return select([ImageRepository.from_dict(o) for o in objects], chosen)


class _TablePrinter:
    """The table of `get`, printed once and then row by row while watching."""

    def __init__(self, streams: Streams, *, wide: bool, all_namespaces: bool, no_headers: bool) -> None:
        from kubectl_imagerepo.gocompat.tabwriter import TableStream

        self.streams = streams
        self.wide, self.all_namespaces, self.no_headers = wide, all_namespaces, no_headers
        self.stream = TableStream()
        self.started = False

    def _rows(self, repos: Sequence[ImageRepository], now: datetime) -> list[tuple[str, ...]]:
        from kubectl_imagerepo.output.listing import row

        return [row(r, now, wide=self.wide, all_namespaces=self.all_namespaces) for r in repos]

    def first(self, repos: Sequence[ImageRepository], now: datetime) -> str:
        from kubectl_imagerepo.output.listing import headers

        self.started = True
        names = () if self.no_headers else headers(wide=self.wide, all_namespaces=self.all_namespaces)
        return self.stream.first(names, self._rows(repos, now))

    def more(self, repo: ImageRepository, now: datetime) -> str:
        if not self.started:
            return self.first([repo], now)
        return self.stream.row(self._rows([repo], now)[0])

    def emit(self, repo: ImageRepository) -> None:
        """Print the row of a changed object."""
        self.streams.echo(self.more(repo, datetime.now(UTC)))


def _watch(
    kube: KubeClient,
    namespace: str | None,
    names: tuple[str, ...],
    selector: str | None,
    resource_version: str,
    chosen: StatusSelector | None,
    emit: Callable[[ImageRepository], None],
) -> None:
    """Print a row (or an object) for every change, until interrupted (see kube/watch.py)."""
    from kubectl_imagerepo.kube.watch import WatchRequest, list_then_watch, resource_version_of
    from kubectl_imagerepo.model.imagerepository import ImageRepository

    query: list[tuple[str, str]] = [("allowWatchBookmarks", "true")]
    if names:
        query.append(("fieldSelector", f"metadata.name={names[0]}"))
    if selector:
        query.append(("labelSelector", selector))
    path = kube.resource_path(namespace)

    def relist() -> str:
        """Only the current resourceVersion: what is there now was printed already (or is not wanted)."""
        bare = [q for q in query if q[0] != "allowWatchBookmarks"]
        return resource_version_of(kube.get(path, [*bare, ("limit", "1")]))

    def changed(_kind: str, obj: dict[str, Any]) -> None:
        repo = ImageRepository.from_dict(obj)
        if chosen is None or chosen.matches(repo):
            emit(repo)

    list_then_watch(
        kube,
        path,
        relist=relist,
        request=lambda version: WatchRequest([*query, ("resourceVersion", version)]),
        on_event=changed,
        resource_version=resource_version,
    )


class _ObjectPrinter:
    """`-w -o json|yaml|name|jsonpath`: each object on its own, YAML documents separated by `---`."""

    def __init__(self, streams: Streams, fmt: OutputFormat, show_managed_fields: bool) -> None:
        self.streams = streams
        self.fmt = fmt
        self.show_managed_fields = show_managed_fields
        self.count = 0

    def print(self, obj: Mapping[str, Any]) -> None:
        from kubectl_imagerepo.output.printers import render_watch_event_object

        shown = _shown(obj, self.show_managed_fields)
        self.streams.echo(render_watch_event_object(shown, self.fmt, first=self.count == 0))
        self.count += 1

    def emit(self, repo: ImageRepository) -> None:
        """Print a changed object."""
        self.print(repo.raw)
