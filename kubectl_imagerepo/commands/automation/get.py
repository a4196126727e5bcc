"""`kubectl imagerepo automation get`: list ImageUpdateAutomations with the flow and flags of `get`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.commands.get import get_flags, run_get

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.get import Listing


def automation_listing() -> Listing:
    """ImageUpdateAutomations: output/automation_listing.py's columns."""
    from kubectl_imagerepo.commands.get import Listing
    from kubectl_imagerepo.model.automation.automation import PLURAL, ImageUpdateAutomation
    from kubectl_imagerepo.output import automation_listing as columns

    return Listing(PLURAL, ImageUpdateAutomation.from_dict, columns.headers, columns.row)


@click.command("get")
@get_flags
def command(ctx: click.Context, **flags: Any) -> None:
    """Display one or many ImageUpdateAutomations.

    Columns: NAME, READY, STATUS, AGE (the CRD's printer columns); `-o wide` adds LAST RUN. The
    status is the in-cluster image-automation-controller's, when one runs.
    """
    run_get(ctx, automation_listing(), **flags)
