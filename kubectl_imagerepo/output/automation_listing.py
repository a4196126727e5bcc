"""What `automation get` prints for an ImageUpdateAutomation: the CRD's printer columns.

v1's columns are Ready, Status, Last run (priority 1: with `-o wide`) and Age, in that order.
"""

from __future__ import annotations

from datetime import datetime

from kubectl_imagerepo.gocompat.ages import age
from kubectl_imagerepo.model.automation.automation import ImageUpdateAutomation

NONE = "<none>"


def headers(*, wide: bool, all_namespaces: bool) -> tuple[str, ...]:
    """NAME, READY, STATUS, [LAST RUN,] AGE; `NAMESPACE` first with `-A`."""
    names = ("NAME", "READY", "STATUS", *(("LAST RUN",) if wide else ()), "AGE")
    return ("NAMESPACE", *names) if all_namespaces else names


def row(
    automation: ImageUpdateAutomation, now: datetime, /, *, wide: bool, all_namespaces: bool
) -> tuple[str, ...]:
    """One object's cells, in the order of `headers()`; missing values print `<none>`."""
    ready = automation.ready
    cells = [
        automation.name,
        ready.status if ready else NONE,
        ready.message if ready and ready.message else NONE,
    ]
    if wide:
        cells.append(automation.last_automation_run_time or NONE)
    cells.append(age(automation.creation_timestamp, now))
    return (automation.namespace, *cells) if all_namespaces else tuple(cells)
