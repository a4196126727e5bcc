"""`kubectl imagerepo automation describe`: conditions, selected policies and, with --path, markers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kubectl_imagerepo.kube.flags import kube_options

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.automation.plan import Plan, Scope
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.model.automation.update import Marker


@click.command("describe")
@click.argument("names", nargs=-1)
@click.option("-A", "--all-namespaces", is_flag=True, help="Describe the objects of every namespace.")
@click.option("-l", "--selector", help="Label selector to filter on, e.g. -l key1=value1,key2=value2.")
@click.option(
    "--path",
    "checkout",
    type=click.Path(path_type=Path),
    help="A local checkout: list the markers found and what each would become.",
)
@click.option("--show-events/--no-show-events", default=True, show_default=True, help="Show the events.")
@kube_options
@click.pass_context
def command(
    ctx: click.Context,
    names: tuple[str, ...],
    all_namespaces: bool,
    selector: str | None,
    checkout: Path | None,
    show_events: bool,
) -> None:
    """Show details of ImageUpdateAutomations: conditions, the policies they select, their markers.

    Conditions are the in-cluster image-automation-controller's, when one runs. Policies lists the
    ImagePolicies of the namespace with their pick and whether the controller counts them. With
    --path, Markers lists every marker under spec.update.path and what it would become.
    """
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    options = AutomationDescribeOptions.complete(
        factory, names=names, all_namespaces=all_namespaces, selector=selector, checkout=checkout,
        show_events=show_events,
    )
    execute(options, factory)


@dataclass(frozen=True)
class AutomationDescribeOptions:
    """`automation describe [NAME...] [--path DIR]`."""

    namespace: str
    names: tuple[str, ...] = ()
    all_namespaces: bool = False
    selector: str | None = None
    checkout: Path | None = None
    show_events: bool = True

    @classmethod
    def complete(cls, factory: Factory, **values: object) -> AutomationDescribeOptions:
        return cls(factory.client().namespace, **values)  # type: ignore[arg-type]

    def validate(self) -> None:
        """Nothing to check: names and -l may go together, as in kubectl describe."""

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Describe each object found; 1 when a name matched nothing."""
        from kubectl_imagerepo.commands.automation.plan import Scope, run_plan
        from kubectl_imagerepo.commands.describe import described_objects, object_events
        from kubectl_imagerepo.commands.get import unserved_resource
        from kubectl_imagerepo.kube.client import ApiError
        from kubectl_imagerepo.model import api
        from kubectl_imagerepo.model.automation import selector as selectors
        from kubectl_imagerepo.model.automation.automation import KIND, PLURAL, ImageUpdateAutomation
        from kubectl_imagerepo.model.automation.policies import judge_policies
        from kubectl_imagerepo.output.automation_describe import render_automation_describe

        namespace = None if self.all_namespaces else self.namespace
        try:
            objects, missing = described_objects(
                kube, self.namespace, namespace, self.names, self.selector, plural=PLURAL
            )
        except ApiError as failure:
            if failure.not_found:
                raise unserved_resource(PLURAL) from None
            raise
        if not self.names and not objects:
            where = "" if self.all_namespaces else f" in {namespace} namespace"
            streams.echo(f"No resources found{where}.\n", err=True)
            return 0
        now = datetime.now(UTC)
        texts = []
        policies_of: dict[str, list[dict[str, object]]] = {}
        for obj in objects:
            automation = ImageUpdateAutomation.from_dict(obj)
            if automation.namespace not in policies_of:
                listed = kube.list_all(kube.resource_path(automation.namespace, plural=api.POLICY_PLURAL))
                policies_of[automation.namespace] = list(listed.get("items") or [])
            selector = selectors.from_label_selector(
                automation.policy_selector, f"{automation.title}: spec.policySelector"
            )
            policies = tuple(policies_of[automation.namespace])
            verdicts = judge_policies(policies, automation.namespace, selector)
            markers = None
            if self.checkout is not None:
                automation.check_update()
                scope = Scope(automation.namespace, selector, automation.update_path, policies, automation)
                markers = _markers(run_plan(scope, self.checkout), scope)
            events = (
                object_events(kube, KIND, automation.namespace, automation.name, automation.uid)
                if self.show_events
                else []
            )
            texts.append(
                render_automation_describe(
                    automation, verdicts=verdicts, markers=markers, events=events, now=now
                )
            )
        if texts:
            streams.echo("\n\n".join(t.rstrip("\n") for t in texts) + "\n")
        for text in missing:
            streams.echo(text + "\n", err=True)
        return 1 if missing else 0


def _markers(plan: Plan, scope: Scope) -> list[tuple[str, Marker, str | None]]:
    from kubectl_imagerepo.model.automation.policies import marker_warning

    by_key = {v.key: v for v in plan.verdicts}
    found = []
    for file in plan.result.files:
        for marker in file.markers:
            found.append((plan.shown(file.path), marker, marker_warning(marker, scope.namespace, by_key)))
    return sorted(found, key=lambda item: (item[0], item[1].line))
