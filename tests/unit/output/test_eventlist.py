"""Unit tests for `events`: reading both Event shapes, de-duplicating, filtering, sorting and the table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kubectl_imagerepo.output import eventlist
from kubectl_imagerepo.output.eventlist import CORE_V1, EVENTS_V1, Event

NOW = datetime(2026, 8, 7, 12, 10, 0, tzinfo=UTC)


def core_event(name: str = "app.1", **fields: Any) -> dict[str, Any]:
    """A core/v1 Event about ImageRepository `app` as a list returns it (no kind, no apiVersion)."""
    event: dict[str, Any] = {
        "metadata": {"name": name, "namespace": "apps", "uid": f"uid-{name}", "resourceVersion": "10"},
        "involvedObject": {
            "apiVersion": "image.toolkit.fluxcd.io/v1",
            "kind": "ImageRepository",
            "name": "app",
            "namespace": "apps",
        },
        "reason": "Succeeded",
        "message": "successful scan: found 3 tags",
        "source": {"component": "image-reflector-controller"},
        "firstTimestamp": "2026-08-07T12:05:00Z",
        "lastTimestamp": "2026-08-07T12:05:00Z",
        "count": 1,
        "type": "Normal",
        "eventTime": None,
        "reportingComponent": "",
        "reportingInstance": "",
    }
    event.update(fields)
    return event


def events_v1_event(name: str = "app.2", **fields: Any) -> dict[str, Any]:
    """An events.k8s.io/v1 Event about ImageRepository `app` as a list returns it."""
    event: dict[str, Any] = {
        "metadata": {"name": name, "namespace": "apps", "uid": f"uid-{name}", "resourceVersion": "11"},
        "eventTime": "2026-08-07T12:08:00.123456Z",
        "reportingController": "example.com/scanner",
        "reportingInstance": "scanner-1",
        "action": "Scan",
        "reason": "ScanFailed",
        "regarding": {
            "apiVersion": "image.toolkit.fluxcd.io/v1beta2",
            "kind": "ImageRepository",
            "name": "app",
            "namespace": "apps",
        },
        "note": "scan failed: unauthorized\n",
        "type": "Warning",
        "deprecatedSource": {},
        "deprecatedFirstTimestamp": None,
        "deprecatedLastTimestamp": None,
    }
    event.update(fields)
    return event


# --- reading both shapes -------------------------------------------------------------------------


def test_core_v1_event_is_read_with_its_namespace_object_type_reason_and_message() -> None:
    event = Event.read(core_event())
    assert (event.namespace, event.name, event.uid, event.resource_version) == (
        "apps",
        "app.1",
        "uid-app.1",
        "10",
    )
    assert (event.object_kind, event.object_name) == ("ImageRepository", "app")
    assert (event.type, event.reason, event.message) == (
        "Normal",
        "Succeeded",
        "successful scan: found 3 tags",
    )


def test_events_v1_event_is_read_from_regarding_and_its_note_trimmed() -> None:
    event = Event.read(events_v1_event())
    assert (event.object_kind, event.object_name) == ("ImageRepository", "app")
    assert (event.type, event.reason, event.message) == ("Warning", "ScanFailed", "scan failed: unauthorized")


def test_message_is_trimmed_as_go_trim_space_does() -> None:
    # Go's unicode.IsSpace leaves the ASCII separators \x1c-\x1f alone; Python's str.strip would not.
    assert Event.read(core_event(message=" \t\xa0\u3000hello\x1f\n")).message == "hello\x1f"


def test_field_path_is_not_added_to_the_message() -> None:
    raw = core_event()
    raw["involvedObject"]["fieldPath"] = "spec.image"
    assert Event.read(raw).message == "successful scan: found 3 tags"


def test_core_v1_event_gets_kind_and_api_version_for_output() -> None:
    core = eventlist.as_core_v1(core_event())
    assert (core["kind"], core["apiVersion"]) == ("Event", "v1")
    assert core["involvedObject"]["name"] == "app"


def test_events_v1_event_is_converted_to_the_core_v1_shape_for_output() -> None:
    core = eventlist.as_core_v1(events_v1_event(deprecatedCount=2, series={"count": 3}))
    assert core == {
        "kind": "Event",
        "apiVersion": "v1",
        "metadata": {"name": "app.2", "namespace": "apps", "uid": "uid-app.2", "resourceVersion": "11"},
        "involvedObject": events_v1_event()["regarding"],
        "reason": "ScanFailed",
        "message": "scan failed: unauthorized\n",
        "source": {},
        "firstTimestamp": None,
        "lastTimestamp": None,
        "count": 2,
        "type": "Warning",
        "eventTime": "2026-08-07T12:08:00.123456Z",
        "series": {"count": 3},
        "action": "Scan",
        "reportingComponent": "example.com/scanner",
        "reportingInstance": "scanner-1",
    }


def test_list_items_without_api_version_are_told_apart_by_their_fields() -> None:
    assert eventlist.is_events_v1(events_v1_event())
    assert not eventlist.is_events_v1(core_event())


def test_api_version_decides_the_shape_when_present() -> None:
    assert eventlist.is_events_v1({"apiVersion": "events.k8s.io/v1", "kind": "Event"})
    assert not eventlist.is_events_v1({"apiVersion": "v1", "kind": "Event", "note": "x"})


# --- merging, filtering, sorting -----------------------------------------------------------------


def test_merge_keeps_one_copy_of_an_event_seen_through_both_apis() -> None:
    same_uid = events_v1_event(metadata={"name": "app.1", "namespace": "apps", "uid": "uid-app.1"})
    merged = eventlist.merge([core_event()], [same_uid, events_v1_event()])
    assert [(e.uid, e.core.get("reportingComponent")) for e in merged] == [
        ("uid-app.1", ""),  # the core/v1 copy, listed first, is kept
        ("uid-app.2", "example.com/scanner"),
    ]


def test_merge_keeps_every_event_without_a_uid() -> None:
    nameless = core_event(metadata={"name": "x", "namespace": "apps"})
    assert len(eventlist.merge([nameless, nameless])) == 2


def test_parse_types_takes_comma_separated_and_repeated_values_in_any_case() -> None:
    assert eventlist.parse_types(["normal,Warning", "WARNING"]) == ("normal", "Warning")


def test_parse_types_of_an_empty_value_selects_every_type() -> None:
    assert eventlist.parse_types([""]) == ()


@pytest.mark.parametrize("value", ["Trace", "Normal,", " Normal", "Normal,Error"])
def test_parse_types_rejects_anything_but_normal_and_warning(value: str) -> None:
    with pytest.raises(ValueError) as raised:
        eventlist.parse_types([value])
    assert str(raised.value) == "valid --types are Normal or Warning"


def test_select_types_compares_case_insensitively() -> None:
    events = eventlist.merge([core_event(), events_v1_event()])
    assert [e.type for e in eventlist.select_types(events, ("warning",))] == ["Warning"]


def test_select_types_without_types_keeps_everything() -> None:
    events = eventlist.merge([core_event(), events_v1_event()])
    assert eventlist.select_types(events, ()) == events


def test_sort_is_oldest_to_newest_by_when_each_event_last_happened() -> None:
    events = eventlist.merge(
        [
            core_event(
                "series", lastTimestamp=None, series={"count": 2, "lastObservedTime": "2026-08-07T12:09:00Z"}
            ),
            core_event("last", firstTimestamp="2026-08-07T11:00:00Z", lastTimestamp="2026-08-07T12:07:00Z"),
            core_event("first-only", lastTimestamp=None),  # 12:05 from firstTimestamp
        ],
        [events_v1_event("event-time")],  # 12:08
    )
    assert [e.name for e in eventlist.sort_events(events)] == ["first-only", "last", "event-time", "series"]


def test_events_without_any_time_sort_first() -> None:
    events = eventlist.merge(
        [core_event("timed"), core_event("untimed", firstTimestamp=None, lastTimestamp=None)]
    )
    assert [e.name for e in eventlist.sort_events(events)] == ["untimed", "timed"]


# --- LAST SEEN and rows --------------------------------------------------------------------------


def test_last_seen_of_a_single_event_is_its_age() -> None:
    assert Event.read(core_event()).row(NOW)[0] == "5m"


def test_last_seen_of_a_repeated_core_event_shows_the_count_and_the_span() -> None:
    raw = core_event(firstTimestamp="2026-08-07T11:50:00Z", lastTimestamp="2026-08-07T12:09:30Z", count=7)
    assert Event.read(raw).row(NOW)[0] == "30s (x7 over 20m)"


def test_last_seen_of_an_events_v1_series_shows_its_count_since_the_event_time() -> None:
    raw = events_v1_event(series={"count": 3, "lastObservedTime": "2026-08-07T12:09:50.000000Z"})
    assert Event.read(raw).row(NOW)[0] == "10s (x3 over 119s)"


def test_last_seen_of_an_event_without_times_is_unknown() -> None:
    raw = core_event(firstTimestamp=None, lastTimestamp=None)
    assert Event.read(raw).row(NOW)[0] == "<unknown>"


def test_row_has_type_reason_kind_slash_name_and_message() -> None:
    assert Event.read(events_v1_event()).row(NOW) == (
        "119s",
        "Warning",
        "ScanFailed",
        "ImageRepository/app",
        "scan failed: unauthorized",
    )


def test_row_for_all_namespaces_starts_with_the_namespace() -> None:
    assert Event.read(core_event()).row(NOW, all_namespaces=True)[:2] == ("apps", "5m")


def test_headers_for_all_namespaces_start_with_namespace() -> None:
    assert eventlist.headers() == ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE")
    assert eventlist.headers(all_namespaces=True)[0] == "NAMESPACE"


# --- the table and the EventList -----------------------------------------------------------------


def test_render_aligns_columns_as_kubectl_events_does() -> None:
    events = eventlist.sort_events(eventlist.merge([core_event()], [events_v1_event()]))
    assert eventlist.render(events, NOW) == (
        "LAST SEEN   TYPE      REASON       OBJECT                MESSAGE\n"
        "5m          Normal    Succeeded    ImageRepository/app   successful scan: found 3 tags\n"
        "119s        Warning   ScanFailed   ImageRepository/app   scan failed: unauthorized\n"
    )


def test_render_escapes_terminal_controls_in_messages() -> None:
    table = eventlist.render([Event.read(core_event(message="\x1b[31mred\x1b[0m"))], NOW, no_headers=True)
    assert table.endswith("ImageRepository/app   ^[[31mred^[[0m\n")


def test_render_cuts_a_multi_line_message_at_its_first_line_break() -> None:
    table = eventlist.render(
        [Event.read(core_event(message="first line\nsecond line"))], NOW, no_headers=True
    )
    assert table.endswith("   first line...\n")


def test_render_without_headers_prints_only_rows() -> None:
    table = eventlist.render([Event.read(core_event())], NOW, no_headers=True)
    assert table.startswith("5m   ")


def test_render_of_no_events_is_empty() -> None:
    assert eventlist.render([], NOW) == ""


def test_event_list_is_a_v1_event_list_of_core_events() -> None:
    listed = eventlist.event_list(eventlist.merge([core_event()], [events_v1_event()]))
    assert (listed["kind"], listed["apiVersion"], listed["metadata"]) == ("EventList", "v1", {})
    assert [(item["kind"], item["apiVersion"], item["message"]) for item in listed["items"]] == [
        ("Event", "v1", "successful scan: found 3 tags"),
        ("Event", "v1", "scan failed: unauthorized\n"),
    ]


def test_event_list_leaves_out_managed_fields_as_kubectl_does() -> None:
    raw = core_event()
    raw["metadata"]["managedFields"] = [{"manager": "image-reflector-controller"}]
    listed = eventlist.event_list([Event.read(raw)])
    assert "managedFields" not in listed["items"][0]["metadata"]
    assert listed["items"][0]["metadata"]["uid"] == "uid-app.1"


def test_printable_keeps_managed_fields_when_asked() -> None:
    raw = core_event()
    raw["metadata"]["managedFields"] = [{"manager": "image-reflector-controller"}]
    printed = eventlist.printable(Event.read(raw), show_managed_fields=True)
    assert printed["metadata"]["managedFields"] == [{"manager": "image-reflector-controller"}]


def test_no_events_message_names_the_namespace_unless_all_namespaces() -> None:
    assert eventlist.no_events_message("apps") == "No events found in apps namespace."
    assert eventlist.no_events_message(None) == "No events found."


# --- requests ------------------------------------------------------------------------------------


def test_field_selectors_match_kind_and_name_only() -> None:
    assert CORE_V1.field_selector("app") == "involvedObject.kind=ImageRepository,involvedObject.name=app"
    assert EVENTS_V1.field_selector("app") == "regarding.kind=ImageRepository,regarding.name=app"


def test_field_selector_without_a_name_matches_every_image_repository() -> None:
    assert CORE_V1.field_selector() == "involvedObject.kind=ImageRepository"


def test_field_selector_escapes_separators_in_the_name() -> None:
    assert (
        EVENTS_V1.field_selector("a,b=c\\") == "regarding.kind=ImageRepository,regarding.name=a\\,b\\=c\\\\"
    )


def test_paths_are_per_namespace_or_cluster_wide() -> None:
    assert CORE_V1.path("apps") == "/api/v1/namespaces/apps/events"
    assert EVENTS_V1.path(None) == "/apis/events.k8s.io/v1/events"
