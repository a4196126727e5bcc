"""One reconcile's one exit: every failure, expected or not, ends as the object's failed status."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.kube.client import ApiError
from kubectl_imagerepo.model.reference import ImageReference
from kubectl_imagerepo.reconcile.events import EventRecord
from kubectl_imagerepo.reconcile.outcome import describe_unexpected
from kubectl_imagerepo.reconcile.reconciler import Options, Progress, Result, reconcile
from kubectl_imagerepo.registry.access import RegistryAccess
from kubectl_imagerepo.store.database import TagStore
from tests.kstatus import check

NOW = datetime(2026, 11, 27, 21, 0, 0, tzinfo=UTC)


@dataclass
class MemorySink:
    """Statuses and events kept in memory; `fail_writes` makes status writes raise from that write on."""

    statuses: list[dict[str, Any]] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    fail_writes: int | None = None
    failure: Exception = field(default_factory=lambda: ApiError(403, "Forbidden", "cannot patch"))

    def write_status(self, obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any]:
        if self.fail_writes is not None and len(self.statuses) >= self.fail_writes:
            raise self.failure
        self.statuses.append(copy.deepcopy(dict(status)))
        return {**copy.deepcopy(dict(obj)), "status": copy.deepcopy(dict(status))}

    def record(self, obj: Mapping[str, Any], event: EventRecord) -> None:
        self.events.append(event)


def lister(error: BaseException | None = None, tags: list[str] | None = None) -> Any:
    def list_tags(
        reference: ImageReference, access: RegistryAccess, deadline: float, progress: Progress | None
    ) -> list[str]:
        if error is not None:
            raise error
        return tags or []

    return list_tags


def repository(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImageRepository",
        "metadata": {"name": "app", "namespace": "team", "generation": 1, "uid": "u1"},
        "spec": {"image": "registry.example/team/app", "interval": "5m", **spec},
    }


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TagStore]:
    with TagStore(tmp_path / "tags.sqlite3") as opened:
        yield opened


def run(obj: dict[str, Any], sink: MemorySink, store: TagStore, list_tags: Any, **options: Any) -> Result:
    return reconcile(
        obj,
        sink=sink,
        store=store,
        list_tags=list_tags,
        options=Options(scope="test", clock=lambda: NOW, **options),
    )


def ready(status: Mapping[str, Any]) -> dict[str, Any]:
    return next(c for c in status["conditions"] if c["type"] == "Ready")


def test_an_unexpected_error_while_listing_tags_ends_as_a_failed_scan(store: TagStore) -> None:
    sink = MemorySink()
    result = run(repository(), sink, store, lister(KeyError("tags")))
    final = sink.statuses[-1]
    assert (ready(final)["status"], ready(final)["reason"]) == ("False", "ReadOperationFailed")
    assert ready(final)["message"] == "scan failed: KeyError: 'tags'"
    assert check(final, 1, mid_reconcile=False) == []
    assert result.error == "scan failed: KeyError: 'tags'" and not result.ready
    assert sink.events == [EventRecord("Warning", "ReadOperationFailed", "scan failed: KeyError: 'tags'")]


def test_the_failed_status_keeps_reconciling_with_retry_as_flux_does(store: TagStore) -> None:
    sink = MemorySink()
    run(repository(), sink, store, lister(RuntimeError("boom")))
    reconciling = next(c for c in sink.statuses[-1]["conditions"] if c["type"] == "Reconciling")
    assert (reconciling["status"], reconciling["reason"]) == ("True", "ProgressingWithRetry")
    assert "observedGeneration" in sink.statuses[-1] and sink.statuses[-1]["observedGeneration"] != 1


def test_a_multi_line_error_gives_a_one_line_message(store: TagStore) -> None:
    sink = MemorySink()
    error = ValueError("first line\nTraceback (most recent call last)")
    result = run(repository(), sink, store, lister(error))
    assert result.message == "scan failed: ValueError: first line"


def test_an_error_without_text_is_told_by_its_type(store: TagStore) -> None:
    sink = MemorySink()
    assert run(repository(), sink, store, lister(TimeoutError())).message == "scan failed: TimeoutError"


def test_an_unexpected_error_reading_the_database_is_a_scan_time_failure(store: TagStore) -> None:
    class BrokenStore(TagStore):
        def read(self, key: Any) -> Any:
            raise OSError("disk gone")

    sink = MemorySink()
    broken = BrokenStore(store.path)
    try:
        result = run(repository(), sink, broken, lister(tags=["1.0"]))
    finally:
        broken.close()
    assert (ready(sink.statuses[-1])["reason"], result.message) == (
        "Failure",
        "failed to determine if it's scan time: OSError: disk gone",
    )


def test_an_unexpected_error_reading_credentials_is_an_authentication_failure(store: TagStore) -> None:
    class BrokenSecrets:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError("secret source broken")

    sink = MemorySink()
    result = run(repository(secretRef={"name": "pull"}), sink, store, lister(), secrets=BrokenSecrets())
    assert ready(sink.statuses[-1])["reason"] == "AuthenticationFailed"
    assert result.message.startswith("failed to configure authentication options: RuntimeError: ")


def test_an_unexpected_error_outside_the_steps_is_failed_with_flux_reason(store: TagStore) -> None:
    sink = MemorySink()
    result = run(repository(timeout="soon"), sink, store, lister())
    assert ready(sink.statuses[-1])["reason"] == "Failed"
    assert result.error is not None and not result.ready
    assert check(sink.statuses[-1], 1, mid_reconcile=False) == []


def test_a_failed_intermediate_write_is_raised_when_the_final_write_fails_too(store: TagStore) -> None:
    sink = MemorySink(fail_writes=0)
    with pytest.raises(ApiError) as raised:
        run(repository(), sink, store, lister(tags=["1.0"]))
    assert raised.value is sink.failure
    assert sink.events == []


def test_a_failed_intermediate_write_still_ends_in_a_final_failed_status(store: TagStore) -> None:
    class FlakySink(MemorySink):
        calls = 0

        def write_status(self, obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any]:
            self.calls += 1
            if self.calls == 1:
                raise ApiError(500, "InternalError", "etcd leader changed")
            return super().write_status(obj, status)

    sink = FlakySink()
    result = run(repository(), sink, store, lister(tags=["1.0"]))
    assert len(sink.statuses) == 1
    assert ready(sink.statuses[0])["reason"] == "Failed"
    assert result.message == "Error from server (InternalError): etcd leader changed"
    assert check(sink.statuses[0], 1, mid_reconcile=False) == []


def test_a_successful_scan_is_unchanged(store: TagStore) -> None:
    sink = MemorySink()
    result = run(repository(), sink, store, lister(tags=["1.0", "1.1"]))
    assert result.ready and result.error is None and result.tag_count == 2
    assert ready(sink.statuses[-1])["reason"] == "Succeeded"
    assert sink.events[-1].type == "Normal"


def test_the_plugins_own_errors_are_told_without_their_type() -> None:
    from kubectl_imagerepo.model.errors import InputError

    assert describe_unexpected(InputError("error: bad value")) == "bad value"
    assert describe_unexpected(ZeroDivisionError("division by zero")) == "ZeroDivisionError: division by zero"
