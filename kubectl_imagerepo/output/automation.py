"""What `automation diff` and `apply` print: a unified diff, the change list, and its data form."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from kubectl_imagerepo.gocompat.tabwriter import render_table
from kubectl_imagerepo.model.automation.update import Change

CHANGE_HEADERS = ("FILE", "OBJECT", "OLD", "NEW", "SETTER")
NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(path: str, old: str, new: str) -> str:
    """`git diff`'s form of one file's change: `a/` and `b/` paths, three lines of context."""
    lines: list[str] = []
    for line in difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    ):
        if line.startswith(("---", "+++")):
            lines.append(line.rstrip("\n") + "\n")
            continue
        lines.append(line if line.endswith("\n") else line + "\n" + NO_NEWLINE)
    return "".join(lines)


def object_label(change: Change) -> str:
    """`Kind namespace/name` of the object a change is in (`Kind name` without a namespace)."""
    ident = change.object
    name = f"{ident.namespace}/{ident.name}" if ident.namespace else ident.name
    kind = ident.kind or "<no kind>"
    return f"{kind} {name}" if name else kind


def change_table(changes: Sequence[tuple[str, Change]]) -> str:
    """The change list as a table: file (with line), object, old value, new value, setter."""
    rows = [
        (f"{path}:{change.line}", object_label(change), change.old, change.new, change.setter)
        for path, change in changes
    ]
    return render_table(CHANGE_HEADERS, rows)


def change_data(changes: Sequence[tuple[str, Change]]) -> list[dict[str, Any]]:
    """The change list as data (`-o json|yaml`), each change with its file, line and object."""
    return [
        {
            "file": path,
            "line": change.line,
            "object": {
                "apiVersion": change.object.api_version,
                "kind": change.object.kind,
                "namespace": change.object.namespace,
                "name": change.object.name,
            },
            "old": change.old,
            "new": change.new,
            "setter": change.setter,
        }
        for path, change in changes
    ]


def render_data(data: Any, output: str) -> str:
    """`-o json` as kubectl indents it (four spaces), or `-o yaml` as Go writes it."""
    if output == "json":
        from kubectl_imagerepo.gocompat.jsonenc import marshal

        return marshal(data, indent="    ") + "\n"
    from kubectl_imagerepo.output.goyaml import render_yaml

    return render_yaml(data)
