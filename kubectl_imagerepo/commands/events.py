"""`kubectl imagerepo events`: the events of ImageRepositories, as `kubectl events --for` lists them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.kube.flags import kube_options
from kubectl_imagerepo.model.errors import CommandError, InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.output.eventlist import Event, EventApi
    from kubectl_imagerepo.output.printers import OutputFormat


@click.command("events")
@click.argument("name", required=False)
@click.option(
    "-A",
    "--all-namespaces",
    is_flag=True,
    help="List the events of ImageRepositories in every namespace.",
)
@click.option(
    "--types",
    multiple=True,
    metavar="Normal,Warning",
    help="Output only events of given types (comma-separated, or the flag repeated).",
)
@click.option(
    "-w", "--watch", is_flag=True, help="After listing the requested events, watch for more events."
)
@click.option("-o", "--output", help="Output format: json|yaml|name|jsonpath=...|jsonpath-as-json=...")
@click.option("--no-headers", is_flag=True, help="When using the default output format, don't print headers.")
@click.option("--chunk-size", default=500, show_default=True, help="List in chunks of this many events.")
@click.option(
    "--show-managed-fields",
    is_flag=True,
    help="If true, keep the managedFields when printing objects in JSON or YAML format.",
)
@kube_options
@click.pass_context
def command(
    ctx: click.Context,
    name: str | None,
    all_namespaces: bool,
    types: tuple[str, ...],
    watch: bool,
    output: str | None,
    no_headers: bool,
    chunk_size: int,
    show_managed_fields: bool,
) -> None:
    """List the events of ImageRepositories, oldest first: all of them, or those of NAME.

    Events are read through both the core/v1 and the events.k8s.io/v1 API, each event once, and are
    matched by kind and name only, so events recorded against older API versions show up too.
    """
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    options = EventsOptions.complete(
        factory,
        name=name,
        all_namespaces=all_namespaces,
        types=types,
        watch=watch,
        output=output,
        no_headers=no_headers,
        chunk_size=chunk_size,
        show_managed_fields=show_managed_fields,
    )
    execute(options, factory)


@dataclass(frozen=True)
class EventsOptions:
    """`events [NAME]`: which events, in which format, and whether to watch for more."""

    namespace: str
    name: str | None = None
    all_namespaces: bool = False
    types: tuple[str, ...] = ()
    fmt: OutputFormat | None = None
    watch: bool = False
    no_headers: bool = False
    chunk_size: int = 500
    show_managed_fields: bool = False

    @classmethod
    def complete(
        cls,
        factory: Factory,
        *,
        name: str | None = None,
        all_namespaces: bool = False,
        types: tuple[str, ...] = (),
        watch: bool = False,
        output: str | None = None,
        no_headers: bool = False,
        chunk_size: int = 500,
        show_managed_fields: bool = False,
    ) -> EventsOptions:
        """The format and the types parsed (their errors first), then the namespace."""
        from kubectl_imagerepo.output import eventlist

        fmt = _output_format(output)
        try:
            wanted = tuple(eventlist.parse_types(types))
        except ValueError as bad:
            raise InputError(f"error: {bad}") from None
        namespace = factory.client().namespace
        return cls(
            namespace, name, all_namespaces, wanted, fmt, watch, no_headers, chunk_size, show_managed_fields
        )

    def validate(self) -> None:
        """Nothing is left to check: `complete` parsed the format and the types."""

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Print the events (then every new one, with -w)."""
        from kubectl_imagerepo.output import eventlist

        namespace = None if self.all_namespaces else self.namespace
        listings, watch_from = _list(kube, namespace, self.name, self.chunk_size)
        found = eventlist.sort_events(eventlist.select_types(eventlist.merge(*listings.values()), self.types))
        printer = _Printer(
            streams,
            self.fmt,
            all_namespaces=self.all_namespaces,
            no_headers=self.no_headers,
            show_managed_fields=self.show_managed_fields,
        )
        if self.watch:
            printer.emit(found)
            source, resource_version = watch_from
            _watch(kube, source, namespace, self.name, resource_version, self.types, self.chunk_size, printer)
            return 0
        if not found:
            streams.echo(eventlist.no_events_message(namespace) + "\n", err=True)
            return 0
        streams.echo(printer.listing(found))
        return 0


def _output_format(output: str | None) -> OutputFormat | None:
    """The `-o` format, None for the table; kubectl's message for a format `events` does not print."""
    if not output:
        return None
    from kubectl_imagerepo.output.formats import EVENT_FORMATS
    from kubectl_imagerepo.output.jsonpath import go_quote
    from kubectl_imagerepo.output.printers import parse_output

    if output.partition("=")[0] not in EVENT_FORMATS:
        raise InputError(
            f"error: unable to match a printer suitable for the output format {go_quote(output)}, "
            f"allowed formats are: {','.join(EVENT_FORMATS)}"
        )
    try:
        return parse_output(output)
    except ValueError as bad:
        raise InputError(f"error: {bad}") from None


