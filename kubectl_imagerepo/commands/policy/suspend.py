"""`kubectl imagerepo policy suspend`: stop reconciling ImagePolicies (`spec.suspend: true`)."""

from __future__ import annotations

from typing import Any

import click

from kubectl_imagerepo.commands.cmdutil.selection import selection_arguments
from kubectl_imagerepo.kube.flags import kube_options
from kubectl_imagerepo.model import api


@click.command("suspend")
@selection_arguments("Suspend", api.POLICY_KIND)
@kube_options
@click.pass_context
def command(ctx: click.Context, /, **flags: Any) -> None:
    """Suspend ImagePolicies: neither this plugin nor the controller resolves them until resumed."""
    from kubectl_imagerepo.commands.suspend import run_suspend

    run_suspend(ctx, flags, api.POLICY_KIND)
