"""`kubectl imagerepo policy get`: list ImagePolicies with the flow and flags of `get`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.commands.get import get_flags, run_get

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.get import Listing


def policy_listing() -> Listing:
    """ImagePolicies: output/policy_listing.py's columns."""
    from kubectl_imagerepo.commands.get import Listing
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.model.imagepolicy import ImagePolicy
    from kubectl_imagerepo.output import policy_listing as columns

    return Listing(api.POLICY_PLURAL, ImagePolicy.from_dict, columns.headers, columns.row)


@click.command("get")
@get_flags
def command(ctx: click.Context, **flags: Any) -> None:
    """Display one or many ImagePolicies.

    Columns: NAME, IMAGE, TAG (status.latestRef), READY, STATUS, AGE; `-o wide` adds REPOSITORY,
    POLICY, DIGEST and PREVIOUS (status.observedPreviousRef).
    """
    run_get(ctx, policy_listing(), **flags)
