"""The tag lister: every tag of an image repository, read from its OCI registry as Flux's controller does.

`list_tags` is what a scan calls; `TagRegistry` is the registry client it uses, whose `get_tags` (oras's
name) walks the pages with `pagination.walk_pages` (docs/behaviour.md, Scanning). Every failure is a
`RegistryError` with the controller's text; nothing else escapes the lister.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import requests

from kubectl_imagerepo.registry.client import RegistryClient
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.errors import RegistryError
from kubectl_imagerepo.registry.limiter import SHARED_LIMITER
from kubectl_imagerepo.registry.pagination import PAGE_SIZES, walk_pages, with_page_size
from kubectl_imagerepo.registry.taglist import TagListError, body_text, decode_tag_list

if TYPE_CHECKING:
    from kubectl_imagerepo.model.reference import ImageReference

__all__ = ["TagRegistry", "list_tags", "tags_list_url"]


def _decode_tags(response: requests.Response) -> list[str]:
    """The tags of a tag-list page; the body is released from `response` first.

    A huge page is then held once as text and once as tags, not also as bytes.
    """
    body = response.content
    response._content = b""
    text = body_text(body)
    del body
    try:
        return decode_tag_list(text)
    except TagListError as bad:
        raise RegistryError(str(bad), status_code=response.status_code) from None


class TagRegistry(RegistryClient):
    """The tag client: oras's `get_tags`, as Flux's controller lists tags.

    Example:
        ```python
        with TagRegistry("ghcr.io", deadline=time.monotonic() + 30) as registry:
            tags = registry.get_tags("fluxcd/source-controller")
        ```
    """

    def __enter__(self) -> TagRegistry:
        return self

    def get_tags(
        self,
        container: ImageReference | str,
        N: int | None = None,  # oras's name
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        """Every tag of a repository in server order, duplicates removed (the first kept).

        Each page is one `do_request`.

        Args:
            container: The repository name (`library/alpine`), a parsed reference, or oras's
                `Container` (its `api_prefix`).
            N: Stop once this many tags are known (oras's meaning); None for all.
            progress: Called as `progress(pages, tags_so_far)` after each page.

        Raises:
            RegistryError: with the controller's message.
        """
        if isinstance(container, str):
            repository = container
        else:
            repository = getattr(container, "api_prefix", None) or container.repository
        url = f"{self.prefix}://{self.hostname}/v2/{repository}/tags/list"
        tags: dict[str, None] = {}
        pages = 0

        def take(response: requests.Response) -> bool:
            nonlocal pages
            pages += 1
            for tag in _decode_tags(response):
                tags.setdefault(tag, None)
            if progress is not None:
                progress(pages, len(tags))
            return N is None or len(tags) < N

        walk_pages(lambda page: self.do_request(page, "GET"), url, take, scheme=self.prefix,
                   host=self.hostname, secrets=self._secrets)
        found = list(tags)
        return found if N is None else found[:N]


def list_tags(
    reference: ImageReference,
    *,
    deadline: float,
    credentials: Credentials | None = None,
    ca_file: str | None = None,
    client_cert: tuple[str, str] | None = None,
    proxies: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """Every tag of `reference`'s repository, in the registry's order, each once.

    Args:
        reference: The parsed `spec.image`.
        deadline: A `time.monotonic()` value: the listing ends with `context deadline exceeded` then.
        credentials: What to authenticate with; anonymous when None.
        ca_file: A PEM bundle trusted in addition to the system's roots.
        client_cert: A (certificate file, key file) pair for mutual TLS.
        proxies: requests-style proxies (`{"https": "http://proxy:3128"}`) replacing the environment's.
        progress: Called as `progress(pages, tags_so_far)` after each page.

    Raises:
        RegistryError: with the controller's message, e.g.
            `GET http://127.0.0.1:5000/v2/app/tags/list?n=1000: NAME_UNKNOWN: repository name not known
            to registry; map[name:app]`.

    Example:
        ```python
        tags = list_tags(parse_image_reference("ghcr.io/fluxcd/flux-cli"), deadline=time.monotonic() + 60)
        ```
    """
    with TagRegistry(
        reference.registry_host,
        insecure=reference.scheme == "http",
        deadline=deadline,
        credentials=credentials,
        ca_file=ca_file,
        client_cert=client_cert,
        proxies=proxies,
        limiter=SHARED_LIMITER,
    ) as registry:
        return registry.get_tags(reference.repository, progress=progress)


def tags_list_url(reference: ImageReference) -> str:
    """The URL of the first page the lister asks for, as the controller names it in errors."""
    scheme = "http" if reference.scheme == "http" else "https"
    return with_page_size(f"{scheme}://{reference.registry_host}/v2/{reference.repository}/tags/list",
                          PAGE_SIZES[0])
