"""Unit tests for the `describe` text: kubectl's generic layout and the added debugging sections."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kubectl_imagerepo.model.imagerepository import ImageRepository
from kubectl_imagerepo.output.describe import PolicyAccess, render_describe, scan_due_in, smart_label

NOW = datetime(2026, 8, 7, 12, 10, 0, tzinfo=UTC)

READY: dict[str, Any] = {
    "apiVersion": "image.toolkit.fluxcd.io/v1",
    "kind": "ImageRepository",
    "metadata": {
        "name": "podinfo",
        "namespace": "flux-system",
        "uid": "6f1c2a8e-0d4b-4c55-9a55-2b1f0c1d2e3f",
        "generation": 2,
        "resourceVersion": "123456",
        "creationTimestamp": "2026-08-01T10:00:00Z",
        "finalizers": ["finalizers.fluxcd.io"],
        "labels": {"team": "web", "app.kubernetes.io/part-of": "podinfo"},
        "annotations": {
            "reconcile.fluxcd.io/requestedAt": "2026-08-07T14:05:01.123456789+02:00",
            "kubectl.kubernetes.io/last-applied-configuration": '{"kind":"ImageRepository"}\n',
        },
        "managedFields": [{"manager": "kubectl-imagerepo", "operation": "Apply"}],
    },
    "spec": {
        "image": "ghcr.io/stefanprodan/podinfo",
        "interval": "10m",
        "provider": "generic",
        "exclusionList": ["^.*\\.sig$"],
        "secretRef": {"name": "ghcr-auth"},
    },
    "status": {
        "canonicalImageName": "ghcr.io/stefanprodan/podinfo",
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "Succeeded",
                "message": "successful scan: found 3 tags with checksum 3f9c",
                "lastTransitionTime": "2026-08-07T12:05:03Z",
                "observedGeneration": 2,
            }
        ],
        "lastHandledReconcileAt": "2026-08-07T14:05:01.123456789+02:00",
        "lastScanResult": {
            "latestTags": ["latest", "6.5.4", "6.5.3"],
            "revision": "3f9c",
            "scanTime": "2026-08-07T12:05:03Z",
            "tagCount": 3,
        },
        "observedExclusionList": ["^.*\\.sig$"],
        "observedGeneration": 2,
    },
}

READY_EVENTS: list[dict[str, Any]] = [
    {
        "apiVersion": "v1",
        "kind": "Event",
        "type": "Normal",
        "reason": "Succeeded",
        "message": "successful scan: found 3 tags with checksum 3f9c\n",
        "source": {"component": "image-reflector-controller"},
        "firstTimestamp": "2026-08-07T12:05:03Z",
        "lastTimestamp": "2026-08-07T12:05:03Z",
        "count": 1,
    },
    {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "type": "Normal",
        "reason": "Succeeded",
        "note": "tags did not change, next scan in 10m0s",
        "reportingController": "kubectl-imagerepo",
        "eventTime": "2026-08-07T11:00:00.000000Z",
        "series": {"count": 3, "lastObservedTime": "2026-08-07T12:00:00.000000Z"},
    },
]

READY_POLICIES = [
    PolicyAccess("flux-system", "podinfo", allowed=True),
    PolicyAccess(
        "apps",
        "podinfo",
        allowed=False,
        reason="'flux-system/podinfo' can't be accessed due to missing ACL labels on 'accessFrom'",
    ),
]

READY_TEXT = r"""Name:         podinfo
Namespace:    flux-system
Labels:       app.kubernetes.io/part-of=podinfo
              team=web
Annotations:  reconcile.fluxcd.io/requestedAt: 2026-08-07T14:05:01.123456789+02:00
API Version:  image.toolkit.fluxcd.io/v1
Kind:         ImageRepository
Metadata:
  Creation Timestamp:  2026-08-01T10:00:00Z
  Finalizers:
    finalizers.fluxcd.io
  Generation:        2
  Resource Version:  123456
  UID:               6f1c2a8e-0d4b-4c55-9a55-2b1f0c1d2e3f
