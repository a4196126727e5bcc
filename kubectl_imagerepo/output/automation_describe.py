"""`automation describe`: kubectl's layout, then the policies the automation selects and its markers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kubectl_imagerepo.model.automation.automation import ImageUpdateAutomation
from kubectl_imagerepo.model.automation.policies import COUNTED, NO_LATEST_REF, NOT_SELECTED, PolicyVerdict
from kubectl_imagerepo.model.automation.update import Marker
from kubectl_imagerepo.output.describe import PrefixWriter, write_conditions, write_events, write_object

NONE = "<none>"
VERDICT_WORDS = {
    COUNTED: "counted",
    NO_LATEST_REF: "left out: no latestRef",
    NOT_SELECTED: "left out by the policySelector",
}


def render_automation_describe(
    automation: ImageUpdateAutomation,
    *,
    verdicts: Sequence[PolicyVerdict],
    markers: Sequence[tuple[str, Marker, str | None]] | None,
    events: Sequence[Mapping[str, Any]],
    now: datetime,
) -> str:
    """One ImageUpdateAutomation; `markers` (path, marker, why it does not change) only with --path."""
    w = PrefixWriter()
    write_object(
        w, automation.name, automation.namespace, automation.labels, automation.annotations, automation.raw
    )
    write_conditions(w, automation.conditions)
    _write_policies(w, verdicts)
    if markers is not None:
        _write_markers(w, markers)
    write_events(w, events, now)
    return w.text()


def _write_policies(w: PrefixWriter, verdicts: Sequence[PolicyVerdict]) -> None:
    w.flush()
    if not verdicts:
        w.write(0, f"Policies:\t{NONE}\n")
        return
    w.write(0, "Policies:\n")
    w.write(1, "Name\tPick\tReady\tVerdict\n")
    w.write(1, "----\t----\t-----\t-------\n")
    for verdict in verdicts:
        cells = (verdict.name, verdict.latest or NONE, verdict.ready or NONE, VERDICT_WORDS[verdict.verdict])
        w.write(1, "\t".join(cells) + "\n")


def _write_markers(w: PrefixWriter, markers: Sequence[tuple[str, Marker, str | None]]) -> None:
    w.flush()
    if not markers:
        w.write(0, f"Markers:\t{NONE}\n")
        return
    w.write(0, "Markers:\n")
    w.write(1, "File\tSetter\tValue\tBecomes\n")
    w.write(1, "----\t------\t-----\t-------\n")
    for path, marker, why in markers:
        if marker.new is not None and marker.new != marker.old:
            becomes = marker.new
        elif marker.new is not None:
            becomes = "(up to date)"
        else:
            becomes = f"(unchanged: {why})" if why else "(unchanged)"
        w.write(1, f"{path}:{marker.line}\t{marker.setter}\t{marker.old}\t{becomes}\n")
