"""`kubectl imagerepo policy resume`: resume ImagePolicies and resolve them now (flux resume)."""

from __future__ import annotations

from typing import Any

import click

from kubectl_imagerepo.commands.cmdutil.scan_flags import scan_options
from kubectl_imagerepo.commands.cmdutil.selection import selection_arguments
from kubectl_imagerepo.model import api


@click.command("resume")
@selection_arguments("Resume", api.POLICY_KIND)
@click.option("--wait/--no-wait", default=True, show_default=True, help="Resolve the resumed policies now.")
@click.option("--no-scan", is_flag=True, help="Never scan a repository first (see `policy reconcile`).")
@scan_options
def command(ctx: click.Context, /, **flags: Any) -> None:
    """Resume ImagePolicies, then resolve them here; exits 1 when any does not end Ready."""
    from kubectl_imagerepo.commands.resume import run_resume

    run_resume(ctx, flags, api.POLICY_KIND)
