"""`kubectl imagerepo policy suspend`: stop reconciling ImagePolicies (`spec.suspend: true`)."""

from __future__ import annotations

import click

from kubectl_imagerepo.kube.flags import kube_options


@click.command("suspend")
@click.argument("names", nargs=-1)
@click.option("--all", "all_objects", is_flag=True, help="Suspend every ImagePolicy of the namespace.")
@click.option("-l", "--selector", help="Suspend the ImagePolicies matching this label selector.")
@kube_options
@click.pass_context
def command(ctx: click.Context, names: tuple[str, ...], all_objects: bool, selector: str | None) -> None:
    """Suspend ImagePolicies: neither this plugin nor the controller resolves them until resumed."""
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute
    from kubectl_imagerepo.commands.suspend import SuspendOptions
    from kubectl_imagerepo.model import api

    factory = Factory.from_context(ctx)
    options = SuspendOptions.complete(
        factory, names=names, all_objects=all_objects, selector=selector, kind=api.POLICY_KIND
    )
    execute(options, factory)
