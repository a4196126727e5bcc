"""`kubectl imagerepo install`: server-side apply the ImageRepository and ImagePolicy CRDs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

from kubectl_imagerepo.kube.flags import kube_options
from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import CommandError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import KubeClient, Streams

CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


@click.command("install")
@click.option("--dry-run", is_flag=True, help="Print the CRDs instead of applying them.")
@click.option(
    "--wait/--no-wait", default=True, show_default=True, help="Wait until the CRDs are established."
)
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for the CRDs.")
@kube_options
@click.pass_context
def command(ctx: click.Context, dry_run: bool, wait: bool, timeout: float) -> None:
    """Install the ImageRepository and ImagePolicy CRDs in the cluster (server-side apply).

    Clusters running Flux's image-reflector-controller already have them.
    """
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    execute(InstallOptions(dry_run=dry_run, wait=wait, timeout=timeout), Factory.from_context(ctx))


@dataclass(frozen=True)
class InstallOptions:
    """`install`: apply (or with --dry-run print) the CRDs, and wait until they are established."""

    dry_run: bool = False
    wait: bool = True
    timeout: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def validate(self) -> None:
        """Nothing to check: click parsed the flags."""

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Print, or apply each CRD and then wait for all of them; a timeout is an error.

        The CRDs go in `model.crd.CRD_FILES` order, each one reported as `kubectl apply
        --server-side` does; `--timeout` bounds the whole wait, not each CRD's.
        """
        from kubectl_imagerepo.kube.client import APPLY_PATCH
        from kubectl_imagerepo.model.crd import crd_objects, crds_text

        if self.dry_run:
            streams.echo(crds_text())
            return 0
        names: list[str] = []
        for crd in crd_objects():
            name = crd["metadata"]["name"]
            kube.patch(
                f"{CRD_PATH}/{name}",
                crd,
                content_type=APPLY_PATCH,
                query=[("fieldManager", api.FIELD_MANAGER), ("force", "true")],
            )
            streams.echo(f"customresourcedefinition.apiextensions.k8s.io/{name} serverside-applied\n")
            names.append(name)
        if self.wait:
            deadline = time.monotonic() + self.timeout
            for name in names:
                self._wait_established(kube, name, deadline)
        return 0

    def _wait_established(self, kube: KubeClient, name: str, deadline: float) -> None:
        while True:
            found = kube.get(f"{CRD_PATH}/{name}")
            conditions = (found.get("status") or {}).get("conditions") or []
            if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
                return
            if time.monotonic() > deadline:
                raise CommandError(f"error: timed out waiting for {name} to be established")
            self.sleep(0.2)
