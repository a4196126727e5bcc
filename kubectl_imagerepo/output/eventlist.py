"""What `events` prints: the events of ImageRepositories from both Event APIs, as `kubectl events` lists them.

The API server keeps one store of events and serves it as core/v1 Events (`involvedObject`, `message`,
`firstTimestamp`, `lastTimestamp`, `count`) and as events.k8s.io/v1 Events (`regarding`, `note`,
`eventTime`, `series`, `deprecated*`). Both shapes are read into one `Event`; the same event seen through
both APIs has one uid and is kept once. Nothing here talks to the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from kubectl_imagerepo.gocompat.tabwriter import render_table
from kubectl_imagerepo.gocompat.unicode import trim_space
from kubectl_imagerepo.model import api
from kubectl_imagerepo.output.describe import EventSummary, event_text

EVENT_TYPES = ("Normal", "Warning")
TYPES_ERROR = "valid --types are Normal or Warning"
HEADERS = ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE")

@dataclass(frozen=True)
class EventApi:
    """One of the two APIs that serve Events, and the field that names the object an event is about."""

    prefix: str
    object_field: str

    def path(self, namespace: str | None) -> str:
        """The collection: `<prefix>/namespaces/<ns>/events`, or `<prefix>/events` for every namespace."""
        where = f"/namespaces/{quote(namespace, safe='')}" if namespace else ""
        return f"{self.prefix}{where}/events"

    def field_selector(self, name: str | None = None) -> str:
        """Events about ImageRepositories (named `name`, when given), by kind and name only, as flux does.

        No apiVersion term, unlike `kubectl events --for`: events recorded against v1beta2 are found too.
        """
        terms = [f"{self.object_field}.kind={_escape_selector_value(api.KIND)}"]
        if name is not None:
            terms.append(f"{self.object_field}.name={_escape_selector_value(name)}")
        return ",".join(terms)


CORE_V1 = EventApi("/api/v1", "involvedObject")
EVENTS_V1 = EventApi("/apis/events.k8s.io/v1", "regarding")
EVENT_APIS = (CORE_V1, EVENTS_V1)
"""Both APIs, core/v1 first: its copy of an event is the one kept (and printed by `-o json`)."""


def _escape_selector_value(value: str) -> str:
    """apimachinery's fields.EscapeValue: `\\`, `,` and `=` are backslash-escaped."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def parse_types(values: Iterable[str]) -> tuple[str, ...]:
    """The `--types` flag, given once or more, each a comma-separated list; `()` means every type.

    Names compare case-insensitively, as kubectl's; an empty flag value adds nothing, as pflag's string
    slices. Raises ValueError("valid --types are Normal or Warning") for anything else.
    """
    types: list[str] = []
    for value in values:
        if value == "":
            continue
        for item in value.split(","):
            if not any(item.lower() == known.lower() for known in EVENT_TYPES):
                raise ValueError(TYPES_ERROR)
            if item.lower() not in (seen.lower() for seen in types):
                types.append(item)
    return tuple(types)


def type_selected(event_type: str, types: Sequence[str]) -> bool:
    """Whether `--types` lets an event of `event_type` through (all do when no types were given)."""
    return not types or any(event_type.lower() == wanted.lower() for wanted in types)


_TYPE_META = ("kind", "apiVersion")
# Fields only an events.k8s.io/v1 Event has; its list items come without apiVersion.
_EVENTS_V1_FIELDS = (
    "regarding",
    "note",
    "reportingController",
    "deprecatedSource",
    "deprecatedFirstTimestamp",
    "deprecatedLastTimestamp",
    "deprecatedCount",
)


# events.k8s.io/v1 field -> core/v1 field, in the order of core/v1's Event type.
_CORE_V1_FIELDS = {
    "metadata": "metadata",
    "regarding": "involvedObject",
    "reason": "reason",
    "note": "message",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
    "type": "type",
    "eventTime": "eventTime",
    "series": "series",
    "action": "action",
    "related": "related",
    "reportingController": "reportingComponent",
    "reportingInstance": "reportingInstance",
}


def is_events_v1(event: Mapping[str, Any]) -> bool:
    """Whether `event` has the events.k8s.io/v1 shape (by its apiVersion, else by its fields)."""
    version = str(event.get("apiVersion") or "")
    if version:
        return version.startswith("events.k8s.io/")
    return "involvedObject" not in event and any(name in event for name in _EVENTS_V1_FIELDS)


