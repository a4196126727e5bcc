"""What every command shares, as kubectl's pkg/cmd: streams, the cluster client and its factory, running.

A command is an options value: `complete` it from the flags and the factory (which reads the
kubeconfig), `validate` it, then `run` it with a cluster client and the streams; the click command
around it only collects the flags. Unit tests inject a fake client and captured streams.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TextIO, cast

if TYPE_CHECKING:
    import click

    from kubectl_imagerepo.kube.client import Cluster, Kube
    from kubectl_imagerepo.kube.flags import KubeFlags


class KubeClient(Protocol):
    """The requests commands make of the API server (the `Kube` of kube/client.py is one)."""

    @property
    def namespace(self) -> str: ...

    @property
    def cluster(self) -> Cluster: ...

    def get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Any: ...

    def post(self, path: str, body: Any, query: Sequence[tuple[str, str]] = ()) -> Any: ...

    def patch(
        self, path: str, body: Any, content_type: str = ..., query: Sequence[tuple[str, str]] = ()
    ) -> Any: ...

    def put(self, path: str, body: Any, query: Sequence[tuple[str, str]] = ()) -> Any: ...

    def watch(
        self, path: str, query: Sequence[tuple[str, str]] = (), read_timeout: float | None = None
    ) -> Iterator[dict[str, Any]]: ...

    def preferred_version(self, group: str = ..., resource: str = ...) -> str: ...

    def resource_path(
        self,
        namespace: str | None,
        name: str | None = None,
        *,
        subresource: str | None = None,
        group: str = ...,
        plural: str = ...,
    ) -> str: ...

    def list_all(
        self, path: str, query: Sequence[tuple[str, str]] = (), chunk: int = 500
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Streams:
    """Where a command writes: `out` for results, `err` for progress, warnings and errors."""

    out: TextIO
    err: TextIO

    @classmethod
    def system(cls) -> Streams:
        return cls(sys.stdout, sys.stderr)

    def echo(self, text: str, *, err: bool = False) -> None:
        """Write `text` as it is (no newline added) and flush."""
        stream = self.err if err else self.out
        stream.write(text)
        stream.flush()

    def say(self, kind: str, message: str) -> None:
        """One of Flux's progress lines (`►`, `✔`, `✗`, `◎`, `⚠️`) on `err`."""
        from kubectl_imagerepo.output.fluxlog import say

        say(kind, message, self.err)

    def failure(self, message: str) -> None:
        """Flux's failure line (`✗`) on `err`."""
        self.say("failure", message)


class Factory:
    """The connection flags, and the cluster client opened from them on first use (kubectl's Factory)."""

    def __init__(self, flags: KubeFlags, opener: Callable[[KubeFlags], KubeClient] | None = None) -> None:
        self.flags = flags
        self._opener = opener
        self._client: KubeClient | None = None

    @classmethod
    def from_context(cls, ctx: click.Context) -> Factory:
        from kubectl_imagerepo.kube.flags import flags_from

        return cls(flags_from(ctx))

    def client(self) -> KubeClient:
        if self._client is None:
            if self._opener is None:
                from kubectl_imagerepo.kube.client import Kube

                self._client = Kube(self.flags)
            else:
                self._client = self._opener(self.flags)
        return self._client


def as_kube(client: KubeClient) -> Kube:
    """`client` where the layers below type the concrete `Kube`; a KubeClient makes the same requests."""
    return cast("Kube", client)


class Command(Protocol):
    """A completed command: it checks itself, then runs to an exit code."""

    def validate(self) -> None: ...

    def run(self, kube: KubeClient, streams: Streams) -> int: ...


def execute(command: Command, factory: Factory, streams: Streams | None = None) -> NoReturn:
    """Validate and run a completed command, then exit with its code (the click commands' last step)."""
    command.validate()
    sys.exit(command.run(factory.client(), streams or Streams.system()))
