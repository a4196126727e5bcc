"""`kubectl imagerepo get`: list ImageRepositories as `kubectl get` does, with Flux's status filter.

The flow (names or a list, the table or `-o`, `-w`) is the same for every kind; a `Listing` says which
resource to read and how its table looks (`policy get` lists ImagePolicies with it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import click

from kubectl_imagerepo.kube.flags import kube_options
from kubectl_imagerepo.model.errors import CommandError, InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.model.fluxobject import Condition
    from kubectl_imagerepo.output.listing import StatusSelector
    from kubectl_imagerepo.output.printers import OutputFormat


class Listed(Protocol):
    """A typed view of a listed object: its conditions (for --status-selector) and the object itself."""

    @property
    def conditions(self) -> tuple[Condition, ...]: ...

    @property
    def raw(self) -> Mapping[str, Any]: ...


class _Row(Protocol):
    def __call__(
        self, obj: Any, now: datetime, /, *, wide: bool, all_namespaces: bool
    ) -> tuple[str, ...]: ...


class _Headers(Protocol):
    def __call__(self, *, wide: bool, all_namespaces: bool) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Listing:
    """What `get` needs to know of a kind: its resource, its typed view, and its table."""

    plural: str
    view: Callable[[Mapping[str, Any]], Listed]
    headers: _Headers
    row: _Row


def repository_listing() -> Listing:
    """ImageRepositories: output/listing.py's columns."""
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.model.imagerepository import ImageRepository
    from kubectl_imagerepo.output import listing

    return Listing(api.PLURAL, ImageRepository.from_dict, listing.headers, listing.row)


