"""`kubectl imagerepo suspend`: stop reconciling ImageRepositories (`spec.suspend: true`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.commands.cmdutil.selection import selection_arguments
from kubectl_imagerepo.kube.flags import kube_options
from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.commands.cmdutil.selection import Selection


@click.command("suspend")
@selection_arguments("Suspend", api.KIND)
@kube_options
@click.pass_context
def command(ctx: click.Context, /, **flags: Any) -> None:
    """Suspend ImageRepositories: neither this plugin nor the controller scans them until resumed."""
    run_suspend(ctx, flags, api.KIND)


def run_suspend(ctx: click.Context, flags: dict[str, Any], kind: str) -> None:
    """`suspend` or `policy suspend` (`kind`), from the flags click parsed."""
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    execute(SuspendOptions.complete(factory, **flags, kind=kind), factory)


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
        from kubectl_imagerepo.commands.cmdutil.selection import SUSPEND_LINES, say_not_found, select
        from kubectl_imagerepo.commands.cmdutil.suspension import set_suspend

        selected = select(kube, self.namespace, self.selection)
        if say_not_found(selected, self.selection.kind, self.namespace, SUSPEND_LINES, streams.failure):
            return 1
        _, failed = set_suspend(kube, self.namespace, selected.objects, True, streams)
        return 1 if failed or selected.missing else 0
