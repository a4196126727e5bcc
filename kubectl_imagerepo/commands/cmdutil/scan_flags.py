"""The flags of the commands that may scan (`reconcile`, `resume`, `tags`, `run`) and their parsing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kubectl_imagerepo.kube.flags import kube_options
from kubectl_imagerepo.model.errors import InputError

KNOWN_GATES = frozenset({"ObjectLevelWorkloadIdentity"})


def database_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--database PATH` (default: $KUBECTL_IMAGEREPO_DATABASE, else the user data directory)."""
    return click.option(
        "--database",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The local tag database (default: $KUBECTL_IMAGEREPO_DATABASE, else the user data directory).",
    )(command)


def feature_gates_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--feature-gates",
        default="",
        help="Comma-separated Name=true|false, as the controller: ObjectLevelWorkloadIdentity.",
    )(command)


def quiet_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--quiet/-q`: no progress line while scanning (there is none when stderr is not a terminal)."""
    return click.option(
        "-q", "--quiet", is_flag=True, help="Show no progress line on the terminal while scanning."
    )(command)


def scan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of every command that may scan: --database, --feature-gates, kubectl's flags."""
    return database_option(feature_gates_option(kube_options(click.pass_context(command))))


def parse_feature_gates(text: str) -> frozenset[str]:
    """The enabled gates of `A=true,B=false`."""
    enabled = set()
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        if name not in KNOWN_GATES or value.lower() not in ("true", "false"):
            raise InputError(f"error: --feature-gates: unknown feature gate or value {item!r}")
        if value.lower() == "true":
            enabled.add(name)
    return frozenset(enabled)
