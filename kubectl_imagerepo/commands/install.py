"""`kubectl imagerepo install`: server-side apply the ImageRepository and ImagePolicy CRDs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.kube.flags import kube_options
from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.crd_ownership import CRD_RESOURCE
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
@click.option(
    "--force-conflicts",
    is_flag=True,
    help="Take over the CRD fields other field managers (such as Flux's) hold, as kubectl apply does.",
)
@kube_options
@click.pass_context
def command(ctx: click.Context, dry_run: bool, wait: bool, timeout: float, force_conflicts: bool) -> None:
    """Install the ImageRepository and ImagePolicy CRDs in the cluster (server-side apply).

    Clusters running Flux's image-reflector-controller already have them. CRDs whose fields another
    field manager holds are left alone, one line each, exit 1, unless --force-conflicts.
    """
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    options = InstallOptions(dry_run=dry_run, wait=wait, timeout=timeout, force_conflicts=force_conflicts)
    execute(options, Factory.from_context(ctx))


@dataclass(frozen=True)
class InstallOptions:
    """`install`: apply (or with --dry-run print) the CRDs, and wait until they are established."""

    dry_run: bool = False
    wait: bool = True
    timeout: float = 60.0
    force_conflicts: bool = False
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def validate(self) -> None:
        """Nothing to check: click parsed the flags."""

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Print, or apply each CRD and then wait for all of them; a timeout is an error.

        The CRDs go in `model.crd.CRD_FILES` order, each one reported as `kubectl apply
        --server-side` does; `--timeout` bounds the whole wait, not each CRD's. Without
        --force-conflicts every CRD is first applied as a dry run: when any would take fields from
        another manager, nothing is applied and each such CRD gets one line (exit 1).
        """
        from kubectl_imagerepo.model.crd import crd_objects, crds_text

        if self.dry_run:
            streams.echo(crds_text())
            return 0
        crds = crd_objects()
        if not self.force_conflicts:
            refused = [line for crd in crds if (line := _apply(kube, crd, dry_run=True))]
            if refused:
                streams.echo("".join(f"{line}\n" for line in refused), err=True)
                return 1
        names: list[str] = []
        for crd in crds:
            name = crd["metadata"]["name"]
            line = _apply(kube, crd, force=self.force_conflicts)
            if line:  # another manager applied in between the dry run and now
                raise CommandError(line)
            streams.echo(f"{CRD_RESOURCE}/{name} serverside-applied\n")
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


def _apply(kube: KubeClient, crd: dict[str, Any], *, dry_run: bool = False, force: bool = False) -> str:
    """Server-side apply one CRD (forcing only when told); the line naming its other managers on a
    conflict, else the empty string.
    """
    from kubectl_imagerepo.kube.client import APPLY_PATCH, ApiError
    from kubectl_imagerepo.model.crd_ownership import (
        conflict_line,
        conflict_of,
        served_versions,
        storage_version,
    )

    name = crd["metadata"]["name"]
    query = [("fieldManager", api.FIELD_MANAGER)]
    query += [("force", "true")] if force else []
    query += [("dryRun", "All")] if dry_run else []
    try:
        kube.patch(f"{CRD_PATH}/{name}", crd, content_type=APPLY_PATCH, query=query)
    except ApiError as failure:
        conflict = conflict_of(name, failure.details)
        if not failure.conflict or not (conflict.managers or conflict.fields):
            raise
        served = served_versions(kube.get(f"{CRD_PATH}/{name}")) if conflict.flux else ()
        return conflict_line(conflict, crd["spec"]["names"]["kind"], storage_version(crd), served)
    return ""
