"""Setting and removing `spec.suspend`, with Flux's lines: what `suspend` and `resume` share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import KubeClient, Streams


def set_suspend(
    kube: KubeClient, namespace: str, objects: Sequence[Mapping[str, Any]], suspend: bool, streams: Streams
) -> tuple[list[dict[str, Any]], bool]:
    """Suspend (or resume: remove `spec.suspend`) each object, saying so; (patched, any failed).

    Flux's lines name the kind in words: `image repository`, `image policy`.
    """
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.model.errors import CommandError

    doing, done = ("suspending", "suspended") if suspend else ("resuming", "resumed")
    patched: list[dict[str, Any]] = []
    failed = False
    for obj in objects:
        name = obj["metadata"]["name"]
        kind = api.kind_of(obj)
        words = "image policy" if kind == api.POLICY_KIND else "image repository"
        streams.say("action", f"{doing} {words} {name} in {namespace} namespace")
        try:
            patched.append(
                kube.patch(
                    kube.resource_path(namespace, name, plural=api.plural_of(obj)),
                    {"spec": {"suspend": True if suspend else None}},
                    query=[("fieldManager", api.FIELD_MANAGER)],
                )
            )
        except CommandError as failure:
            reason = getattr(failure, "message", str(failure))
            streams.say("failure", f"failed {doing} {kind} {name} in {namespace} namespace: {reason}")
            failed = True
            continue
        streams.say("success", f"{words} {done}")
    return patched, failed
