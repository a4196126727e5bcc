"""`kubectl imagerepo install`: put the ImageRepository CRD in place with server-side apply."""

from __future__ import annotations

import time

import click

from kubectl_imagerepo.kube.flags import flags_from, kube_options
from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import CommandError

CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


@click.command("install")
@click.option("--dry-run", is_flag=True, help="Print the CRD instead of applying it.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait until the CRD is established.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for the CRD.")
@kube_options
@click.pass_context
def command(ctx: click.Context, dry_run: bool, wait: bool, timeout: float) -> None:
    """Install the ImageRepository CRD in the cluster (server-side apply).

    Clusters running Flux's image-reflector-controller already have it.
    """
    from kubectl_imagerepo.model.crd import crd_object, crd_text

    if dry_run:
        click.echo(crd_text(), nl=False)
        return
    from kubectl_imagerepo.kube.client import APPLY_PATCH, Kube

    kube = Kube(flags_from(ctx))
    crd = crd_object()
    name = crd["metadata"]["name"]
    kube.patch(
        f"{CRD_PATH}/{name}",
        crd,
        content_type=APPLY_PATCH,
        query=[("fieldManager", api.FIELD_MANAGER), ("force", "true")],
    )
    click.echo(f"customresourcedefinition.apiextensions.k8s.io/{name} serverside-applied")
    if wait:
        _wait_established(kube, name, timeout)


def _wait_established(kube: object, name: str, timeout: float) -> None:
    from kubectl_imagerepo.kube.client import Kube

    assert isinstance(kube, Kube)
    deadline = time.monotonic() + timeout
    while True:
        found = kube.get(f"{CRD_PATH}/{name}")
        conditions = (found.get("status") or {}).get("conditions") or []
        if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
            return
        if time.monotonic() > deadline:
            raise CommandError(f"error: timed out waiting for {name} to be established")
        time.sleep(0.2)
