"""A reconcile run with the caller's own rights: a refused read leaves the object as it was."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.kube.client import ApiError
from kubectl_imagerepo.model.errors import CallerForbidden
from kubectl_imagerepo.reconcile.reconciler import Options, reconcile
from kubectl_imagerepo.registry.access import AuthError, ClusterSecrets
from kubectl_imagerepo.store.database import ObjectKey, StoreError, TagStore, object_key
from tests.unit.reconcile.test_reconciler import NOW, MemorySink, lister, repository

FORBIDDEN = (
    'secrets "pull" is forbidden: User "system:serviceaccount:dev:dev" cannot get resource "secrets" '
    'in API group "" in the namespace "team"'
)


class RefusingKube:
    """An API server that answers 403 to every read and token request."""

    def get(self, path: str, query: Any = ()) -> Any:
        raise ApiError(403, "Forbidden", FORBIDDEN)

    def post(self, path: str, body: Any, query: Any = ()) -> Any:
        raise ApiError(403, "Forbidden", FORBIDDEN)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TagStore]:
    with TagStore(tmp_path / "tags.sqlite3") as opened:
        yield opened


def secrets(as_caller: bool) -> ClusterSecrets:
    return ClusterSecrets(RefusingKube(), as_caller=as_caller)  # type: ignore[arg-type]


def run_as(as_caller: bool, sink: MemorySink, store: TagStore, obj: Mapping[str, Any]) -> Any:
    gates = frozenset({"ObjectLevelWorkloadIdentity"})
    options = Options(as_caller=as_caller, clock=lambda: NOW, secrets=secrets(as_caller), feature_gates=gates)
    return reconcile(obj, sink=sink, store=store, list_tags=lister(tags=["1.0"]), options=options)


def new_generation(**spec: Any) -> dict[str, Any]:
    obj = repository(**spec)
    obj["metadata"]["generation"] = 2
    obj["status"] = {"observedGeneration": 1}
    return obj


def test_a_refused_secret_read_as_the_caller_writes_no_status_and_no_event(store: TagStore) -> None:
    sink = MemorySink()
    with pytest.raises(CallerForbidden):
        run_as(True, sink, store, new_generation(secretRef={"name": "pull"}))
    assert sink.statuses == [] and sink.events == []


def test_the_refusal_names_the_verb_resource_namespace_name_user_and_the_object(store: TagStore) -> None:
    with pytest.raises(CallerForbidden) as refused:
        run_as(True, MemorySink(), store, repository(secretRef={"name": "pull"}))
    assert refused.value.display() == (
        'error: User "system:serviceaccount:dev:dev" may not get secrets "pull" in namespace "team"; '
        "the status and events of ImageRepository team/app were left as they were"
    )


def test_a_refused_service_account_read_as_the_caller_is_the_caller_s_too(store: TagStore) -> None:
    with pytest.raises(CallerForbidden) as refused:
        run_as(True, MemorySink(), store, repository(serviceAccountName="puller"))
    assert (refused.value.verb, refused.value.resource, refused.value.name) == (
        "get", "serviceaccounts", "puller"
    )


def test_the_same_refusal_in_the_controller_s_identity_is_the_object_s_failed_status(store: TagStore) -> None:
    sink = MemorySink()
    result = run_as(False, sink, store, repository(secretRef={"name": "pull"}))
    ready = next(c for c in sink.statuses[-1]["conditions"] if c["type"] == "Ready")
    assert ready["reason"] == "AuthenticationFailed" and FORBIDDEN in ready["message"]
    assert not result.ready and [e.type for e in sink.events] == ["Warning"]


def test_as_the_caller_statuses_are_written_in_the_controller_s_order_at_the_exit(store: TagStore) -> None:
    held, direct = MemorySink(), MemorySink()
    for as_caller, sink in ((True, held), (False, direct)):
        options = Options(as_caller=as_caller, scope=str(as_caller), clock=lambda: NOW)
        reconcile(new_generation(), sink=sink, store=store, list_tags=lister(tags=["1.0"]), options=options)
    assert len(held.statuses) == 3 and held.statuses == direct.statuses
    assert held.events == direct.events


def test_a_secret_that_does_not_exist_is_still_the_object_s_failure_as_the_caller() -> None:
    class MissingKube(RefusingKube):
        def get(self, path: str, query: Any = ()) -> Any:
            raise ApiError(404, "NotFound", 'secrets "pull" not found')

    assert ClusterSecrets(MissingKube(), as_caller=True).secret("team", "pull") is None  # type: ignore[arg-type]


def test_a_server_error_reading_a_secret_stays_an_authentication_failure_as_the_caller() -> None:
    class BrokenKube(RefusingKube):
        def get(self, path: str, query: Any = ()) -> Any:
            raise ApiError(500, "InternalError", "etcd is gone")

    with pytest.raises(AuthError, match="etcd is gone"):
        ClusterSecrets(BrokenKube(), as_caller=True).secret("team", "pull")  # type: ignore[arg-type]


def test_an_object_s_tags_are_keyed_by_its_uid_whoever_reads_it() -> None:
    assert object_key(None, "6c1f-uid", "team", "app") == ObjectKey("6c1f-uid", "team", "app")


def test_an_object_without_a_uid_cannot_be_keyed_and_says_so() -> None:
    with pytest.raises(StoreError, match=r"team/app has no metadata\.uid"):
        object_key(None, None, "team", "app")


def test_the_objects_of_files_are_keyed_in_the_local_scope() -> None:
    assert object_key("local", "ignored", "team", "app") == ObjectKey("local", "team", "app")
