"""What `describe` prints: kubectl's generic describe layout plus sections for debugging a scan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kubectl_imagerepo.gocompat.ages import age, human_duration, parse_time
from kubectl_imagerepo.gocompat.durations import format_go_duration
from kubectl_imagerepo.gocompat.fmt import sprint
from kubectl_imagerepo.gocompat.tabwriter import TabWriter, escape_terminal
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.model.fluxobject import Condition
from kubectl_imagerepo.model.imagerepository import ImageRepository, credentials_source

NONE = "<none>"
LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
# kubectl's generic describer leaves these out of the object dump: they are printed above it.
SKIPPED_FIELDS = frozenset(
    {
        ".metadata.managedFields",
        ".metadata.name",
        ".metadata.namespace",
        ".metadata.labels",
        ".metadata.annotations",
    }
)
MAX_ANNOTATION_LENGTH = 140
ACRONYMS = ("API", "URL", "UID", "GUID")


@dataclass(frozen=True)
class PolicyAccess:
    """An ImagePolicy that references the described object, and whether `accessFrom` admits it.

    `reason` explains a denial (for instance the text of `access.access_denied_reason`); it is not
    printed for an allowed policy.
    """

    namespace: str
    name: str
    allowed: bool
    reason: str = ""


def render_describe(
    repo: ImageRepository,
    *,
    events: Sequence[Mapping[str, Any]],
    policies: Sequence[PolicyAccess],
    now: datetime,
    sharing: int | None = None,
) -> str:
    """Render one object the way `kubectl describe` does, then the sections a person debugging needs.

    The first part is kubectl's generic describer verbatim: `Name`, `Namespace`, `Labels`,
    `Annotations`, then the whole object sorted by field name with "smart" labels. Then come a
    `Conditions` table, `Scan` (effective timeout and exclusion list, credentials source, last and
    next scan, tag count, latest tags), `Image Policies` and, last, `Events` as kubectl prints them.

    Args:
        repo: The object.
        events: Its events, core/v1 or events.k8s.io/v1 shaped, in any order.
        policies: The ImagePolicies that reference it, with their access verdicts.
        now: The time ages and the next scan are computed against (timezone-aware).
        sharing: How many objects the listing of the last scan served (this machine's database), if known.

    Returns:
        The text, ending with a newline.
    """
    w = PrefixWriter()
    write_object(w, repo.name, repo.namespace, repo.labels, repo.annotations, repo.raw)
    write_conditions(w, repo.conditions)
    _write_scan(w, repo, now, sharing)
    _write_policies(w, policies)
    write_events(w, events, now)
    return w.text()


# --- kubectl's generic describer -------------------------------------------------------------


def write_object(
    w: PrefixWriter,
    name: str,
    namespace: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
    raw: Mapping[str, Any],
) -> None:
    """kubectl's generic part: `Name`, `Namespace`, `Labels`, `Annotations`, then the object dumped."""
    w.write(0, f"Name:\t{name}\n")
    w.write(0, f"Namespace:\t{namespace}\n")
    _write_labels(w, "Labels", labels)
    _write_annotations(w, "Annotations", annotations)
    _write_unstructured(w, 0, raw, "")


def smart_label(field: str) -> str:
    """Turn a JSON field name into kubectl describe's label: `lastScanResult` -> `Last Scan Result`.

    camelCase is split and lower-case words are title-cased; API, URL, UID and GUID are upper-cased;
    a run of capitals followed by a capitalised word stays one word (`HTTPSProxy`). A name with
    anything but letters and `-` (such as a label key) is returned unchanged.
    """
    if any(not (char.isalpha() or char == "-") for char in field):
        return field
    parts = _camel_split(field)
    merged: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else ""
        capitals = all(char.isupper() for char in part if char.isalpha())
        if len(part) >= 2 and capitals and following[:1].isupper():
            merged.append(part + following)
            index += 2
        else:
            merged.append(part)
            index += 1
    words = []
    for part in merged:
        if part == "_":
            continue
        if part.upper() in ACRONYMS:
            part = part.upper()
        elif part.lower() == part:
            part = part.title()
        words.append(part)
    return " ".join(words)


def _camel_split(text: str) -> list[str]:
    """Split into runs of lower-case, upper-case, digits and others; `PDFL|oader` -> `PDF|Loader`."""
    runs: list[list[str]] = []
    previous = 0
    for char in text:
        kind = 1 if char.islower() else 2 if char.isupper() else 3 if char.isdigit() else 4
        if runs and kind == previous:
            runs[-1].append(char)
        else:
            runs.append([char])
        previous = kind
    for index in range(len(runs) - 1):
        if runs[index][0].isupper() and runs[index + 1][0].islower():
            runs[index + 1].insert(0, runs[index].pop())
    return ["".join(run) for run in runs if run]


def _write_unstructured(w: PrefixWriter, level: int, content: Mapping[Any, Any], path: str) -> None:
    """kubectl's `printUnstructuredContent`: every field sorted by name, maps and lists nested."""
    for field in sorted(content, key=str):
        value = content[field]
        here = f"{path}.{field}"
        if here in SKIPPED_FIELDS:
            continue
        label = smart_label(str(field))
        if isinstance(value, Mapping):
            w.write(level, f"{label}:\n")
            _write_unstructured(w, level + 1, value, here)
        elif isinstance(value, list | tuple):
            w.write(level, f"{label}:\n")
            for child in value:
                if isinstance(child, Mapping):
                    _write_unstructured(w, level + 1, child, here)
                else:
                    w.write(level + 1, f"{sprint(child)}\n")
        else:
            w.write(level, f"{label}:\t{sprint(value)}\n")


def _write_labels(w: PrefixWriter, title: str, labels: Mapping[str, str]) -> None:
    """kubectl's `printLabelsMultiline`: `key=value` lines, sorted, aligned; `<none>` when empty."""
    if not labels:
        w.write(0, f"{title}:\t{NONE}\n")
        return
    for index, key in enumerate(sorted(labels)):
        lead = f"{title}:\t" if index == 0 else "\t"
        w.write(0, f"{lead}{key}={labels[key]}\n")


def _write_annotations(w: PrefixWriter, title: str, annotations: Mapping[str, str]) -> None:
    """kubectl's `printAnnotationsMultiline`: like labels, long or multi-line values wrapped."""
    keys = sorted(key for key in annotations if key != LAST_APPLIED_ANNOTATION)
    if not keys:
        w.write(0, f"{title}:\t{NONE}\n")
        return
    for index, key in enumerate(keys):
        lead = f"{title}:\t" if index == 0 else "\t"
        value = annotations[key].removesuffix("\n")
        if _byte_length(key) + _byte_length(value) + 2 > MAX_ANNOTATION_LENGTH or "\n" in value:
            w.write(0, f"{lead}{key}:\n")
            for line in value.split("\n"):
                w.write(0, f"\t  {_shorten(line, MAX_ANNOTATION_LENGTH - 2)}\n")
        else:
            w.write(0, f"{lead}{key}: {value}\n")


def _byte_length(text: str) -> int:
    return len(text.encode())


def _shorten(text: str, limit: int) -> str:
    """Cut to `limit` UTF-8 bytes plus `...`, as kubectl does (never inside a character)."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode(errors="ignore") + "..."


# --- sections added for debugging ------------------------------------------------------------


def _one_line(text: str) -> str:
    """A table cell: trimmed, cut at the first newline with `...` as kubectl's tables do."""
    text = text.strip()
    first, newline, _ = text.partition("\n")
    return first + "..." if newline else first


def write_conditions(w: PrefixWriter, conditions: Sequence[Condition]) -> None:
    """The `Conditions` table: type, status, reason and the message's first line."""
    w.flush()
    if not conditions:
        w.write(0, f"Conditions:\t{NONE}\n")
        return
    w.write(0, "Conditions:\n  Type\tStatus\tReason\tMessage\n")
    w.write(1, "----\t------\t------\t-------\n")
    for condition in conditions:
        w.write(
            1, f"{condition.type}\t{condition.status}\t{condition.reason}\t{_one_line(condition.message)}\n"
        )


def _timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with second precision, as the controller writes its times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _last_scan(repo: ImageRepository, now: datetime) -> str:
    try:
        scanned = repo.last_scan_time()
    except InputError:  # not RFC 3339: show the stored text as is
        return (repo.last_scan_result.scan_time if repo.last_scan_result else None) or ""
    if scanned is None:
        return "<never>"
    return f"{_timestamp(scanned)} ({human_duration((now - scanned).total_seconds())} ago)"


def _next_scan(repo: ImageRepository, now: datetime) -> str:
    if repo.suspend:
        return "<suspended>"
    try:
        due = repo.next_scan_time()
    except InputError:
        return "<invalid>"
    if due is None:
        return "<unknown>"
    return f"{_timestamp(due)} ({scan_due_in(due, now)})"


def scan_due_in(due: datetime, now: datetime) -> str:
    """How the due time stands against now: `in 5m3s`, `now`, or `overdue by 3m12s` (kubectl-style ages)."""
    left = (due - now).total_seconds()
    if left > 0:
        return f"in {human_duration(left)}"
    if left == 0:
        return "now"
    return f"overdue by {human_duration(-left)}"


def _write_scan(w: PrefixWriter, repo: ImageRepository, now: datetime, sharing: int | None) -> None:
    w.flush()
    try:
        timeout = format_go_duration(repo.effective_timeout_ns())
    except InputError:
        timeout = "<invalid>"
    scan = repo.last_scan_result
    w.write(0, "Scan:\n")
    w.write(1, f"Timeout:\t{timeout}\n")
    w.write(1, "Exclusion List:\n")
    for pattern in repo.effective_exclusion_list():
        w.write(2, f"{pattern}\n")
    w.write(1, f"Credentials:\t{credentials_source(repo)}\n")
    w.write(1, f"Last Scan:\t{_last_scan(repo, now)}{_shared(sharing)}\n")
    w.write(1, f"Next Scan:\t{_next_scan(repo, now)}\n")
    w.write(1, f"Tag Count:\t{scan.tag_count if scan else NONE}\n")
    if scan and scan.latest_tags:
        w.write(1, "Latest Tags:\n")
        for tag in scan.latest_tags:
            w.write(2, f"{tag}\n")
    else:
        w.write(1, f"Latest Tags:\t{NONE}\n")


def _shared(sharing: int | None) -> str:
    """` (one listing shared with N other objects)` when the last scan's listing served others."""
    if sharing is None or sharing < 2:
        return ""
    others = sharing - 1
    return f" (one listing shared with {others} other object{'s' if others > 1 else ''})"


def _write_policies(w: PrefixWriter, policies: Sequence[PolicyAccess]) -> None:
    w.flush()
    if not policies:
        w.write(0, f"Image Policies:\t{NONE}\n")
        return
    w.write(0, "Image Policies:\n")
    for policy in sorted(policies, key=lambda p: (p.namespace, p.name)):
        verdict = "allowed" if policy.allowed else f"denied: {_one_line(policy.reason)}"
        w.write(1, f"{policy.namespace}/{policy.name}\t{verdict}\n")


# --- events ------------------------------------------------------------------------------------


def event_field(obj: Mapping[str, Any], *paths: str) -> Any:
    """The first of the dotted paths present (not null) in `obj`."""
    for path in paths:
        value: Any = obj
        for key in path.split("."):
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is not None:
            return value
    return None


def event_text(obj: Mapping[str, Any], *paths: str) -> str:
    """`event_field` as text: `""` when none of the paths is present."""
    value = event_field(obj, *paths)
    return "" if value is None else str(value)


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _parsed(timestamp: str) -> datetime | None:
    if not timestamp:
        return None
    try:
        moment = parse_time(timestamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _since(timestamp: str, now: datetime) -> str:
    """kubectl's `translateTimestampSince`: an age, `<unknown>` for a missing time."""
    return age(timestamp or None, now)


@dataclass(frozen=True)
class EventSummary:
    """An event reduced to what `kubectl describe` prints, from either Event API."""

    type: str
    reason: str
    message: str
    source: str
    event_time: str
    first_timestamp: str
    last_timestamp: str
    count: int
    series_count: int | None
    series_last_observed: str

    @classmethod
    def read(cls, event: Mapping[str, Any]) -> EventSummary:
        series = event.get("series")
        message = event_text(event, "message", "note").strip()
        field_path = event_text(event, "involvedObject.fieldPath", "regarding.fieldPath")
        return cls(
            type=event_text(event, "type"),
            reason=event_text(event, "reason"),
            message=f"{field_path}: {message}" if field_path else message,
            source=event_text(event, "source.component", "deprecatedSource.component")
            or event_text(event, "reportingComponent", "reportingController"),
            event_time=event_text(event, "eventTime"),
            first_timestamp=event_text(event, "firstTimestamp", "deprecatedFirstTimestamp"),
            last_timestamp=event_text(event, "lastTimestamp", "deprecatedLastTimestamp"),
            count=_count(event_field(event, "count", "deprecatedCount")),
            series_count=_count(series.get("count")) if isinstance(series, Mapping) else None,
            series_last_observed=(
                event_text(series, "lastObservedTime") if isinstance(series, Mapping) else ""
            ),
        )

    def when(self) -> datetime:
        """When it last happened, for sorting oldest to newest (unknown times first)."""
        for timestamp in (
            self.series_last_observed,
            self.last_timestamp,
            self.event_time,
            self.first_timestamp,
        ):
            moment = _parsed(timestamp)
            if moment is not None:
                return moment
        return datetime.min.replace(tzinfo=UTC)

    def age(self, now: datetime) -> str:
        """The Age column: `2m`, or `30s (x7 over 23m)` for a repeated event."""
        first = _since(self.event_time, now) if self.event_time else _since(self.first_timestamp, now)
        if self.series_count is not None:
            return f"{_since(self.series_last_observed, now)} (x{self.series_count} over {first})"
        if self.count > 1:
            return f"{_since(self.last_timestamp, now)} (x{self.count} over {first})"
        return first


def write_events(w: PrefixWriter, events: Sequence[Mapping[str, Any]], now: datetime) -> None:
    """kubectl's `DescribeEvents`: a table sorted oldest to newest, or `Events:  <none>`."""
    w.flush()
    if not events:
        w.write(0, f"Events:\t{NONE}\n")
        return
    rows = sorted((EventSummary.read(event) for event in events), key=EventSummary.when)
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for row in rows:
        w.write(1, f"{row.type}\t{row.reason}\t{row.age(now)}\t{row.source}\t{row.message}\n")


# --- output -------------------------------------------------------------------------------------


class PrefixWriter:
    """kubectl's describe writer: two spaces per level, escaped, through Go's text/tabwriter."""

    def __init__(self) -> None:
        self._columns = TabWriter(min_width=0, padding=2, remember_widths=False)
        self._out: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._out.append(self._columns.write(escape_terminal("  " * level + text)))

    def flush(self) -> None:
        self._out.append(self._columns.flush())

    def text(self) -> str:
        self.flush()
        return "".join(self._out)