Spec:
  Exclusion List:
    ^.*\.sig$
  Image:     ghcr.io/stefanprodan/podinfo
  Interval:  10m
  Provider:  generic
  Secret Ref:
    Name:  ghcr-auth
Status:
  Canonical Image Name:  ghcr.io/stefanprodan/podinfo
  Conditions:
    Last Transition Time:     2026-08-07T12:05:03Z
    Message:                  successful scan: found 3 tags with checksum 3f9c
    Observed Generation:      2
    Reason:                   Succeeded
    Status:                   True
    Type:                     Ready
  Last Handled Reconcile At:  2026-08-07T14:05:01.123456789+02:00
  Last Scan Result:
    Latest Tags:
      latest
      6.5.4
      6.5.3
    Revision:   3f9c
    Scan Time:  2026-08-07T12:05:03Z
    Tag Count:  3
  Observed Exclusion List:
    ^.*\.sig$
  Observed Generation:  2
Conditions:
  Type   Status  Reason     Message
  ----   ------  ------     -------
  Ready  True    Succeeded  successful scan: found 3 tags with checksum 3f9c
Scan:
  Timeout:  10m0s
  Exclusion List:
    ^.*\.sig$
  Credentials:  Secret flux-system/ghcr-auth
  Last Scan:    2026-08-07T12:05:03Z (4m57s ago)
  Next Scan:    2026-08-07T12:15:03Z (in 5m3s)
  Tag Count:    3
  Latest Tags:
    latest
    6.5.4
    6.5.3
Image Policies:
  apps/podinfo         denied: 'flux-system/podinfo' can't be accessed due to missing ACL labels on 'accessFrom'
  flux-system/podinfo  allowed
Events:
  Type    Reason     Age                From                        Message
  ----    ------     ----               ----                        -------
  Normal  Succeeded  10m (x3 over 70m)  kubectl-imagerepo           tags did not change, next scan in 10m0s
  Normal  Succeeded  4m57s              image-reflector-controller  successful scan: found 3 tags with checksum 3f9c
"""  # noqa: E501

TAG_ERROR = (
    "image '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1' should not include a tag; remove ':v1'"
)

STALLED: dict[str, Any] = {
    "apiVersion": "image.toolkit.fluxcd.io/v1",
    "kind": "ImageRepository",
    "metadata": {
        "name": "app",
        "namespace": "apps",
        "uid": "0a1b",
        "generation": 1,
        "resourceVersion": "42",
        "creationTimestamp": "2026-08-07T11:50:00Z",
        "finalizers": ["finalizers.fluxcd.io"],
    },
    "spec": {
        "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1",
        "interval": "5m",
        "timeout": "30s",
        "provider": "aws",
        "exclusionList": ["^.*\\.sig$"],
    },
    "status": {
        "conditions": [
            {
                "type": "Stalled",
                "status": "True",
                "reason": "ImageURLInvalid",
                "message": TAG_ERROR,
                "lastTransitionTime": "2026-08-07T11:50:01Z",
                "observedGeneration": 1,
            },
            {
                "type": "Ready",
                "status": "False",
                "reason": "ImageURLInvalid",
                "message": TAG_ERROR,
                "lastTransitionTime": "2026-08-07T11:50:01Z",
                "observedGeneration": 1,
            },
        ],
        "observedGeneration": 1,
    },
}

STALLED_EVENTS: list[dict[str, Any]] = [
    {
        "type": "Warning",
        "reason": "ImageURLInvalid",
        "message": TAG_ERROR,
        "source": {"component": "image-reflector-controller"},
        "firstTimestamp": "2026-08-07T11:50:00Z",
        "lastTimestamp": "2026-08-07T12:09:30Z",
        "count": 5,
    }
]

STALLED_TEXT = r"""Name:         app
Namespace:    apps
Labels:       <none>
Annotations:  <none>
API Version:  image.toolkit.fluxcd.io/v1
Kind:         ImageRepository
Metadata:
  Creation Timestamp:  2026-08-07T11:50:00Z
  Finalizers:
    finalizers.fluxcd.io
  Generation:        1
  Resource Version:  42
  UID:               0a1b
