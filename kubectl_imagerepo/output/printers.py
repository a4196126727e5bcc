"""kubectl's ``-o`` output of Kubernetes objects: json, yaml, name, jsonpath and custom-columns."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubectl_imagerepo.gocompat import strconv
from kubectl_imagerepo.output.formats import OUTPUT_FORMATS, PLAIN_FORMATS, TEMPLATE_FORMATS

# Each printer imports its engine (jsonpath, YAML, JSON, tables) when it runs, so that a command
# pays only for the format it prints.

_JSON_INDENT = "    "


@dataclass(frozen=True)
class OutputFormat:
    """A parsed ``-o`` value: ``kind`` is one of OUTPUT_FORMATS or ``""`` for the default table."""

    kind: str = ""
    argument: str = ""

    @property
    def human_readable(self) -> bool:
        """True for the tables the caller prints itself: the default and ``wide``."""
        return self.kind in ("", "wide")


@dataclass(frozen=True)
class CustomColumn:
    """One ``HEADER:expression`` of ``-o custom-columns``, the expression normalised to ``{.path}``."""

    header: str
    template: str


# -- Parsing -o ------------------------------------------------------------------------------------


def _unknown_format(value: str) -> ValueError:
    return ValueError(
        f"unable to match a printer suitable for the output format {strconv.quote(value)}, "
        f"allowed formats are: {','.join(sorted(OUTPUT_FORMATS))}"
    )


def parse_output(value: str | None) -> OutputFormat:
    """Parse ``-o``/``--output`` as kubectl does, checking templates and column specs right away.

    ``jsonpath=...`` keeps everything after the first ``=`` as the template, unchanged (kubectl strips
    no quotes and adds no braces). Raises ValueError with kubectl's message, e.g.
    ``unable to match a printer suitable for the output format "x", allowed formats are: ...`` or
    ``template format specified but no template given``.
    """
    if not value:
        return OutputFormat()
    if value in PLAIN_FORMATS:
        return OutputFormat(value)
    kind, _, argument = value.partition("=")
    if kind not in TEMPLATE_FORMATS:
        raise _unknown_format(value)
    fmt = OutputFormat(kind, argument)
    if kind == "custom-columns":
        if not argument:
            raise ValueError("custom-columns format specified but no custom columns given")
        parse_custom_columns(argument)
    else:
        if not argument:
            raise ValueError("template format specified but no template given")
        from kubectl_imagerepo.output import jsonpath

        try:
            jsonpath.parse(argument)
        except jsonpath.JSONPathError as error:
            raise ValueError(f"error parsing jsonpath {argument}, {error}") from None
    return fmt


_RELAXED_PATH = re.compile(r"\{\.?([^{}]+)\}|\.?([^{}]+)")


def relaxed_jsonpath(expression: str) -> str:
    """kubectl's RelaxedJSONPathExpression: ``a.b``, ``.a.b``, ``{a.b}`` and ``{.a.b}`` become ``{.a.b}``."""
    if not expression:
        return expression
    match = _RELAXED_PATH.fullmatch(expression)
    if match is None:
        raise ValueError(
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or "
            "'{.name1.name2}'"
        )
    return "{." + (match[1] or match[2]) + "}"


