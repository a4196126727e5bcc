"""`kubectl imagerepo get`: list ImageRepositories as `kubectl get` does, with Flux's status filter."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.kube.flags import flags_from, kube_options
from kubectl_imagerepo.model.errors import InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube
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
    from kubectl_imagerepo.kube.client import ApiError, Kube
    from kubectl_imagerepo.output.listing import StatusSelector

    table = output in (None, "wide")
    fmt = None if table else _output_format(output)
    chosen = StatusSelector.parse(status_selector) if status_selector else None
    kube = Kube(flags_from(ctx))
    namespace = None if all_namespaces else kube.namespace

    missing: list[str] = []
    if names:
        objects = []
        for name in names:
            try:
                objects.append(kube.get(kube.resource_path(namespace or kube.namespace, name)))
            except ApiError as failure:
                if not failure.not_found:
                    raise
                if not ignore_not_found:
                    missing.append(failure.kubectl_text())
        resource_version = ""
    else:
        query = [("labelSelector", selector)] if selector else []
        listed = kube.list_all(kube.resource_path(namespace), query, chunk=chunk_size)
        objects = list(listed.get("items") or [])
        resource_version = str((listed.get("metadata") or {}).get("resourceVersion") or "")

    repos = _select(objects, chosen)
    show_namespace = all_namespaces
    now = datetime.now(UTC)
    if table:
        printer = _TablePrinter(wide=output == "wide", all_namespaces=show_namespace, no_headers=no_headers)
        if repos:
            click.echo(printer.first(repos, now), nl=False)
        elif not names and not watch:
            where = "" if all_namespaces else f" in {namespace} namespace"
            click.echo(f"No resources found{where}.", err=True)
    elif watch:
        assert fmt is not None
        objects_printer = _ObjectPrinter(fmt, show_managed_fields)
        for repo in repos:
            objects_printer.print(repo.raw)
    else:
        from kubectl_imagerepo.output.printers import render_objects

        assert fmt is not None
        single = len(names) == 1 and len(repos) == 1
        click.echo(
            render_objects([_shown(r.raw, show_managed_fields) for r in repos], fmt, single=single), nl=False
        )
    for text in missing:
        click.echo(text, err=True)
    if watch:
        emit = printer.emit if table else objects_printer.emit
        _watch(kube, namespace, names, selector, resource_version, chosen, emit)
    if missing:
        sys.exit(1)


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

    def __init__(self, *, wide: bool, all_namespaces: bool, no_headers: bool) -> None:
        from kubectl_imagerepo.gocompat.tabwriter import TableStream

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
        click.echo(self.more(repo, datetime.now(UTC)), nl=False)


def _watch(
    kube: Kube,
    namespace: str | None,
    names: tuple[str, ...],
    selector: str | None,
    resource_version: str,
    chosen: StatusSelector | None,
    emit: Callable[[ImageRepository], None],
) -> None:
    """Print a row (or an object) for every change, until interrupted."""
    from kubectl_imagerepo.kube.client import ApiError
    from kubectl_imagerepo.model.imagerepository import ImageRepository

    if len(names) > 1:
        raise InputError("error: you may only specify a single resource type and name when watching")
    query: list[tuple[str, str]] = [("allowWatchBookmarks", "true")]
    if names:
        query.append(("fieldSelector", f"metadata.name={names[0]}"))
    if selector:
        query.append(("labelSelector", selector))
    path = kube.resource_path(namespace)
    while True:
        if not resource_version:
            listed = kube.get(path, [q for q in query if q[0] != "allowWatchBookmarks"] + [("limit", "1")])
            resource_version = str((listed.get("metadata") or {}).get("resourceVersion") or "")
        try:
            for event in kube.watch(path, [*query, ("resourceVersion", resource_version)]):
                obj = event.get("object") or {}
                resource_version = str((obj.get("metadata") or {}).get("resourceVersion") or resource_version)
                if event.get("type") == "BOOKMARK":
                    continue
                repo = ImageRepository.from_dict(obj)
                if chosen is None or chosen.matches(repo):
                    emit(repo)
        except ApiError as failure:
            if failure.status != 410:
                raise
            resource_version = ""  # the watch expired: start again from a fresh list


class _ObjectPrinter:
    """`-w -o json|yaml|name|jsonpath`: each object on its own, YAML documents separated by `---`."""

    def __init__(self, fmt: OutputFormat, show_managed_fields: bool) -> None:
        self.fmt = fmt
        self.show_managed_fields = show_managed_fields
        self.count = 0

    def print(self, obj: Mapping[str, Any]) -> None:
        from kubectl_imagerepo.output.printers import render_watch_event_object

        shown = _shown(obj, self.show_managed_fields)
        click.echo(render_watch_event_object(shown, self.fmt, first=self.count == 0), nl=False)
        self.count += 1

    def emit(self, repo: ImageRepository) -> None:
        """Print a changed object."""
        self.print(repo.raw)
