"""`kubectl imagerepo automation apply`: write the controller's change to the local checkout."""

from __future__ import annotations

from typing import Any

import click

from kubectl_imagerepo.commands.automation.diff import run_update, update_flags


@click.command("apply")
@update_flags
def command(ctx: click.Context, **flags: Any) -> None:
    """Write what image-automation-controller v1.2.0 would write, in place: only the changed files.

    The files are what the controller's worktree holds before it commits; nothing is committed or
    pushed (`git diff` shows the change). Each file is replaced atomically. Same scope and warnings as
    `automation diff`.
    """
    run_update(ctx, write=True, **flags)