def as_core_v1(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event as a core/v1 Event, `kind` and `apiVersion` set as kubectl sets them before printing.

    A core/v1 Event is copied; an events.k8s.io/v1 Event is converted as the API server converts it
    (`regarding` -> `involvedObject`, `note` -> `message`, `deprecated*` -> the old fields, ...).
    """
    if not is_events_v1(event):
        return {
            "kind": "Event",
            "apiVersion": "v1",
            **{k: v for k, v in event.items() if k not in _TYPE_META},
        }
    core: dict[str, Any] = {"kind": "Event", "apiVersion": "v1"}
    for new, old in _CORE_V1_FIELDS.items():
        if new in event:
            core[old] = event[new]
    return core


@dataclass(frozen=True)
class Event:
    """An event about an ImageRepository, read from either Event API.

    `message` is the note or message trimmed as Go's strings.TrimSpace; `timing` (describe's reading of
    the same event) gives the LAST SEEN text and the sort order; `core` is the event as a core/v1 Event.
    """

    namespace: str
    name: str
    uid: str
    resource_version: str
    object_kind: str
    object_name: str
    type: str
    reason: str
    message: str
    timing: EventSummary
    core: Mapping[str, Any] = field(compare=False, repr=False)

    @classmethod
    def read(cls, event: Mapping[str, Any]) -> Event:
        """Read a core/v1 or an events.k8s.io/v1 Event."""
        return cls(
            namespace=event_text(event, "metadata.namespace"),
            name=event_text(event, "metadata.name"),
            uid=event_text(event, "metadata.uid"),
            resource_version=event_text(event, "metadata.resourceVersion"),
            object_kind=event_text(event, "involvedObject.kind", "regarding.kind"),
            object_name=event_text(event, "involvedObject.name", "regarding.name"),
            type=event_text(event, "type"),
            reason=event_text(event, "reason"),
            message=trim_space(event_text(event, "message", "note")),
            timing=EventSummary.read(event),
            core=as_core_v1(event),
        )

    @property
    def version(self) -> tuple[str, str]:
        """(uid, resourceVersion): what changes when the event is recorded again."""
        return self.uid, self.resource_version

    def row(self, now: datetime, *, all_namespaces: bool = False) -> tuple[str, ...]:
        """The table row: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE, with NAMESPACE first for `-A`.

        Cells are not yet escaped: the table printer cuts them at a line break and escapes ESC and CR.
        """
        cells = (
            self.timing.age(now),
            self.type,
            self.reason,
            f"{self.object_kind}/{self.object_name}",
            self.message,
        )
        return (self.namespace, *cells) if all_namespaces else cells


def merge(*listings: Iterable[Mapping[str, Any]]) -> list[Event]:
    """The events of several listings, each kept once (the first copy of a uid wins), in listing order."""
    events: list[Event] = []
    uids: set[str] = set()
    for listing in listings:
        for raw in listing:
            event = Event.read(raw)
            if event.uid and event.uid in uids:
                continue
            uids.add(event.uid)
            events.append(event)
    return events


def select_types(events: Iterable[Event], types: Sequence[str]) -> list[Event]:
    """The events whose type `--types` lets through."""
    return [event for event in events if type_selected(event.type, types)]


def sort_events(events: Iterable[Event]) -> list[Event]:
    """Oldest to newest by when they last happened (series, last, event, first time); unknown times first.

    The sort is stable: events that happened at the same time keep their order.
    """
    return sorted(events, key=lambda event: event.timing.when())


def headers(*, all_namespaces: bool = False) -> tuple[str, ...]:
    """The column names, with NAMESPACE first for `-A`."""
    return ("NAMESPACE", *HEADERS) if all_namespaces else HEADERS


def render(
    events: Sequence[Event], now: datetime, *, all_namespaces: bool = False, no_headers: bool = False
) -> str:
    """The table of `events`, in the order given; empty for no events."""
    rows = [event.row(now, all_namespaces=all_namespaces) for event in events]
    return render_table(headers(all_namespaces=all_namespaces), rows, no_headers=no_headers)


def printable(event: Event, *, show_managed_fields: bool = False) -> dict[str, Any]:
    """The event as `kubectl events -o json|yaml` prints it: core/v1, without managedFields unless asked."""
    from kubectl_imagerepo.output.printers import without_managed_fields

    return dict(event.core) if show_managed_fields else without_managed_fields(event.core)


def event_list(events: Sequence[Event], *, show_managed_fields: bool = False) -> dict[str, Any]:
    """The `v1 EventList` that `kubectl events -o json|yaml` prints: `printable` events, empty metadata."""
    items = [printable(event, show_managed_fields=show_managed_fields) for event in events]
    return {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": items}


def no_events_message(namespace: str | None) -> str:
    """What an empty result says on stderr: in a namespace, or across all of them (None)."""
    return "No events found." if namespace is None else f"No events found in {namespace} namespace."
