"""`kubectl imagerepo suspend`: stop reconciling ImageRepositories (`spec.suspend: true`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from kubectl_imagerepo.kube.flags import kube_options
from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.commands.cmdutil.selection import Selection


@click.command("suspend")
@click.argument("names", nargs=-1)
@click.option("--all", "all_objects", is_flag=True, help="Suspend every ImageRepository of the namespace.")
@click.option("-l", "--selector", help="Suspend the ImageRepositories matching this label selector.")
@kube_options
@click.pass_context
def command(ctx: click.Context, names: tuple[str, ...], all_objects: bool, selector: str | None) -> None:
    """Suspend ImageRepositories: neither this plugin nor the controller scans them until resumed."""
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    options = SuspendOptions.complete(factory, names=names, all_objects=all_objects, selector=selector)
    execute(options, factory)


@dataclass(frozen=True)
class SuspendOptions:
    """`suspend NAME... | --all | -l SEL` in one namespace; `policy suspend` for ImagePolicies."""

    namespace: str
    selection: Selection

    @classmethod
    def complete(
        cls,
        factory: Factory,
        *,
        names: tuple[str, ...] = (),
        all_objects: bool = False,
        selector: str | None = None,
        kind: str = api.KIND,
    ) -> SuspendOptions:
        from kubectl_imagerepo.commands.cmdutil.selection import Selection

        return cls(factory.client().namespace, Selection(tuple(names), all_objects, selector, kind))

    def validate(self) -> None:
        self.selection.validate()

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Patch each object; 1 when a name is missing, nothing matched or a patch failed."""
        from kubectl_imagerepo.commands.cmdutil.selection import select
        from kubectl_imagerepo.commands.cmdutil.suspension import set_suspend

        selected = select(kube, self.namespace, self.selection)
        for gone in selected.missing:
            streams.say(
                "failure", f"{self.selection.kind} {gone.name} not found in {self.namespace} namespace"
            )
        if not selected.objects and not selected.missing:
            streams.say("failure", "no objects found")
            return 1
        _, failed = set_suspend(kube, self.namespace, selected.objects, True, streams)
        return 1 if failed or selected.missing else 0