Spec:
  Exclusion List:
    ^.*\.sig$
  Image:     123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1
  Interval:  5m
  Provider:  aws
  Timeout:   30s
Status:
  Conditions:
    Last Transition Time:  2026-08-07T11:50:01Z
    Message:               image '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1' should not include a tag; remove ':v1'
    Observed Generation:   1
    Reason:                ImageURLInvalid
    Status:                True
    Type:                  Stalled
    Last Transition Time:  2026-08-07T11:50:01Z
    Message:               image '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1' should not include a tag; remove ':v1'
    Observed Generation:   1
    Reason:                ImageURLInvalid
    Status:                False
    Type:                  Ready
  Observed Generation:     1
Conditions:
  Type     Status  Reason           Message
  ----     ------  ------           -------
  Stalled  True    ImageURLInvalid  image '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1' should not include a tag; remove ':v1'
  Ready    False   ImageURLInvalid  image '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1' should not include a tag; remove ':v1'
Scan:
  Timeout:  30s
  Exclusion List:
    ^.*\.sig$
  Credentials:  provider aws (ambient credentials)
  Last Scan:    <never>
  Next Scan:    <unknown>
  Tag Count:    <none>
  Latest Tags:  <none>
Image Policies:  <none>
Events:
  Type     Reason           Age                From                        Message
  ----     ------           ----               ----                        -------
  Warning  ImageURLInvalid  30s (x5 over 20m)  image-reflector-controller  image '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1' should not include a tag; remove ':v1'
"""  # noqa: E501

NEVER_RECONCILED: dict[str, Any] = {
    "apiVersion": "image.toolkit.fluxcd.io/v1",
    "kind": "ImageRepository",
    "metadata": {
        "name": "nginx",
        "namespace": "default",
        "uid": "9c9d",
        "generation": 1,
        "resourceVersion": "7",
        "creationTimestamp": "2026-08-07T12:09:58Z",
    },
    "spec": {
        "image": "nginx",
        "interval": "1h",
        "provider": "generic",
        "exclusionList": ["^.*\\.sig$"],
        "serviceAccountName": "puller",
    },
}

NEVER_RECONCILED_TEXT = r"""Name:         nginx
Namespace:    default
Labels:       <none>
Annotations:  <none>
API Version:  image.toolkit.fluxcd.io/v1
Kind:         ImageRepository
Metadata:
  Creation Timestamp:  2026-08-07T12:09:58Z
  Generation:          1
  Resource Version:    7
  UID:                 9c9d
Spec:
  Exclusion List:
    ^.*\.sig$
  Image:                 nginx
  Interval:              1h
  Provider:              generic
  Service Account Name:  puller
Conditions:  <none>
Scan:
  Timeout:  1h0m0s
  Exclusion List:
    ^.*\.sig$
  Credentials:  imagePullSecrets of ServiceAccount default/puller
  Last Scan:    <never>
  Next Scan:    <unknown>
  Tag Count:    <none>
  Latest Tags:  <none>
Image Policies:  <none>
Events:  <none>
"""


def render(
    obj: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]] = (),
    policies: Sequence[PolicyAccess] = (),
) -> str:
    return render_describe(ImageRepository.from_dict(obj), events=events, policies=policies, now=NOW)


def modified(obj: Mapping[str, Any], **sections: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of `obj` with keys of its top-level sections (metadata, spec, status) replaced."""
    result = copy.deepcopy(dict(obj))
    for section, values in sections.items():
        result.setdefault(section, {}).update(values)
    return result


