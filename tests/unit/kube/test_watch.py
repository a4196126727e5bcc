"""The list-then-watch loop shared by `get -w`, `events -w` and the informer of `run`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from kubectl_imagerepo.kube.client import ApiError, ConnectionFailed
from kubectl_imagerepo.kube.watch import WatchRequest, list_then_watch


class Scripted:
    """Each watch plays the next script (events, or an exception); with none left, `done` is set."""

    def __init__(self, *scripts: Any) -> None:
        self.scripts = list(scripts)
        self.versions: list[str] = []
        self.done = False

    def watch(
        self, path: str, query: Sequence[tuple[str, str]] = (), read_timeout: float | None = None
    ) -> Iterator[dict[str, Any]]:
        self.versions.append(dict(query)["resourceVersion"])
        if not self.scripts:
            self.done = True
            return
        script = self.scripts.pop(0)
        if isinstance(script, Exception):
            raise script
        yield from script


def change(kind: str, version: str) -> dict[str, Any]:
    return {"type": kind, "object": {"metadata": {"name": "a", "resourceVersion": version}}}


def loop(client: Scripted, start: str = "", **hooks: Any) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    lists = iter(["10", "20", "30"])
    list_then_watch(
        client,
        "/path",
        relist=lambda: next(lists),
        request=lambda version: WatchRequest([("resourceVersion", version)]),
        on_event=lambda kind, obj: seen.append((kind, obj["metadata"]["resourceVersion"])),
        resource_version=start,
        stop=lambda: client.done,
        **hooks,
    )
    return seen


def test_without_a_version_it_lists_first_and_watches_from_the_list() -> None:
    client = Scripted()
    loop(client)
    assert client.versions == ["10"]


def test_a_given_version_is_watched_without_listing() -> None:
    client = Scripted()
    loop(client, start="5")
    assert client.versions == ["5"]


def test_bookmarks_move_the_version_on_and_are_not_reported() -> None:
    client = Scripted([change("BOOKMARK", "11"), change("ADDED", "12")], [])
    assert loop(client) == [("ADDED", "12")]
    assert client.versions == ["10", "12", "12"]


def test_a_410_lists_again_and_says_from_which_version() -> None:
    expired: list[str] = []
    client = Scripted([change("MODIFIED", "11")], ApiError(410, "Expired", "too old"))
    loop(client, on_expired=expired.append)
    assert expired == ["11"]
    assert client.versions == ["10", "11", "20"]


def test_other_errors_end_the_loop_without_a_failure_handler() -> None:
    with pytest.raises(ConnectionFailed):
        loop(Scripted(ConnectionFailed("refused")))


def test_with_a_failure_handler_the_watch_resumes_from_the_same_version() -> None:
    failures: list[str] = []
    client = Scripted(ConnectionFailed("refused"))
    loop(client, on_failure=lambda failure: failures.append(str(failure)))
    assert failures == ["refused"]
    assert client.versions == ["10", "10"]
