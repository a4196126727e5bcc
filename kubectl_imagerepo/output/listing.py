"""What `get` prints for an ImageRepository: the columns, and the `--status-selector` filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from kubectl_imagerepo.gocompat.ages import age, human_duration
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.model.fluxobject import Condition
from kubectl_imagerepo.model.imagerepository import ImageRepository

NONE = "<none>"
HEADERS = ("NAME", "IMAGE", "TAGS", "READY", "STATUS", "LAST SCAN", "AGE")
WIDE_HEADERS = ("SUSPENDED", "INTERVAL", "NEXT SCAN", "CANONICAL IMAGE")


def headers(*, wide: bool, all_namespaces: bool) -> tuple[str, ...]:
    """The table's column names, `NAMESPACE` first with `-A`, the wide ones last with `-o wide`."""
    names = HEADERS + (WIDE_HEADERS if wide else ())
    return ("NAMESPACE", *names) if all_namespaces else names


def row(repo: ImageRepository, now: datetime, *, wide: bool, all_namespaces: bool) -> tuple[str, ...]:
    """One object's cells, in the order of `headers()`; missing values print `<none>`."""
    ready = repo.ready
    scan = repo.last_scan_result
    cells = [
        repo.name,
        repo.image or NONE,
        str(scan.tag_count) if scan else NONE,
        ready.status if ready else NONE,
        ready.message if ready and ready.message else NONE,
        age(scan.scan_time, now) if scan and scan.scan_time else NONE,
        age(repo.creation_timestamp, now),
    ]
    if wide:
        cells += [
            "True" if repo.suspend else "False",
            repo.interval or NONE,
            next_scan(repo, now),
            repo.canonical_image_name or NONE,
        ]
    return (repo.namespace, *cells) if all_namespaces else tuple(cells)


def next_scan(repo: ImageRepository, now: datetime) -> str:
    """Time left until the interval elapses: `<none>` if never scanned or suspended, `now` if due."""
    if repo.suspend:
        return NONE
    try:
        due = repo.next_scan_time()
    except InputError:
        return NONE
    if due is None:
        return NONE
    left = (due - now).total_seconds()
    return "now" if left <= 0 else human_duration(left)


class Conditioned(Protocol):
    """An object with status conditions (an ImageRepository, an ImagePolicy)."""

    @property
    def conditions(self) -> tuple[Condition, ...]: ...


C = TypeVar("C", bound=Conditioned)


@dataclass(frozen=True)
class StatusSelector:
    """`type=status` or `type!=status`, compared case-insensitively as Flux does."""

    condition_type: str
    status: str
    negate: bool

    @classmethod
    def parse(cls, text: str) -> StatusSelector:
        negate = "!=" in text
        parts = text.split("!=" if negate else "=")
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise InputError(
                "expected status selector in type=status or type!=status format, but found: " + text
            )
        return cls(parts[0].strip(), parts[1].strip(), negate)

    def matches(self, repo: Conditioned) -> bool:
        """Whether the object passes; an object without the condition only passes `!=`."""
        found = next((c for c in repo.conditions if c.type.lower() == self.condition_type.lower()), None)
        equal = found is not None and found.status.lower() == self.status.lower()
        return not equal if self.negate else equal


def select(repos: Sequence[C], selector: StatusSelector | None) -> list[C]:
    """The objects that pass the selector (all of them without one)."""
    return [r for r in repos if selector is None or selector.matches(r)]