def _list(
    kube: KubeClient, namespace: str | None, name: str | None, chunk_size: int
) -> tuple[dict[EventApi, list[Any]], tuple[EventApi, str]]:
    """The events listed through each API that answers, and where a watch starts (API, resourceVersion).

    An API that is forbidden or not served is skipped; when neither answers, the core/v1 error is raised.
    """
    from kubectl_imagerepo.kube.client import ApiError
    from kubectl_imagerepo.output.eventlist import EVENT_APIS

    listings: dict[EventApi, list[Any]] = {}
    versions: dict[EventApi, str] = {}
    failures: list[ApiError] = []
    for source in EVENT_APIS:
        query = [("fieldSelector", source.field_selector(name))]
        try:
            listed = kube.list_all(source.path(namespace), query, chunk=chunk_size)
        except ApiError as failure:
            if failure.status not in (403, 404):
                raise
            failures.append(failure)
            continue
        listings[source] = list(listed.get("items") or [])
        versions[source] = str((listed.get("metadata") or {}).get("resourceVersion") or "")
    if not listings:
        raise failures[0]
    first = next(iter(versions))
    return listings, (first, versions[first])


class _Printer:
    """Events as a table (printed in pieces while watching) or as objects, each version printed once."""

    def __init__(
        self,
        streams: Streams,
        fmt: OutputFormat | None,
        *,
        all_namespaces: bool,
        no_headers: bool,
        show_managed_fields: bool,
    ) -> None:
        from kubectl_imagerepo.gocompat.tabwriter import TableStream

        self.streams = streams
        self.fmt = fmt
        self.all_namespaces = all_namespaces
        self.no_headers = no_headers
        self.show_managed_fields = show_managed_fields
        self.stream = TableStream(no_headers=no_headers)
        self.started = False
        self.objects = 0
        self.printed: dict[str, str] = {}  # uid -> the resourceVersion printed last

    def listing(self, events: Sequence[Event]) -> str:
        """The whole list at once: the table, or an EventList (`-o name`: one line per event)."""
        from kubectl_imagerepo.output import eventlist
        from kubectl_imagerepo.output.printers import render_objects

        if self.fmt is None:
            return eventlist.render(
                events, datetime.now(UTC), all_namespaces=self.all_namespaces, no_headers=self.no_headers
            )
        try:
            if self.fmt.kind == "name":
                return render_objects([e.core for e in events], self.fmt, single=False)
            listed = eventlist.event_list(events, show_managed_fields=self.show_managed_fields)
            return render_objects([listed], self.fmt, single=True)
        except ValueError as bad:
            raise CommandError(f"error: {bad}") from None

    def emit(self, events: Sequence[Event]) -> None:
        """Print the events not printed yet in this version: table rows, or one object each."""
        fresh = [e for e in events if not e.uid or self.printed.get(e.uid) != e.resource_version]
        for event in fresh:
            self.printed[event.uid] = event.resource_version
        if not fresh:
            return
        if self.fmt is None:
            self.streams.echo(self._rows(fresh))
            return
        from kubectl_imagerepo.output.eventlist import printable
        from kubectl_imagerepo.output.printers import render_watch_event_object

        for event in fresh:
            obj = printable(event, show_managed_fields=self.show_managed_fields)
            try:
                text = render_watch_event_object(obj, self.fmt, first=self.objects == 0)
            except ValueError as bad:
                raise CommandError(f"error: {bad}") from None
            self.streams.echo(text)
            self.objects += 1

    def _rows(self, events: Sequence[Event]) -> str:
        from kubectl_imagerepo.output.eventlist import headers

        now = datetime.now(UTC)
        rows = [e.row(now, all_namespaces=self.all_namespaces) for e in events]
        if not self.started:
            self.started = True
            return self.stream.first(headers(all_namespaces=self.all_namespaces), rows)
        return "".join(self.stream.row(row) for row in rows)


def _watch(
    kube: KubeClient,
    source: EventApi,
    namespace: str | None,
    name: str | None,
    resource_version: str,
    types: Sequence[str],
    chunk_size: int,
    printer: _Printer,
) -> None:
    """Print every event added or recorded again from `resource_version` on, until interrupted.

    One API is watched (core/v1 unless only events.k8s.io/v1 answered): both serve the same events.
    When the watch expires, the events are listed again and those not printed yet are printed.
    """
    from kubectl_imagerepo.kube.watch import WatchRequest, list_then_watch, resource_version_of
    from kubectl_imagerepo.output import eventlist

    selector = ("fieldSelector", source.field_selector(name))
    path = source.path(namespace)

    def relist() -> str:
        listed = kube.list_all(path, [selector], chunk=chunk_size)
        events = eventlist.merge(listed.get("items") or [])
        printer.emit(eventlist.sort_events(eventlist.select_types(events, types)))
        return resource_version_of(listed)

    def changed(kind: str, obj: dict[str, Any]) -> None:
        if kind not in ("ADDED", "MODIFIED"):
            return  # deleted (expired) events are not printed, as kubectl
        event = eventlist.Event.read(obj)
        if eventlist.type_selected(event.type, types):
            printer.emit([event])

    list_then_watch(
        kube,
        path,
        relist=relist,
        request=lambda version: WatchRequest(
            [selector, ("allowWatchBookmarks", "true"), ("resourceVersion", version)]
        ),
        on_event=changed,
        resource_version=resource_version,
    )