def get_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """The arguments and flags of `get` (kubectl's), shared by every kind's `get`."""
    decorators: list[Callable[[Callable[..., Any]], Any]] = [
        click.argument("names", nargs=-1),
        click.option(
            "-A", "--all-namespaces", is_flag=True, help="List the requested objects across all namespaces."
        ),
        click.option(
            "-l", "--selector", help="Label selector to filter on, e.g. -l key1=value1,key2=value2."
        ),
        click.option(
            "-o", "--output", help="Output format: json|yaml|name|wide|jsonpath=...|custom-columns=..."
        ),
        click.option("-w", "--watch", is_flag=True, help="After listing, watch for changes."),
        click.option(
            "--status-selector", help="Filter by a condition, as Flux does: type=status or type!=status."
        ),
        click.option("--no-headers", is_flag=True, help="Don't print headers in the table."),
        click.option(
            "--ignore-not-found", is_flag=True, help="Treat a named object that is missing as found."
        ),
        click.option(
            "--show-managed-fields", is_flag=True, help="Keep metadata.managedFields in JSON and YAML output."
        ),
        click.option(
            "--chunk-size", default=500, show_default=True, help="List in chunks of this many objects."
        ),
        kube_options,
        click.pass_context,
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def run_get(ctx: click.Context, listing: Listing, **flags: Any) -> None:
    """Complete the options of one kind's `get` from its flags, run it and exit."""
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    execute(GetOptions.complete(factory, listing=listing, **flags), factory)


@click.command("get")
@get_flags
def command(ctx: click.Context, **flags: Any) -> None:
    """Display one or many ImageRepositories.

    Columns: NAME, IMAGE, TAGS, READY, STATUS, LAST SCAN, AGE; `-o wide` adds SUSPENDED, INTERVAL,
    NEXT SCAN and CANONICAL IMAGE.
    """
    run_get(ctx, repository_listing(), **flags)


@dataclass(frozen=True)
class GetOptions:
    """`get [NAME...]`: what to list, how to print it, whether to watch; `listing` says which kind."""

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
    listing: Listing = field(default_factory=repository_listing)

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
        listing: Listing | None = None,
    ) -> GetOptions:
        """The printer and the status selector parsed (their errors first), then the namespace."""
        from kubectl_imagerepo.output.listing import StatusSelector

        fmt = None if output in (None, "wide") else _output_format(output)
        chosen = StatusSelector.parse(status_selector) if status_selector else None
        namespace = factory.client().namespace
        return cls(
            namespace, tuple(names), all_namespaces, selector, output, fmt, chosen, watch, no_headers,
            ignore_not_found, show_managed_fields, chunk_size, listing or repository_listing(),
        )

    @property
    def table(self) -> bool:
        return self.output in (None, "wide")

    def validate(self) -> None:
        if self.watch and len(self.names) > 1:
            raise InputError("error: you may only specify a single resource type and name when watching")

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Print the objects (then every change, with -w); 1 when a named object is missing."""
        from kubectl_imagerepo.commands.cmdutil.lookup import get_named, list_matching
        from kubectl_imagerepo.kube.client import ApiError

        namespace = None if self.all_namespaces else self.namespace
        missing: list[str] = []
        plural = self.listing.plural
        if self.names:
            objects, gone = get_named(
                kube, namespace or self.namespace, self.names, unique=False, plural=plural
            )
            if not self.ignore_not_found:
                missing = [g.error.kubectl_text() for g in gone]
            resource_version = ""
        else:
            try:
                listed = list_matching(kube, namespace, self.selector, chunk=self.chunk_size, plural=plural)
            except ApiError as failure:
                if failure.not_found:
                    raise unserved_resource(plural) from None
                raise
            objects, resource_version = listed.objects, listed.resource_version

        repos = _select(self.listing, objects, self.chosen)
        emit: Callable[[Listed], None]
        if self.table:
            printer = _TablePrinter(
                streams, self.listing, wide=self.output == "wide", all_namespaces=self.all_namespaces,
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
            _watch(
                kube, self.listing, namespace, self.names, self.selector, resource_version, self.chosen, emit
            )
        return 1 if missing else 0


def unserved_resource(plural: str) -> CommandError:
    """kubectl's error when the API server does not serve the resource (its CRD is not installed).

    Only a list tells it for sure: a NotFound for a collection is about the resource.
    """
    return CommandError(f'error: the server doesn\'t have a resource type "{plural}"')


def _shown(obj: Mapping[str, Any], show_managed_fields: bool) -> Mapping[str, Any]:
    from kubectl_imagerepo.output.printers import without_managed_fields

    return obj if show_managed_fields else without_managed_fields(obj)


def _output_format(output: str | None) -> OutputFormat:
    from kubectl_imagerepo.output.printers import parse_output

    try:
        return parse_output(output)
    except ValueError as bad:
        raise InputError(f"error: {bad}") from None


def _select(
    listing: Listing, objects: Sequence[dict[str, Any]], chosen: StatusSelector | None
) -> list[Listed]:
    from kubectl_imagerepo.output.listing import select

    return select([listing.view(o) for o in objects], chosen)


class _TablePrinter:
    """The table of `get`, printed once and then row by row while watching."""

    def __init__(
        self, streams: Streams, listing: Listing, *, wide: bool, all_namespaces: bool, no_headers: bool
    ) -> None:
        from kubectl_imagerepo.gocompat.tabwriter import TableStream

        self.streams = streams
        self.listing = listing
        self.wide, self.all_namespaces, self.no_headers = wide, all_namespaces, no_headers
        self.stream = TableStream()
        self.started = False

    def _rows(self, repos: Sequence[Listed], now: datetime) -> list[tuple[str, ...]]:
        row = self.listing.row
        return [row(r, now, wide=self.wide, all_namespaces=self.all_namespaces) for r in repos]

    def first(self, repos: Sequence[Listed], now: datetime) -> str:
        self.started = True
        headers = self.listing.headers
        names = () if self.no_headers else headers(wide=self.wide, all_namespaces=self.all_namespaces)
        return self.stream.first(names, self._rows(repos, now))

    def more(self, repo: Listed, now: datetime) -> str:
        if not self.started:
            return self.first([repo], now)
        return self.stream.row(self._rows([repo], now)[0])

    def emit(self, repo: Listed) -> None:
        """Print the row of a changed object."""
        self.streams.echo(self.more(repo, datetime.now(UTC)))


def _watch(
    kube: KubeClient,
    listing: Listing,
    namespace: str | None,
    names: tuple[str, ...],
    selector: str | None,
    resource_version: str,
    chosen: StatusSelector | None,
    emit: Callable[[Listed], None],
) -> None:
    """Print a row (or an object) for every change, until interrupted (see kube/watch.py)."""
    from kubectl_imagerepo.kube.watch import WatchRequest, list_then_watch, resource_version_of

    query: list[tuple[str, str]] = [("allowWatchBookmarks", "true")]
    if names:
        query.append(("fieldSelector", f"metadata.name={names[0]}"))
    if selector:
        query.append(("labelSelector", selector))
    path = kube.resource_path(namespace, plural=listing.plural)

    def relist() -> str:
        """Only the current resourceVersion: what is there now was printed already (or is not wanted)."""
        bare = [q for q in query if q[0] != "allowWatchBookmarks"]
        return resource_version_of(kube.get(path, [*bare, ("limit", "1")]))

    def changed(_kind: str, obj: dict[str, Any]) -> None:
        repo = listing.view(obj)
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

    def emit(self, repo: Listed) -> None:
        """Print a changed object."""
        self.print(repo.raw)
