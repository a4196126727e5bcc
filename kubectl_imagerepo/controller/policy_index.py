"""Which ImagePolicies read which ImageRepository: the controller's `.spec.imageRepository` field index."""

from __future__ import annotations

import threading

from kubectl_imagerepo.controller.informer import Key


class PolicyIndex:
    """Policy keys by the `(namespace, name)` of the repository they refer to; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._repository_of: dict[Key, Key] = {}
        self._policies_of: dict[Key, set[Key]] = {}

    def put(self, policy: Key, repository: Key) -> None:
        """Record (or move) the reference of `policy`."""
        with self._lock:
            self._drop_locked(policy)
            self._repository_of[policy] = repository
            self._policies_of.setdefault(repository, set()).add(policy)

    def remove(self, policy: Key) -> None:
        with self._lock:
            self._drop_locked(policy)

    def policies(self, repository: Key) -> list[Key]:
        """The policies referring to `repository`, sorted."""
        with self._lock:
            return sorted(self._policies_of.get(repository, ()))

    def _drop_locked(self, policy: Key) -> None:
        old = self._repository_of.pop(policy, None)
        if old is None:
            return
        keys = self._policies_of.get(old)
        if keys is not None:
            keys.discard(policy)
            if not keys:
                del self._policies_of[old]
