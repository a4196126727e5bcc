"""The flags of the commands that may scan (`reconcile`, `resume`, `tags`, `run`) and their parsing."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
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


def registry_limit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--registry-qps`, `--registry-burst` and `--registry-host-limit HOST=QPS[:BURST]`: applied to the
    process's registry limiter before `command` runs, and not passed to it."""

    @functools.wraps(command)
    def configured(*args: Any, registry_qps: float | None, registry_burst: int | None,
                   registry_host_limit: Sequence[str], **kwargs: Any) -> Any:
        configure_registry_limits(registry_qps, registry_burst, registry_host_limit)
        return command(*args, **kwargs)

    options = [
        click.option("--registry-host-limit", multiple=True, metavar="HOST=QPS[:BURST]",
                     help="Another rate for one registry host (loopback ones included); repeatable."),
        click.option("--registry-burst", type=click.IntRange(min=1),
                     help="Requests that may start at once per registry host (default 40)."),
        click.option("--registry-qps", type=click.FloatRange(min=0, min_open=True),
                     help="Requests per second per registry host, loopback hosts excepted (default 20)."),
    ]
    for option in options:
        configured = option(configured)
    return configured


def configure_registry_limits(qps: float | None, burst: int | None, host_limits: Sequence[str]) -> None:
    """Set the process's per-host registry limits from the flags; the defaults when none is given.

    Raises:
        InputError: an override that is not `HOST=QPS[:BURST]`, naming it.
    """
    if qps is None and burst is None and not host_limits:
        return
    from kubectl_imagerepo.registry.limiter import SHARED_LIMITER, HostLimit, Limits, parse_host_limit

    default = Limits().default
    overrides = {}
    for text in host_limits:
        try:
            host, limit = parse_host_limit(text)
        except ValueError as bad:
            raise InputError(f"error: --registry-host-limit: {bad}") from None
        overrides[host] = limit
    rate = HostLimit(qps if qps is not None else default.qps, burst if burst is not None else default.burst)
    SHARED_LIMITER.configure(Limits(default=rate, overrides=overrides))


def scan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of every command that may scan: --database, --feature-gates, the registry limits,
    kubectl's flags."""
    with_context = registry_limit_options(click.pass_context(command))
    return database_option(feature_gates_option(kube_options(with_context)))


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
