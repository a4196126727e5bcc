"""kubectl's -o output: parsing the format, json, yaml, name, jsonpath, custom-columns and watch events."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubectl_imagerepo.output.goyaml import render_yaml
from kubectl_imagerepo.output.printers import (
    OUTPUT_FORMATS,
    CustomColumn,
    OutputFormat,
    object_name,
    parse_custom_columns,
    parse_output,
    relaxed_jsonpath,
    render_objects,
    render_watch_event_object,
)

PODINFO: dict[str, Any] = {
    "apiVersion": "image.toolkit.fluxcd.io/v1",
    "kind": "ImageRepository",
    "metadata": {
        "name": "podinfo",
        "namespace": "flux-system",
        "creationTimestamp": "2026-06-23T20:05:02Z",
        "generation": 1,
        "labels": {"app.kubernetes.io/part-of": "flux", "tier2": "a", "tier10": "b"},
        "annotations": {"reconcile.fluxcd.io/requestedAt": "2026-06-23T20:05:02.123456789Z"},
        "finalizers": ["finalizers.fluxcd.io"],
    },
    "spec": {
        "image": "ghcr.io/stefanprodan/podinfo",
        "interval": "5m0s",
        "exclusionList": ["^.*\\.sig$"],
        "provider": "generic",
        "suspend": False,
    },
    "status": {
        "canonicalImageName": "ghcr.io/stefanprodan/podinfo",
        "conditions": [
            {
                "lastTransitionTime": "2026-06-23T20:05:02Z",
                "message": "successful scan: found 42 tags with checksum 3f9c0a1b2c3d4e5f",
                "observedGeneration": 1,
                "reason": "Succeeded",
                "status": "True",
                "type": "Ready",
            }
        ],
        "lastScanResult": {
            "latestTags": ["6.5.0", "6.4.1", "latest"],
            "revision": "sha256:3f9c",
            "scanTime": "2026-06-23T20:05:02Z",
            "tagCount": 42,
        },
        "observedExclusionList": ["^.*\\.sig$"],
        "observedGeneration": 1,
    },
}

NGINX: dict[str, Any] = {
    "apiVersion": "image.toolkit.fluxcd.io/v1",
    "kind": "ImageRepository",
    "metadata": {"name": "nginx", "namespace": "default"},
    "spec": {"image": "nginx", "interval": "1h"},
}

# What kubectl 1.36 (sigs.k8s.io/yaml) prints for PODINFO.
PODINFO_YAML = """\
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  annotations:
    reconcile.fluxcd.io/requestedAt: "2026-06-23T20:05:02.123456789Z"
  creationTimestamp: "2026-06-23T20:05:02Z"
  finalizers:
  - finalizers.fluxcd.io
  generation: 1
  labels:
    app.kubernetes.io/part-of: flux
    tier2: a
    tier10: b
  name: podinfo
  namespace: flux-system
spec:
  exclusionList:
  - ^.*\\.sig$
  image: ghcr.io/stefanprodan/podinfo
  interval: 5m0s
  provider: generic
  suspend: false
status:
  canonicalImageName: ghcr.io/stefanprodan/podinfo
  conditions:
  - lastTransitionTime: "2026-06-23T20:05:02Z"
    message: 'successful scan: found 42 tags with checksum 3f9c0a1b2c3d4e5f'
    observedGeneration: 1
    reason: Succeeded
    status: "True"
    type: Ready
  lastScanResult:
    latestTags:
    - 6.5.0
    - 6.4.1
    - latest
    revision: sha256:3f9c
    scanTime: "2026-06-23T20:05:02Z"
    tagCount: 42
  observedExclusionList:
  - ^.*\\.sig$
  observedGeneration: 1
"""

NGINX_LIST_YAML = """\
apiVersion: v1
items:
- apiVersion: image.toolkit.fluxcd.io/v1
  kind: ImageRepository
  metadata:
    name: nginx
    namespace: default
  spec:
    image: nginx
    interval: 1h
kind: List
metadata:
  resourceVersion: ""
