"""Where an ImagePolicy's reconcile reads its ImageRepository and the labels of its own namespace.

Against a cluster both are read from the API server at each reconcile (as the controller's cached
client does); for `reconcile -f` they come from the files, the repositories as their own reconcile
left them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube

#: The NotFound text of the controller's cached client, which names the kind rather than the resource.
REPOSITORY_NOT_FOUND = '{kind}.{group} "{name}" not found'


class SourceError(Exception):
    """The object could not be read; the text is the API server's."""


class RepositorySource(Protocol):
    """The objects a policy's reconcile looks up."""

    def repository(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        """The ImageRepository, or None when it does not exist.

        Raises:
            SourceError: it could not be read.
        """

    def namespace_labels(self, namespace: str) -> Mapping[str, str]:
        """The labels of a Namespace (for `accessFrom`).

        Raises:
            SourceError: the Namespace could not be read.
        """


def repository_not_found(name: str) -> str:
    """`ImageRepository.image.toolkit.fluxcd.io "<name>" not found`."""
    return REPOSITORY_NOT_FOUND.format(kind=api.KIND, group=api.GROUP, name=name)


class ClusterRepositories:
    """Reads from the API server.

    `as_caller`: a 403 is the caller's own missing right (`CallerForbidden`), raised as it is.
    """

    def __init__(self, kube: Kube, *, as_caller: bool = False) -> None:
        self.kube = kube
        self.as_caller = as_caller

    def repository(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        from kubectl_imagerepo.kube.client import ApiError, ConnectionFailed

        if not name or not namespace:
            return None  # an empty name would address the list; the cached client finds nothing
        try:
            found: Mapping[str, Any] = self.kube.get(self.kube.resource_path(namespace, name))
        except ApiError as failure:
            if failure.not_found:
                return None
            if failure.forbidden and self.as_caller:
                raise failure.refused_to_caller("get", api.PLURAL, namespace, name) from None
            raise SourceError(failure.message) from None
        except ConnectionFailed as failure:
            raise SourceError(str(failure).removeprefix("error: ")) from None
        return found

    def namespace_labels(self, namespace: str) -> Mapping[str, str]:
        from urllib.parse import quote

        from kubectl_imagerepo.kube.client import ApiError, ConnectionFailed

        try:
            found = self.kube.get(f"/api/v1/namespaces/{quote(namespace, safe='')}")
        except ApiError as failure:
            if failure.forbidden and self.as_caller:
                raise failure.refused_to_caller("get", "namespaces", "", namespace) from None
            raise SourceError(failure.message) from None
        except ConnectionFailed as failure:
            raise SourceError(str(failure).removeprefix("error: ")) from None
        labels = (found.get("metadata") or {}).get("labels") or {}
        return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}


class FileRepositories:
    """Reads the objects of `reconcile -f`; a namespace the files do not define has no labels.

    `update()` replaces a repository with its reconciled self, so that a policy sees its status.
    """

    def __init__(
        self, repositories: Iterable[Mapping[str, Any]], namespaces: Iterable[Mapping[str, Any]] = ()
    ) -> None:
        self._repositories: dict[tuple[str, str], Mapping[str, Any]] = {}
        for repo in repositories:
            self.update(repo)
        self._labels: dict[str, Mapping[str, str]] = {}
        for namespace in namespaces:
            meta = namespace.get("metadata") or {}
            self._labels[str(meta.get("name") or "")] = dict(meta.get("labels") or {})

    def update(self, repo: Mapping[str, Any]) -> None:
        meta = repo.get("metadata") or {}
        self._repositories[(str(meta.get("namespace") or ""), str(meta.get("name") or ""))] = repo

    def repository(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self._repositories.get((namespace, name))

    def namespace_labels(self, namespace: str) -> Mapping[str, str]:
        return self._labels.get(namespace, {})
