"""A cache of ImageRepositories kept current by list and watch, as client-go's informer.

The first list reports every object as added. Watches resume from the last resourceVersion seen
(bookmarks included); a watch the server no longer serves (410 Gone) is replaced by a relist that
reports what changed meanwhile; a lost connection is retried with a growing delay, so an API
server restart is survived.
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
    """List and watch the ImageRepositories of one namespace (None: all) matching `selector`."""

    kube: Kube
    namespace: str | None
    selector: str | None
    handler: Handler
    log: Log
    stop: threading.Event

    def __post_init__(self) -> None:
        self._cache: dict[Key, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._version = ""
        self.synced = threading.Event()
        self._api_version = ""
        self.relists = 0
        self.sleep: Callable[[float], bool] = self.stop.wait

    def get(self, key: Key) -> dict[str, Any] | None:
        """The object as last seen, or None."""
        with self._lock:
            return self._cache.get(key)

    def keys(self) -> list[Key]:
        with self._lock:
            return list(self._cache)

    def run(self) -> None:
        """List, then watch, until `stop` is set."""
        from kubectl_imagerepo.kube.client import ApiError
        from kubectl_imagerepo.model.errors import CommandError

        failures = 0
        need_list = True
        while not self.stop.is_set():
            try:
                if need_list:
                    self._relist()
                    need_list = False
                    self.synced.set()
                self._watch()
                failures = 0
            except ApiError as failure:
                if failure.status == 410:
                    self.log("info", "watch expired; listing again", resourceVersion=self._version)
                    need_list = True
                    continue
                failures = self._pause(failures, failure)
            except CommandError as failure:
                failures = self._pause(failures, failure)

    def _pause(self, failures: int, failure: Exception) -> int:
        delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)]
        self.log("error", "watch failed; retrying", error=str(failure), retryIn=f"{delay}s")
        self.sleep(delay)
        return failures + 1

    def _path(self) -> str:
        return self.kube.resource_path(self.namespace)

    def _query(self) -> list[tuple[str, str]]:
        return [("labelSelector", self.selector)] if self.selector else []

    def _relist(self) -> None:
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

    def _watch(self) -> None:
        seconds = random.randint(*WATCH_SECONDS)
        query = [
            *self._query(),
            ("resourceVersion", self._version),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", str(seconds)),
        ]
        for event in self.kube.watch(self._path(), query, read_timeout=seconds + READ_SLACK):
            if self.stop.is_set():
                return
            self._apply(str(event.get("type")), event.get("object") or {})

    def _apply(self, kind: str, raw: dict[str, Any]) -> None:
        version = str((raw.get("metadata") or {}).get("resourceVersion") or "")
        if kind == "BOOKMARK":
            if version:
                self._version = version
            return
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
        obj.setdefault("kind", api.KIND)
        return obj
