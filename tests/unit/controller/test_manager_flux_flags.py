"""What `run`'s Flux flags change in the controller: the default ServiceAccount, events posted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubectl_imagerepo.controller.manager import LoggingSink, with_default_service_account
from kubectl_imagerepo.reconcile.events import EventRecord


def repo(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "app", "namespace": "ns"}, "spec": {"image": "x/app", **spec}}


def test_a_cloud_provider_object_without_an_account_gets_the_default() -> None:
    assert with_default_service_account(repo(provider="aws"), "irsa")["spec"]["serviceAccountName"] == "irsa"


def test_an_object_naming_its_account_keeps_it() -> None:
    obj = repo(provider="aws", serviceAccountName="own")
    assert with_default_service_account(obj, "irsa") is obj


def test_generic_objects_and_no_default_are_left_alone() -> None:
    obj = repo()
    assert with_default_service_account(obj, "irsa") is obj
    assert with_default_service_account(repo(provider="gcp"), None)["spec"].get("serviceAccountName") is None


class Sink:
    def __init__(self) -> None:
        self.recorded: list[str] = []

    def write_status(self, obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any]:
        return dict(obj)

    def record(self, obj: Mapping[str, Any], event: EventRecord) -> None:
        self.recorded.append(event.type)


class Poster:
    def __init__(self) -> None:
        self.bodies: list[Mapping[str, Any]] = []

    def post(self, body: Mapping[str, Any]) -> bool:
        self.bodies.append(body)
        return True


def test_events_are_recorded_and_normal_and_warning_ones_posted() -> None:
    sink, poster = Sink(), Poster()
    logging = LoggingSink(sink, lambda *a, **k: None, poster)  # type: ignore[arg-type]
    for kind in ("Normal", "Trace", "Warning"):
        logging.record(repo(), EventRecord(kind, "Succeeded", "m"))
    assert sink.recorded == ["Normal", "Trace", "Warning"]
    assert [b["severity"] for b in poster.bodies] == ["info", "error"]
