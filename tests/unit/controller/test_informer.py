"""The informer of `run`: list, watch from the last resourceVersion, relist on 410, retry when cut off."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from kubectl_imagerepo.controller.informer import Informer
from kubectl_imagerepo.kube.client import ApiError, ConnectionFailed


def item(name: str, version: str, generation: int = 1) -> dict[str, Any]:
    meta = {"name": name, "namespace": "n", "resourceVersion": version, "generation": generation}
    return {"metadata": meta}


class FakeKube:
    """Answers lists and watches from scripts; each watch script is a list of events or an exception."""

    def __init__(self, lists: list[dict[str, Any]], watches: list[Any], stop: threading.Event) -> None:
        self.lists, self.watches, self.stop = lists, watches, stop
        self.watch_versions: list[str] = []
        self.paths: list[str] = []

    def resource_path(self, namespace: str | None, plural: str = "imagerepositories") -> str:
        self.paths.append(plural)
        return f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/{plural}"

    def list_all(self, path: str, query: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
        return self.lists.pop(0)

    def watch(
        self, path: str, query: Sequence[tuple[str, str]] = (), read_timeout: float | None = None
    ) -> Iterator[dict[str, Any]]:
        self.watch_versions.append(dict(query)["resourceVersion"])
        if not self.watches:
            self.stop.set()
            return
        script = self.watches.pop(0)
        if isinstance(script, Exception):
            raise script
        yield from script


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def on_add(self, obj: dict[str, Any]) -> None:
        self.seen.append(("add", obj["metadata"]["name"]))

    def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.seen.append(("update", new["metadata"]["name"]))

    def on_delete(self, obj: dict[str, Any]) -> None:
        self.seen.append(("delete", obj["metadata"]["name"]))


def listing(version: str, *items: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "metadata": {"resourceVersion": version},
        "items": list(items),
    }


def run(
    lists: list[dict[str, Any]], watches: list[Any], **kind: str
) -> tuple[Informer, FakeKube, Recorder]:
    stop = threading.Event()
    kube = FakeKube(lists, watches, stop)
    recorder = Recorder()
    informer = Informer(kube, "n", None, recorder, lambda *a, **k: None, stop, **kind)  # type: ignore[arg-type]
    informer.sleep = lambda seconds: False
    informer.run()
    return informer, kube, recorder


def test_the_first_list_reports_every_object_as_added_with_apiversion_and_kind():
    informer, _, recorder = run([listing("10", item("a", "5"), item("b", "6"))], [])
    assert recorder.seen == [("add", "a"), ("add", "b")]
    cached = informer.get(("n", "a"))
    assert cached is not None
    assert (cached["apiVersion"], cached["kind"]) == ("image.toolkit.fluxcd.io/v1", "ImageRepository")


def test_an_informer_of_imagepolicies_lists_and_types_them_as_such():
    informer, kube, _ = run([listing("10", item("p", "5"))], [], plural="imagepolicies", kind="ImagePolicy")
    cached = informer.get(("n", "p"))
    assert cached is not None and cached["kind"] == "ImagePolicy"
    assert set(kube.paths) == {"imagepolicies"}


def test_the_watch_starts_from_the_list_s_resource_version():
    _, kube, _ = run([listing("10")], [])
    assert kube.watch_versions == ["10"]


def test_bookmarks_move_the_resource_version_on():
    bookmark = {"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "42"}}}
    _, kube, _ = run([listing("10")], [[bookmark]])
    assert kube.watch_versions == ["10", "42"]


def test_watch_events_update_the_cache_and_are_reported():
    events = [
        {"type": "ADDED", "object": item("c", "11")},
        {"type": "MODIFIED", "object": item("c", "12", generation=2)},
        {"type": "DELETED", "object": item("c", "13")},
    ]
    informer, kube, recorder = run([listing("10")], [events])
    assert recorder.seen == [("add", "c"), ("update", "c"), ("delete", "c")]
    assert informer.get(("n", "c")) is None
    assert kube.watch_versions[-1] == "13"


def test_a_410_relists_and_reports_what_changed_meanwhile():
    first = listing("10", item("a", "5"), item("b", "6"))
    second = listing("20", item("b", "15", generation=2), item("c", "16"))
    informer, kube, recorder = run([first, second], [ApiError(410, "Expired", "too old resource version")])
    assert recorder.seen[2:] == [("delete", "a"), ("update", "b"), ("add", "c")]
    assert kube.watch_versions == ["10", "20"]
    assert informer.relists == 2


def test_a_lost_connection_resumes_the_watch_from_the_same_version():
    _, kube, recorder = run([listing("10", item("a", "5"))], [ConnectionFailed("refused"), []])
    assert kube.watch_versions == ["10", "10", "10"]
    assert recorder.seen == [("add", "a")]