def parse_custom_columns(spec: str) -> tuple[CustomColumn, ...]:
    """Split a custom-columns spec ``NAME:.metadata.name,TAGS:.status.lastScanResult.tagCount``.

    As kubectl, the spec is split at every comma, so an expression cannot contain one.
    """
    if not spec:
        raise ValueError("custom-columns format specified but no custom columns given")
    from kubectl_imagerepo.output import jsonpath

    columns = []
    for part in spec.split(","):
        header, colon, expression = part.partition(":")
        if not colon:
            raise ValueError(f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        template = relaxed_jsonpath(expression)
        try:
            jsonpath.parse(template)
        except jsonpath.JSONPathError as error:
            raise ValueError(str(error)) from None
        columns.append(CustomColumn(header, template))
    return tuple(columns)


# -- Object shapes ---------------------------------------------------------------------------------


def without_managed_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `obj` without `metadata.managedFields`, as kubectl prints objects by default."""
    copy = dict(obj)
    metadata = copy.get("metadata")
    if isinstance(metadata, Mapping) and "managedFields" in metadata:
        copy["metadata"] = {key: value for key, value in metadata.items() if key != "managedFields"}
    return copy


def list_object(objects: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The ``v1 List`` kubectl wraps several (or zero) objects in for json, yaml and templates."""
    return {"apiVersion": "v1", "items": list(objects), "kind": "List", "metadata": {"resourceVersion": ""}}


def _subject(objects: Sequence[Mapping[str, Any]], single: bool) -> Mapping[str, Any]:
    return objects[0] if single and len(objects) == 1 else list_object(objects)


def object_name(obj: Mapping[str, Any]) -> str:
    """An object as ``-o name`` prints it: ``imagerepository.image.toolkit.fluxcd.io/podinfo``, ``pod/x``."""
    api_version = str(obj.get("apiVersion") or "")
    kind = str(obj.get("kind") or "")
    name = str((obj.get("metadata") or {}).get("name") or "") or "<unknown>"
    if not api_version and not kind:
        raise ValueError(
            "missing apiVersion or kind; try GetObjectKind().SetGroupVersionKind() if you know the type"
        )
    if not kind:
        raise ValueError(f"missing kind for resource with name {name}")
    if api_version.count("/") > 1:
        raise ValueError(
            "missing apiVersion or kind; try GetObjectKind().SetGroupVersionKind() if you know the type"
        )
    group = api_version.partition("/")[0] if "/" in api_version else ""
    return f"{kind.lower()}.{group}/{name}" if group else f"{kind.lower()}/{name}"


# -- Rendering -------------------------------------------------------------------------------------


def render_json(obj: Any) -> str:
    """``-o json`` of one object: Go's MarshalIndent with 4 spaces (keys sorted, ``<`` as ``\\u003c``)."""
    from kubectl_imagerepo.gocompat import jsonenc

    return jsonenc.marshal(obj, indent=_JSON_INDENT) + "\n"


def _render_template(template: str, obj: Any, *, as_json: bool) -> str:
    from kubectl_imagerepo.gocompat.fmt import sprint_go_syntax
    from kubectl_imagerepo.output import jsonpath

    try:
        return jsonpath.parse(template).render(obj, allow_missing_keys=True, as_json=as_json)
    except jsonpath.JSONPathError as error:
        raise ValueError(
            f"error executing jsonpath {strconv.quote(template)}: Error executing template: {error}. "
            "Printing more information for debugging the template:\n"
            f"\ttemplate was:\n\t\t{template}\n"
            f"\tobject given to jsonpath engine was:\n\t\t{sprint_go_syntax(obj)}\n\n"
        ) from None


def _column_value(template: str, obj: Any) -> str:
    from kubectl_imagerepo.gocompat import tabwriter as table
    from kubectl_imagerepo.gocompat.fmt import sprint
    from kubectl_imagerepo.output import jsonpath

    results = jsonpath.parse(template).find_results(obj, allow_missing_keys=True)
    values = [table.escape_terminal(sprint(value)) for found in results for value in found]
    if not results or not results[0]:
        values.insert(0, "<none>")
    return ",".join(values)


def render_custom_columns(
    objects: Sequence[Mapping[str, Any]], columns: Sequence[CustomColumn], *, no_headers: bool = False
) -> str:
    """``-o custom-columns``: the header (even with no objects) and one row per object.

    Like kubectl, a missing value prints ``<none>``, several values are joined by commas in Go's ``%v``
    form (``[a b]`` for a list), and cells are only terminal-escaped, not cut at line breaks.
    """
    from kubectl_imagerepo.gocompat import tabwriter as table

    rows = [[_column_value(column.template, obj) for column in columns] for obj in objects]
    return table.render_table(
        [column.header for column in columns],
        rows,
        no_headers=no_headers,
        sanitize=False,
        header_without_rows=True,
    )


def render_objects(
    objects: Sequence[Mapping[str, Any]], fmt: OutputFormat, *, single: bool, no_headers: bool = False
) -> str:
    """Objects as ``kubectl get -o <fmt>`` prints them.

    ``single`` says one object was asked for by name: it is then printed as itself; otherwise the objects
    are wrapped in a ``v1 List`` (for json, yaml, jsonpath and jsonpath-as-json; ``name`` and
    custom-columns print each item). The default table and ``wide`` are the caller's business and raise
    ValueError here, as do template failures (with kubectl's message).
    """
    if fmt.human_readable:
        raise ValueError("table output is printed with kubectl_imagerepo.gocompat.tabwriter")
    if fmt.kind == "name":
        return "".join(object_name(obj) + "\n" for obj in objects)
    if fmt.kind == "custom-columns":
        return render_custom_columns(objects, parse_custom_columns(fmt.argument), no_headers=no_headers)
    return _render_one(_subject(objects, single), fmt)


def _render_one(obj: Mapping[str, Any], fmt: OutputFormat) -> str:
    if fmt.kind == "json":
        return render_json(obj)
    if fmt.kind == "yaml":
        from kubectl_imagerepo.output.goyaml import render_yaml

        return render_yaml(obj)
    if fmt.kind in ("jsonpath", "jsonpath-as-json"):
        return _render_template(fmt.argument, obj, as_json=fmt.kind == "jsonpath-as-json")
    raise ValueError(f"output format {fmt.kind!r} cannot print objects one at a time")


def render_watch_event_object(
    obj: Mapping[str, Any], fmt: OutputFormat, *, first: bool = False, event_type: str | None = None
) -> str:
    """One object seen by ``kubectl get -w -o json|yaml|name|jsonpath=...``, printed on its own.

    YAML documents after the first get a ``---`` line before them: pass ``first`` for the first object of
    the stream (kubectl's printer counts the initial listing too). ``event_type`` (``ADDED``, ``MODIFIED``,
    ``DELETED``) is ``--output-watch-events``: the object is wrapped in a watch event, printed as compact
    JSON on one line for json, as ``object:``/``type:`` for yaml; ``name`` ignores the wrapper.
    """
    if fmt.kind == "name":
        return object_name(obj) + "\n"
    subject: Mapping[str, Any] = obj if event_type is None else {"type": event_type, "object": obj}
    if fmt.kind == "json" and event_type is not None:
        from kubectl_imagerepo.gocompat import jsonenc

        return '{"type":' + jsonenc.marshal(event_type) + ',"object":' + jsonenc.marshal(obj) + "}\n"
    if fmt.kind == "yaml":
        from kubectl_imagerepo.output.goyaml import render_yaml

        return ("" if first else "---\n") + render_yaml(subject)
    return _render_one(subject, fmt)
