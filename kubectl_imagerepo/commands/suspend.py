"""`kubectl imagerepo suspend`: stop reconciling ImageRepositories (`spec.suspend: true`)."""

from __future__ import annotations

import sys

import click

from kubectl_imagerepo.kube.flags import flags_from, kube_options


@click.command("suspend")
@click.argument("names", nargs=-1)
@click.option("--all", "all_objects", is_flag=True, help="Suspend every ImageRepository of the namespace.")
@click.option("-l", "--selector", help="Suspend the ImageRepositories matching this label selector.")
@kube_options
@click.pass_context
def command(ctx: click.Context, names: tuple[str, ...], all_objects: bool, selector: str | None) -> None:
    """Suspend ImageRepositories: neither this plugin nor the controller scans them until resumed."""
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.output.fluxlog import say
    from kubectl_imagerepo.reconcile.actions import select_objects, set_suspend

    kube = Kube(flags_from(ctx))
    namespace = kube.namespace
    objects, missing = select_objects(kube, namespace, names, all_objects, selector)
    for name in missing:
        say("failure", f"{api.KIND} {name} not found in {namespace} namespace")
    if not objects and not missing:
        say("failure", "no objects found")
        sys.exit(1)
    _, failed = set_suspend(kube, namespace, objects, suspend=True)
    failed = failed or bool(missing)
    sys.exit(1 if failed else 0)
