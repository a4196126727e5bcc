"""A cache of ImageRepositories (or ImagePolicies) kept current by list and watch, as client-go's informer.

The first list reports every object as added. Watches (kube/watch.py) resume from the last
resourceVersion seen (bookmarks included); a watch the server no longer serves (410 Gone) is
replaced by a relist that reports what changed meanwhile; a lost connection is retried with a
growing delay, so an API server restart is survived.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.kube.watch import WatchRequest

Key = tuple[str, str]
#: How long the server keeps one watch open, in seconds (client-go picks 5–10 minutes too).
WATCH_SECONDS = (300, 600)
#: A watch silent for this much longer than its timeout is treated as a lost connection.
READ_SLACK = 30.0
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)


def key_of(obj: dict[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


class Handler(Protocol):
    """What the informer tells about objects."""

    def on_add(self, obj: dict[str, Any]) -> None: ...

    def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None: ...

    def on_delete(self, obj: dict[str, Any]) -> None: ...


class Log(Protocol):
    def __call__(self, level: str, message: str, **fields: Any) -> None: ...


@dataclass
class Informer:
    """List and watch the objects of one namespace (None: all) matching `selector`.

    ImageRepositories unless `plural` and `kind` name another resource of the group.
    """

    kube: Kube
    namespace: str | None
    selector: str | None
    handler: Handler
    log: Log
    stop: threading.Event
    plural: str = api.PLURAL
    kind: str = api.KIND

    def __post_init__(self) -> None:
        self._cache: dict[Key, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._version = ""
        self.synced = threading.Event()
        self._api_version = ""
        self.relists = 0
        self._failures = 0  # watch failures in a row, for the retry delay
        self.sleep: Callable[[float], bool] = self.stop.wait

    def get(self, key: Key) -> dict[str, Any] | None:
        """The object as last seen, or None."""
        with self._lock:
            return self._cache.get(key)

    def keys(self) -> list[Key]:
        with self._lock:
            return list(self._cache)

    def run(self) -> None:
        """List, then watch, until `stop` is set (see kube/watch.py for the loop)."""
        from kubectl_imagerepo.kube.watch import list_then_watch

        def watched() -> None:
            self._failures = 0

        list_then_watch(
            self.kube,
            self._path,
            relist=self._relist,
            request=self._request,
            on_event=self._apply,
            stop=self.stop.is_set,
            on_expired=self._expired,
            on_failure=self._pause,
            on_watch_ended=watched,
        )

    def _expired(self, version: str) -> None:
        self.log("info", "watch expired; listing again", resourceVersion=version)

    def _pause(self, failure: Exception) -> None:
        delay = RETRY_DELAYS[min(self._failures, len(RETRY_DELAYS) - 1)]
        self.log("error", "watch failed; retrying", error=str(failure), retryIn=f"{delay}s")
        self.sleep(delay)
        self._failures += 1

    def _path(self) -> str:
        return self.kube.resource_path(self.namespace, plural=self.plural)

    def _query(self) -> list[tuple[str, str]]:
        return [("labelSelector", self.selector)] if self.selector else []

    def _relist(self) -> str:
        """List every object, report what changed since the cache, mark the cache synced."""
        listed = self.kube.list_all(self._path(), self._query())
        self._api_version = str(listed.get("apiVersion") or f"{api.GROUP}/{api.VERSIONS[0]}")
        fresh = {}
        for item in listed.get("items") or []:
            obj = self._typed(item)
            fresh[key_of(obj)] = obj
        with self._lock:
            old = self._cache
            self._cache = fresh
            self._version = str((listed.get("metadata") or {}).get("resourceVersion") or "")
        self.relists += 1
        for key, obj in old.items():
            if key not in fresh:
                self.handler.on_delete(obj)
        for key, obj in fresh.items():
            if key in old:
                self.handler.on_update(old[key], obj)
            else:
                self.handler.on_add(obj)
        self.synced.set()
        return self._version

    def _request(self, version: str) -> WatchRequest:
        from kubectl_imagerepo.kube.watch import WatchRequest

        seconds = random.randint(*WATCH_SECONDS)
        query = [
            *self._query(),
            ("resourceVersion", version),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", str(seconds)),
        ]
        return WatchRequest(query, read_timeout=seconds + READ_SLACK)

    def _apply(self, kind: str, raw: dict[str, Any]) -> None:
        version = str((raw.get("metadata") or {}).get("resourceVersion") or "")
        obj = self._typed(raw)
        key = key_of(obj)
        with self._lock:
            old = self._cache.get(key)
            if kind == "DELETED":
                self._cache.pop(key, None)
            else:
                self._cache[key] = obj
            if version:
                self._version = version
        if kind == "DELETED":
            self.handler.on_delete(obj)
        elif old is None:
            self.handler.on_add(obj)
        else:
            self.handler.on_update(old, obj)

    def _typed(self, item: dict[str, Any]) -> dict[str, Any]:
        """List items come without apiVersion and kind; events and patches need them."""
        obj = dict(item)
        obj.setdefault("apiVersion", self._api_version or f"{api.GROUP}/{api.VERSIONS[0]}")
        obj.setdefault("kind", self.kind)
        return obj