def section(text: str, title: str) -> str:
    """The lines of `text` from the one starting with `title` to the next top-level line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return "\n".join(lines[start:end]) + "\n"


def line_of(text: str, prefix: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(prefix))


@pytest.mark.parametrize(
    ("obj", "events", "policies", "expected"),
    [
        (READY, READY_EVENTS, READY_POLICIES, READY_TEXT),
        (STALLED, STALLED_EVENTS, [], STALLED_TEXT),
        (NEVER_RECONCILED, [], [], NEVER_RECONCILED_TEXT),
    ],
    ids=["ready", "stalled", "never-reconciled"],
)
def test_render_describe_exact_text(
    obj: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    policies: Sequence[PolicyAccess],
    expected: str,
) -> None:
    assert render(obj, events, policies) == expected


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("apiVersion", "API Version"),
        ("lastScanResult", "Last Scan Result"),
        ("uid", "UID"),
        ("canonicalImageName", "Canonical Image Name"),
        ("secretRef", "Secret Ref"),
        ("apiURL", "API URL"),
        ("kubeAPI", "Kube API"),
        ("userUID", "User UID"),
        ("ownerGuid", "Owner GUID"),
        ("respectPDBs", "Respect PDBs"),
        ("HTTPSProxy", "HTTPSProxy"),
        ("customCRDs", "Custom CRDs"),
        ("foo-bar", "Foo - Bar"),
        ("kubernetes.io/metadata.name", "kubernetes.io/metadata.name"),
        ("v1", "v1"),
    ],
)
def test_smart_label_matches_kubectl(field: str, label: str) -> None:
    assert smart_label(field) == label


def test_status_with_only_the_crd_default_is_dumped() -> None:
    text = render(modified(NEVER_RECONCILED, status={"observedGeneration": -1}))

    assert section(text, "Status:") == "Status:\n  Observed Generation:  -1\n"


def test_lists_of_objects_are_printed_back_to_back() -> None:
    selectors = [{"matchLabels": {"env": "prod"}}, {"matchLabels": {"kubernetes.io/metadata.name": "apps"}}]
    text = render(modified(NEVER_RECONCILED, spec={"accessFrom": {"namespaceSelectors": selectors}}))

    assert section(text, "Spec:").startswith(
        "Spec:\n"
        "  Access From:\n"
        "    Namespace Selectors:\n"
        "      Match Labels:\n"
        "        Env:  prod\n"
        "      Match Labels:\n"
        "        kubernetes.io/metadata.name:  apps\n"
        "  Exclusion List:\n"
    )


def test_scalars_are_formatted_like_go() -> None:
    extra = {"enabled": False, "half": 0.5, "big": 1e6, "small": 0.00001, "nothing": None, "count": 12}
    text = render(modified(NEVER_RECONCILED, status=extra))

    assert section(text, "Status:") == (
        "Status:\n"
        "  Big:      1e+06\n"
        "  Count:    12\n"
        "  Enabled:  false\n"
        "  Half:     0.5\n"
        "  Nothing:  <nil>\n"
        "  Small:    1e-05\n"
    )


def test_labels_and_annotations_print_none_when_empty() -> None:
    text = render(NEVER_RECONCILED)

    assert "Labels:       <none>\nAnnotations:  <none>\n" in text


def test_last_applied_configuration_annotation_is_hidden() -> None:
    annotations = {"kubectl.kubernetes.io/last-applied-configuration": "{}"}
    text = render(modified(NEVER_RECONCILED, metadata={"annotations": annotations}))

    assert "Annotations:  <none>\n" in text
    assert "last-applied" not in text


def test_long_and_multiline_annotations_wrap_under_their_key() -> None:
    annotations = {"a/long": "x" * 150, "b/lines": "one\ntwo\n", "c/short": "yes"}
    text = render(modified(NEVER_RECONCILED, metadata={"annotations": annotations}))

    assert section(text, "Annotations:") == (
        "Annotations:  a/long:\n"
        f"                {'x' * 138}...\n"
        "              b/lines:\n"
        "                one\n"
        "                two\n"
        "              c/short: yes\n"
    )


def test_terminal_escapes_are_neutralised() -> None:
    text = render(modified(NEVER_RECONCILED, spec={"image": "evil\x1b[31m\rred"}))

    assert "  Image:                 evil^[[31m\\rred\n" in text


def test_condition_table_cuts_a_multiline_message() -> None:
    condition = {
        "type": "Ready",
        "status": "False",
        "reason": "ReadOperationFailed",
        "message": "scan failed:\nEOF",
    }
    text = render(modified(NEVER_RECONCILED, status={"conditions": [condition]}))

    assert line_of(text, "  Ready  ") == "  Ready  False   ReadOperationFailed  scan failed:..."


@pytest.mark.parametrize(
    ("spec", "status", "expected"),
    [
        (
            {"suspend": True},
            {"lastScanResult": {"tagCount": 1, "scanTime": "2026-08-07T12:05:03Z"}},
            "<suspended>",
        ),
        (
            {"interval": "1m"},
            {"lastScanResult": {"tagCount": 1, "scanTime": "2026-08-07T12:05:03Z"}},
            "2026-08-07T12:06:03Z (overdue by 3m57s)",
        ),
        (
            {"interval": "0s"},
            {"lastScanResult": {"tagCount": 1, "scanTime": "2026-08-07T12:10:00Z"}},
            "2026-08-07T12:10:00Z (now)",
        ),
        ({}, {}, "<unknown>"),
        ({"interval": "1h"}, {"lastScanResult": {"tagCount": 1, "scanTime": "2026-08-07T12:00:00Z"}}, None),
    ],
    ids=["suspended", "overdue", "due-now", "never-scanned", "scheduled"],
)
def test_next_scan(spec: dict[str, Any], status: dict[str, Any], expected: str | None) -> None:
    text = render(modified(NEVER_RECONCILED, spec=spec, status=status))

    shown = line_of(text, "  Next Scan:").removeprefix("  Next Scan:").strip()
    assert shown == (expected or "2026-08-07T13:00:00Z (in 50m)")


@pytest.mark.parametrize(
    ("due", "shown"),
    [
        (NOW + timedelta(minutes=5, seconds=3), "in 5m3s"),
        (NOW, "now"),
        (NOW - timedelta(seconds=0.4), "overdue by 0s"),
        (NOW - timedelta(minutes=3, seconds=12), "overdue by 3m12s"),
        (NOW - timedelta(days=2, hours=3, minutes=20), "overdue by 2d3h"),
    ],
    ids=["ahead", "due-now", "under-a-second", "minutes", "days"],
)
def test_an_overdue_scan_says_by_how_long_as_a_kubectl_age(due: datetime, shown: str) -> None:
    assert scan_due_in(due, NOW) == shown


def test_timeout_falls_back_to_the_interval_with_a_minimum_of_1s() -> None:
    text = render(modified(NEVER_RECONCILED, spec={"interval": "500ms"}))

    assert line_of(text, "  Timeout:") == "  Timeout:  1s"


def test_unparsable_durations_show_invalid() -> None:
    status = {"lastScanResult": {"tagCount": 1, "scanTime": "2026-08-07T12:05:03Z"}}
    text = render(modified(NEVER_RECONCILED, spec={"interval": "soon"}, status=status))

    assert line_of(text, "  Timeout:") == "  Timeout:  <invalid>"
    assert line_of(text, "  Next Scan:").endswith("<invalid>")


def test_latest_tags_absent_prints_none() -> None:
    status = {"lastScanResult": {"tagCount": 0, "scanTime": "2026-08-07T12:05:03Z"}}
    text = render(modified(NEVER_RECONCILED, status=status))

    assert "  Tag Count:    0\n  Latest Tags:  <none>\n" in text


def test_policies_are_listed_sorted_with_their_verdicts() -> None:
    policies = [PolicyAccess("b", "p", allowed=True), PolicyAccess("a", "p", allowed=False, reason="no")]
    text = render(NEVER_RECONCILED, policies=policies)

    assert section(text, "Image Policies:") == "Image Policies:\n  a/p  denied: no\n  b/p  allowed\n"


def events_table(events: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """The rows of the Events table, without its two header lines, split into their columns."""
    rows = section(render(NEVER_RECONCILED, events=events), "Events:").splitlines()[3:]
    return [re.split(r" {2,}", row.strip()) for row in rows]


def core_event(**fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "Normal",
        "reason": "Succeeded",
        "message": "m",
        "source": {"component": "c"},
        "firstTimestamp": "2026-08-07T12:00:00Z",
        "lastTimestamp": "2026-08-07T12:00:00Z",
        "count": 1,
    }
    event.update(fields)
    return event


@pytest.mark.parametrize(
    ("event", "age"),
    [
        (core_event(), "10m"),
        (
            core_event(count=4, firstTimestamp="2026-08-07T11:00:00Z", lastTimestamp="2026-08-07T12:09:00Z"),
            "60s (x4 over 70m)",
        ),
        (core_event(firstTimestamp=None, lastTimestamp=None, eventTime="2026-08-07T12:09:50.500000Z"), "9s"),
        (core_event(firstTimestamp=None, lastTimestamp=None), "<unknown>"),
        (
            {
                "type": "Normal",
                "reason": "Succeeded",
                "note": "m",
                "reportingController": "c",
                "eventTime": "2026-08-07T10:10:00.000000Z",
                "series": {"count": 12, "lastObservedTime": "2026-08-07T12:08:00.000000Z"},
            },
            "2m (x12 over 120m)",
        ),
        (
            {
                "type": "Normal",
                "reason": "Succeeded",
                "note": "m",
                "reportingController": "c",
                "eventTime": None,
                "deprecatedFirstTimestamp": "2026-08-07T09:10:00Z",
                "deprecatedLastTimestamp": "2026-08-07T12:05:00Z",
                "deprecatedCount": 2,
            },
            "5m (x2 over 3h)",
        ),
    ],
    ids=["single", "repeated", "event-time", "no-time", "series", "deprecated-count"],
)
def test_event_age_column(event: dict[str, Any], age: str) -> None:
    assert events_table([event]) == [["Normal", "Succeeded", age, "c", "m"]]


def test_events_are_sorted_oldest_to_newest() -> None:
    newer = core_event(reason="Newer", lastTimestamp="2026-08-07T12:09:00Z")
    older = core_event(reason="Older", lastTimestamp="2026-08-07T12:01:00Z")
    series = {
        "type": "Normal",
        "reason": "Series",
        "note": "m",
        "reportingController": "c",
        "eventTime": "2026-08-07T11:00:00.000000Z",
        "series": {"count": 2, "lastObservedTime": "2026-08-07T12:05:00.000000Z"},
    }

    reasons = [row[1] for row in events_table([newer, series, older])]

    assert reasons == ["Older", "Series", "Newer"]


@pytest.mark.parametrize(
    ("event", "source"),
    [
        (core_event(source={}, reportingComponent="kubectl-imagerepo"), "kubectl-imagerepo"),
        (
            core_event(source={"component": "image-reflector-controller"}, reportingComponent="x"),
            "image-reflector-controller",
        ),
        (
            {
                "type": "Normal",
                "reason": "Succeeded",
                "note": "m",
                "reportingController": "kubectl-imagerepo",
                "deprecatedSource": {},
            },
            "kubectl-imagerepo",
        ),
    ],
    ids=["core-reportingComponent", "core-source-first", "events-k8s-io"],
)
def test_event_from_column_is_the_source_or_the_reporting_controller(
    event: dict[str, Any], source: str
) -> None:
    (row,) = events_table([event])

    assert row[3] == source


def test_event_message_is_trimmed_and_prefixed_with_the_field_path() -> None:
    event = core_event(
        message="  scan failed  \n", involvedObject={"kind": "ImageRepository", "fieldPath": "spec"}
    )

    (row,) = events_table([event])

    assert row[4] == "spec: scan failed"


def test_events_table_is_aligned_like_kubectl() -> None:
    text = render(NEVER_RECONCILED, events=[core_event()])

    assert section(text, "Events:") == (
        "Events:\n"
        "  Type    Reason     Age   From  Message\n"
        "  ----    ------     ----  ----  -------\n"
        "  Normal  Succeeded  10m   c     m\n"
    )