"""

NGINX_JSON = """\
{
    "apiVersion": "image.toolkit.fluxcd.io/v1",
    "kind": "ImageRepository",
    "metadata": {
        "name": "nginx",
        "namespace": "default"
    },
    "spec": {
        "image": "nginx",
        "interval": "1h"
    }
}
"""


def _indented(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line if line.strip() else line for line in text.splitlines(True))


# -- parse_output


def test_output_formats_are_the_ones_this_plugin_accepts() -> None:
    assert OUTPUT_FORMATS == (
        "custom-columns",
        "json",
        "jsonpath",
        "jsonpath-as-json",
        "name",
        "wide",
        "yaml",
    )


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        (None, OutputFormat()),
        ("", OutputFormat()),
        ("json", OutputFormat("json")),
        ("yaml", OutputFormat("yaml")),
        ("name", OutputFormat("name")),
        ("wide", OutputFormat("wide")),
        ("jsonpath={.metadata.name}", OutputFormat("jsonpath", "{.metadata.name}")),
        ("jsonpath='{.metadata.name}'", OutputFormat("jsonpath", "'{.metadata.name}'")),
        ("jsonpath=.metadata.name", OutputFormat("jsonpath", ".metadata.name")),
        ("jsonpath={.a}={.b}", OutputFormat("jsonpath", "{.a}={.b}")),
        ("jsonpath-as-json={.items[*]}", OutputFormat("jsonpath-as-json", "{.items[*]}")),
        ("custom-columns=NAME:.metadata.name", OutputFormat("custom-columns", "NAME:.metadata.name")),
    ],
)
def test_parse_output_splits_the_format_from_its_argument_unchanged(
    value: str | None, parsed: OutputFormat
) -> None:
    assert parse_output(value) == parsed


@pytest.mark.parametrize(("value", "human"), [(None, True), ("wide", True), ("json", False), ("name", False)])
def test_output_format_knows_the_human_readable_tables(value: str | None, human: bool) -> None:
    assert parse_output(value).human_readable is human


@pytest.mark.parametrize("value", ["foo", "JSON", "json=x", "go-template={{.x}}", "jsonpath-file=x", "kyaml"])
def test_parse_output_rejects_an_unknown_format_with_kubectls_message(value: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_output(value)
    assert str(caught.value) == (
        f'unable to match a printer suitable for the output format "{value}", allowed formats are: '
        "custom-columns,json,jsonpath,jsonpath-as-json,name,wide,yaml"
    )


@pytest.mark.parametrize("value", ["jsonpath", "jsonpath=", "jsonpath-as-json", "jsonpath-as-json="])
def test_parse_output_requires_a_template(value: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_output(value)
    assert str(caught.value) == "template format specified but no template given"


@pytest.mark.parametrize("value", ["custom-columns", "custom-columns="])
def test_parse_output_requires_custom_columns(value: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_output(value)
    assert str(caught.value) == "custom-columns format specified but no custom columns given"


def test_parse_output_reports_a_bad_template_as_kubectl_does() -> None:
    with pytest.raises(ValueError) as caught:
        parse_output("jsonpath={.metadata.name")
    assert str(caught.value) == "error parsing jsonpath {.metadata.name, unclosed action"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("NAME", "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"),
        ("NAME:.a,TAGS", "unexpected custom-columns spec: TAGS, expected <header>:<json-path-expr>"),
        (
            "NAME:{.a}{.b}",
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or "
            "'{.name1.name2}'",
        ),
        ("NAME:.a[", "unterminated array"),
    ],
)
def test_parse_output_reports_a_bad_custom_columns_spec(spec: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_output("custom-columns=" + spec)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("expression", "template"),
    [
        ("a.b", "{.a.b}"),
        (".a.b", "{.a.b}"),
        ("{a.b}", "{.a.b}"),
        ("{.a.b}", "{.a.b}"),
        ("", ""),
        ("..a", "{..a}"),
    ],
)
def test_relaxed_jsonpath_accepts_the_four_spellings_kubectl_accepts(expression: str, template: str) -> None:
    assert relaxed_jsonpath(expression) == template


def test_parse_custom_columns_keeps_headers_as_given() -> None:
    assert parse_custom_columns("Name:metadata.name,TAGS:.status.lastScanResult.tagCount") == (
        CustomColumn("Name", "{.metadata.name}"),
        CustomColumn("TAGS", "{.status.lastScanResult.tagCount}"),
    )


# -- json


def test_json_prints_a_single_named_object_as_itself_with_four_space_indent() -> None:
    assert render_objects([NGINX], OutputFormat("json"), single=True) == NGINX_JSON


def test_json_wraps_several_objects_in_a_v1_list() -> None:
    text = render_objects([NGINX, NGINX], OutputFormat("json"), single=False)
    item = _indented(NGINX_JSON.rstrip("\n"), 8).lstrip()
    assert text == (
        '{\n    "apiVersion": "v1",\n    "items": [\n        '
        + item
        + ",\n        "
        + item
        + '\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n'
    )


def test_json_wraps_a_single_object_in_a_list_when_it_was_not_asked_for_by_name() -> None:
    assert render_objects([NGINX], OutputFormat("json"), single=False).startswith(
        '{\n    "apiVersion": "v1",'
    )


@pytest.mark.parametrize("single", [True, False])
def test_json_of_no_objects_is_an_empty_list(single: bool) -> None:
    assert render_objects([], OutputFormat("json"), single=single) == (
        '{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List",\n    "metadata": {\n'
        '        "resourceVersion": ""\n    }\n}\n'
    )


def test_json_sorts_keys_and_escapes_html_as_go_does() -> None:
    obj = {"kind": "X", "apiVersion": "v1", "data": {"b": "<none>", "a": "x&y"}}
    assert render_objects([obj], OutputFormat("json"), single=True) == (
        '{\n    "apiVersion": "v1",\n    "data": {\n        "a": "x\\u0026y",\n'
        '        "b": "\\u003cnone\\u003e"\n    },\n    "kind": "X"\n}\n'
    )


# -- yaml


def test_yaml_prints_a_single_object_as_kubectl_does() -> None:
    assert render_objects([PODINFO], OutputFormat("yaml"), single=True) == PODINFO_YAML


def test_yaml_wraps_objects_in_a_v1_list() -> None:
    assert render_objects([NGINX], OutputFormat("yaml"), single=False) == NGINX_LIST_YAML


def test_yaml_of_no_objects_is_an_empty_list() -> None:
    assert render_objects([], OutputFormat("yaml"), single=False) == (
        'apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n'
    )


# -- name


def test_name_prints_kind_group_and_name_of_each_object() -> None:
    assert render_objects([PODINFO, NGINX], OutputFormat("name"), single=False) == (
        "imagerepository.image.toolkit.fluxcd.io/podinfo\nimagerepository.image.toolkit.fluxcd.io/nginx\n"
    )


def test_name_prints_nothing_for_no_objects() -> None:
    assert render_objects([], OutputFormat("name"), single=False) == ""


@pytest.mark.parametrize(
    ("obj", "name"),
    [
        ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}}, "pod/x"),
        ({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}, "deployment.apps/d"),
        ({"apiVersion": "v1", "kind": "Pod", "metadata": {}}, "pod/<unknown>"),
    ],
)
def test_object_name_writes_core_objects_without_a_group(obj: dict[str, Any], name: str) -> None:
    assert object_name(obj) == name


def test_object_name_requires_a_kind() -> None:
    with pytest.raises(ValueError) as caught:
        object_name({"apiVersion": "v1", "metadata": {"name": "x"}})
    assert str(caught.value) == "missing kind for resource with name x"


# -- jsonpath


def test_jsonpath_applies_the_template_to_a_single_named_object() -> None:
    assert render_objects([PODINFO], OutputFormat("jsonpath", "{.metadata.name}"), single=True) == "podinfo"


def test_jsonpath_applies_the_template_to_the_list_otherwise() -> None:
    fmt = OutputFormat("jsonpath", '{range .items[*]}{.metadata.name}{"\\n"}{end}')
    assert render_objects([PODINFO, NGINX], fmt, single=False) == "podinfo\nnginx\n"


def test_jsonpath_adds_no_newline() -> None:
    assert render_objects([PODINFO, NGINX], OutputFormat("jsonpath", "{.items[*].kind}"), single=False) == (
        "ImageRepository ImageRepository"
    )


def test_jsonpath_prints_nothing_for_missing_keys() -> None:
    assert (
        render_objects([NGINX], OutputFormat("jsonpath", "{.status.canonicalImageName}"), single=True) == ""
    )


def test_jsonpath_as_json_prints_the_results_as_an_indented_array() -> None:
    fmt = OutputFormat("jsonpath-as-json", "{.items[*].metadata.name}")
    assert render_objects([PODINFO, NGINX], fmt, single=False) == '[\n    "podinfo",\n    "nginx"\n]\n'


def test_jsonpath_reports_a_failing_template_as_kubectl_does() -> None:
    obj = {"apiVersion": "v1", "kind": "X", "list": ["a", None, 1.5]}
    with pytest.raises(ValueError) as caught:
        render_objects([obj], OutputFormat("jsonpath", "{.list[5]}"), single=True)
    assert str(caught.value) == (
        'error executing jsonpath "{.list[5]}": Error executing template: '
        "array index out of bounds: index 5, length 3. "
        "Printing more information for debugging the template:\n"
        "\ttemplate was:\n\t\t{.list[5]}\n"
        "\tobject given to jsonpath engine was:\n"
        '\t\tmap[string]interface {}{"apiVersion":"v1", "kind":"X", "list":[]interface {}{"a", '
        "interface {}(nil), 1.5}}\n\n"
    )


# -- custom-columns


def test_custom_columns_print_a_header_and_a_row_per_object() -> None:
    fmt = parse_output("custom-columns=NAME:.metadata.name,TAGS:.status.lastScanResult.tagCount")
    assert (
        render_objects([PODINFO, NGINX], fmt, single=False)
        == "NAME      TAGS\npodinfo   42\nnginx     <none>\n"
    )


def test_custom_columns_join_several_values_with_commas_and_print_lists_as_go_does() -> None:
    fmt = parse_output(
        "custom-columns=TAGS:.status.lastScanResult.latestTags,EACH:.status.lastScanResult.latestTags[*]"
    )
    assert render_objects([PODINFO], fmt, single=True) == (
        "TAGS                   EACH\n[6.5.0 6.4.1 latest]   6.5.0,6.4.1,latest\n"
    )


def test_custom_columns_leave_out_the_header_with_no_headers() -> None:
    fmt = parse_output("custom-columns=NAME:.metadata.name")
    assert render_objects([PODINFO], fmt, single=True, no_headers=True) == "podinfo\n"


def test_custom_columns_print_the_header_even_without_objects() -> None:
    fmt = parse_output("custom-columns=NAME:.metadata.name,TAGS:.status.lastScanResult.tagCount")
    assert render_objects([], fmt, single=False) == "NAME   TAGS\n"


def test_custom_columns_escape_terminal_codes_but_keep_line_breaks_as_kubectl_does() -> None:
    obj = copy.deepcopy(NGINX)
    obj["status"] = {"message": "\x1b[31mred\nnext"}
    fmt = parse_output("custom-columns=NAME:.metadata.name,MESSAGE:.status.message")
    assert render_objects([obj], fmt, single=True) == "NAME    MESSAGE\nnginx   ^[[31mred\nnext\n"


# -- tables are printed elsewhere


@pytest.mark.parametrize("fmt", [OutputFormat(), OutputFormat("wide")])
def test_render_objects_leaves_human_readable_tables_to_the_caller(fmt: OutputFormat) -> None:
    with pytest.raises(ValueError):
        render_objects([PODINFO], fmt, single=True)


# -- watch


def test_watch_json_prints_each_object_on_its_own() -> None:
    assert render_watch_event_object(NGINX, OutputFormat("json")) == NGINX_JSON


def test_watch_yaml_separates_objects_after_the_first_with_three_dashes() -> None:
    first = render_watch_event_object(NGINX, OutputFormat("yaml"), first=True)
    later = render_watch_event_object(NGINX, OutputFormat("yaml"))
    assert (first, later) == (render_yaml(NGINX), "---\n" + render_yaml(NGINX))


def test_watch_name_prints_one_name_per_event() -> None:
    assert render_watch_event_object(NGINX, OutputFormat("name"), event_type="MODIFIED") == (
        "imagerepository.image.toolkit.fluxcd.io/nginx\n"
    )


def test_watch_jsonpath_applies_the_template_to_the_object() -> None:
    fmt = OutputFormat("jsonpath", '{.metadata.name}{"\\n"}')
    assert render_watch_event_object(NGINX, fmt) == "nginx\n"


def test_watch_events_print_as_one_line_of_json() -> None:
    obj = {"apiVersion": "v1", "kind": "X", "metadata": {"name": "x"}}
    assert render_watch_event_object(obj, OutputFormat("json"), event_type="ADDED") == (
        '{"type":"ADDED","object":{"apiVersion":"v1","kind":"X","metadata":{"name":"x"}}}\n'
    )


def test_watch_events_print_object_before_type_in_yaml() -> None:
    obj = {"apiVersion": "v1", "kind": "X", "metadata": {"name": "x"}}
    assert render_watch_event_object(obj, OutputFormat("yaml"), first=True, event_type="DELETED") == (
        "object:\n  apiVersion: v1\n  kind: X\n  metadata:\n    name: x\ntype: DELETED\n"
    )


def test_watch_event_templates_see_the_event() -> None:
    fmt = OutputFormat("jsonpath", "{.type} {.object.metadata.name}")
    assert render_watch_event_object(NGINX, fmt, event_type="ADDED") == "ADDED nginx"
