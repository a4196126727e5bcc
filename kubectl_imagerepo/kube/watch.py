"""List, then watch from the list's resourceVersion, as client-go's ListWatch: one loop for every watcher.

`get -w`, `events -w` and the informer of `run` differ only in how they list, what they ask the
watch for and what they do with a failure, so they pass those in. A bookmark moves the
resourceVersion on and is not reported; a 410 Gone (the version is too old) lists again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kubectl_imagerepo.kube.client import ApiError
from kubectl_imagerepo.model.errors import CommandError


class Watcher(Protocol):
    """What a watch needs of the cluster client (the `Kube` of kube/client.py is one)."""

    def watch(
        self, path: str, query: Sequence[tuple[str, str]] = (), read_timeout: float | None = None
    ) -> Iterator[dict[str, Any]]: ...


@dataclass(frozen=True)
class WatchRequest:
    """The query of one watch request and how long a read may stay silent (None: no bound)."""

    query: list[tuple[str, str]]
    read_timeout: float | None = None


def resource_version_of(obj: dict[str, Any]) -> str:
    """`metadata.resourceVersion` of an object or a list, "" when absent."""
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


def _never() -> bool:
    return False


def list_then_watch(
    client: Watcher,
    path: str | Callable[[], str],
    *,
    relist: Callable[[], str],
    request: Callable[[str], WatchRequest],
    on_event: Callable[[str, dict[str, Any]], None],
    resource_version: str = "",
    stop: Callable[[], bool] = _never,
    on_expired: Callable[[str], None] | None = None,
    on_failure: Callable[[CommandError], None] | None = None,
    on_watch_ended: Callable[[], None] | None = None,
) -> None:
    """Watch `path` from `resource_version` (listing first when it is empty) until `stop()`.

    A callable `path` is asked again for each request, inside the error handling.
    `relist()` lists (handling what it found) and returns the list's resourceVersion; it runs at the
    start when no version is given and after every 410. `on_event(type, object)` gets every event but
    bookmarks. Without `on_failure` any other error ends the loop; with it, the loop goes on from the
    same version after it returns (it is where a caller waits before retrying).
    """
    version = resource_version
    need_list = not version
    while not stop():
        try:
            if need_list:
                version = relist()
                need_list = False
            asked = request(version)
            where = path() if callable(path) else path
            for event in client.watch(where, asked.query, read_timeout=asked.read_timeout):
                if stop():
                    return
                obj = event.get("object") or {}
                version = resource_version_of(obj) or version
                kind = str(event.get("type"))
                if kind != "BOOKMARK":
                    on_event(kind, obj)
            if on_watch_ended is not None:
                on_watch_ended()
        except ApiError as failure:
            if failure.status == 410:
                if on_expired is not None:
                    on_expired(version)
                need_list = True
                continue
            if on_failure is None:
                raise
            on_failure(failure)
        except CommandError as failure:
            if on_failure is None:
                raise
            on_failure(failure)
