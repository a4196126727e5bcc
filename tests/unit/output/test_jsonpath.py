"""kubectl's JSONPath templates (client-go util/jsonpath)."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_imagerepo.output.jsonpath import JSONPathError, parse

# The example of https://kubernetes.io/docs/reference/kubectl/jsonpath/ (also client-go's TestKubernetes).
NODES: dict[str, Any] = {
    "kind": "List",
    "items": [
        {
            "kind": "None",
            "metadata": {"name": "127.0.0.1", "labels": {"kubernetes.io/hostname": "127.0.0.1"}},
            "status": {
                "capacity": {"cpu": "4"},
                "ready": True,
                "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.1"}],
            },
        },
        {
            "kind": "None",
            "metadata": {"name": "127.0.0.2", "labels": {"kubernetes.io/hostname": "127.0.0.2"}},
            "status": {
                "capacity": {"cpu": "8"},
                "ready": False,
                "addresses": [
                    {"type": "LegacyHostIP", "address": "127.0.0.2"},
                    {"type": "another", "address": "127.0.0.3"},
                ],
            },
        },
    ],
    "users": [
        {"name": "myself", "user": {}},
        {"name": "e2e", "user": {"username": "admin", "password": "secret"}},
    ],
}

# The documentation's table; maps print as JSON, where the page shows Go's map[cpu:4].
DOCUMENTED = [
    ("kind is {.kind}", "kind is List"),
    ("{.kind}", "List"),
    ("{['kind']}", "List"),
    ("{..name}", "127.0.0.1 127.0.0.2 myself e2e"),
    ("{.items[*].metadata.name}", "127.0.0.1 127.0.0.2"),
    ("{.users[0].name}", "myself"),
    ("{.items[*]['metadata.name', 'status.capacity']}", '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}'),
    ('{.users[?(@.name=="e2e")].user.password}', "secret"),
    (
        "{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}",
        '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] ',
    ),
    ("{range .items[*]}{.metadata.name}{'\\t'}{end}", "127.0.0.1\t127.0.0.2\t"),
    ("{.items[0].metadata.labels.kubernetes\\.io/hostname}", "127.0.0.1"),
]


@pytest.mark.parametrize(("template", "output"), DOCUMENTED, ids=[t for t, _ in DOCUMENTED])
def test_render_gives_the_documented_results(template: str, output: str) -> None:
    assert parse(template).render(NODES) == output


# client-go's TestKubernetes cases beyond the documentation's.
KUBERNETES = [
    ("{range .items[*]}{.metadata.name}, {end}{.kind}", "127.0.0.1, 127.0.0.2, List"),
    ("{.items[*].status.addresses[*].address}", "127.0.0.1 127.0.0.2 127.0.0.3"),
    (
        "{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}",
        "127.0.0.1, 127.0.0.2, 127.0.0.3, ",
    ),
    ('{.items[?(@.metadata.labels.kubernetes\\.io/hostname=="127.0.0.1")].kind}', "None"),
    ("{.items[?(@..ready==true)].metadata.name}", "127.0.0.1"),
]


@pytest.mark.parametrize(("template", "output"), KUBERNETES, ids=[t for t, _ in KUBERNETES])
def test_render_matches_client_gos_kubernetes_examples(template: str, output: str) -> None:
    assert parse(template).render(NODES) == output


VALUES: dict[str, Any] = {
    "text": "a b",
    "int": 42,
    "negative": -7,
    "float": 1.5,
    "whole": 100.0,
    "large": 1e6,
    "tiny": 1e-7,
    "yes": True,
    "no": False,
    "nothing": None,
    "map": {"b": 1, "a": "<&>"},
    "list": ["x", 2, None],
    "empty": {},
}


@pytest.mark.parametrize(
    ("template", "output"),
    [
        ("{.text}", "a b"),
        ("{.int}", "42"),
        ("{.negative}", "-7"),
        ("{.float}", "1.5"),
        ("{.whole}", "100"),
        ("{.large}", "1e+06"),
        ("{.tiny}", "1e-07"),
        ("{.yes}", "true"),
        ("{.no}", "false"),
        ("{.nothing}", "null"),
        ("{.map}", '{"a":"\\u003c\\u0026\\u003e","b":1}'),
        ("{.list}", '["x",2,null]'),
        ("{.empty}", "{}"),
    ],
)
def test_render_prints_values_as_kubectl_does(template: str, output: str) -> None:
    assert parse(template).render(VALUES) == output


def test_render_joins_the_results_of_one_expression_with_single_spaces() -> None:
    assert parse("{.list[*]}").render(VALUES) == "x 2 null"


def test_render_prints_text_outside_braces_literally() -> None:
    assert parse("name: {.text}\n").render(VALUES) == "name: a b\n"


def test_render_prints_a_template_without_braces_as_text() -> None:
    assert parse(".metadata.name").render(NODES) == ".metadata.name"


def test_render_keeps_quotes_around_a_template() -> None:
    assert parse("'{.kind}'").render(NODES) == "'List'"


@pytest.mark.parametrize("template", ["{$}", "{@}"])
def test_render_prints_the_whole_input_for_the_root(template: str) -> None:
    assert parse(template).render({"b": [1], "a": "x"}) == '{"a":"x","b":[1]}'


@pytest.mark.parametrize(
    ("template", "output"),
    [
        ('{"\\n"}', "\n"),
        ('{"\\t"}', "\t"),
        ("{'\\''}", "'"),
        ('{"\\u00e9\\x41\\101"}', "\u00e9AA"),
        ("{'first''second'}", "second"),
        ("{5}{-1.5}{true}", "5-1.5true"),
    ],
)
def test_render_prints_literals_inside_braces(template: str, output: str) -> None:
    assert parse(template).render({}) == output


def test_render_prints_nothing_for_a_missing_key_by_default() -> None:
    assert parse("{.metadata.nope}{.items[*].nope}").render(NODES) == ""


@pytest.mark.parametrize(
    ("template", "key"), [("{.metadata.nope}", "metadata"), ("{.items[*].nope}", "nope")]
)
def test_render_reports_a_missing_key_when_missing_keys_are_not_allowed(template: str, key: str) -> None:
    with pytest.raises(JSONPathError) as caught:
        parse(template).render(NODES, allow_missing_keys=False)
    assert str(caught.value) == f"{key} is not found"


CONTAINERS = {"spec": {"containers": [{"name": f"fake{index}"} for index in range(6)]}}

# client-go's TestNegativeIndex and TestStep.
SLICES = [
    ("[0]", "fake0"),
    ("[0:0]", ""),
    ("[0:-1]", "fake0 fake1 fake2 fake3 fake4"),
    ("[-1]", "fake5"),
    ("[-1:]", "fake5"),
    ("[-2]", "fake4"),
    ("[-2:]", "fake4 fake5"),
    ("[-6]", "fake0"),
    ("[6:6]", ""),
    ("[-7:-7]", ""),
    ("[1:3]", "fake1 fake2"),
    ("[*]", "fake0 fake1 fake2 fake3 fake4 fake5"),
    ("[0:]", "fake0 fake1 fake2 fake3 fake4 fake5"),
    ("[0:6:]", "fake0 fake1 fake2 fake3 fake4 fake5"),
    ("[1:4:2]", "fake1 fake3"),
    ("[1:4:4]", "fake1"),
    ("[0:6:5]", "fake0 fake5"),
    ("[::2]", "fake0 fake2 fake4"),
]


@pytest.mark.parametrize(("subscript", "output"), SLICES, ids=[s for s, _ in SLICES])
def test_render_takes_indexes_negative_indexes_and_slices(subscript: str, output: str) -> None:
    assert parse("{.spec.containers" + subscript + ".name}").render(CONTAINERS) == output


@pytest.mark.parametrize(
    ("subscript", "message"),
    [
        ("[-7]", "array index out of bounds: index -1, length 6"),
        ("[6]", "array index out of bounds: index 6, length 6"),
        ("[0:7]", "array index out of bounds: index 6, length 6"),
        ("[-1:0]", "starting index 5 is greater than ending index 0"),
        ("[3:1]", "starting index 3 is greater than ending index 1"),
        ("[0:6:0]", "step must be > 0"),
        ("[0:6:-1]", "step must be > 0"),
    ],
)
def test_render_rejects_subscripts_outside_the_list(subscript: str, message: str) -> None:
    with pytest.raises(JSONPathError) as caught:
        parse("{.spec.containers" + subscript + "}").render(CONTAINERS)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{.spec[0]}", "map[string]interface {} is not array or slice"),
        ("{.spec.containers[0].name[0]}", "string is not array or slice"),
        ("{.spec[?(@.x)]}", "map[containers:[map[name:fake0] map[name:fake1] map[name:fake2] "
         "map[name:fake3] map[name:fake4] map[name:fake5]]] is not array or slice and cannot be filtered"),
    ],
)  # fmt: skip
def test_render_rejects_subscripts_and_filters_on_non_lists(template: str, message: str) -> None:
    with pytest.raises(JSONPathError) as caught:
        parse(template).render(CONTAINERS)
    assert str(caught.value) == message


CONDITIONS = {
    "items": [
        {"name": "a", "count": 1, "ratio": 0.5, "type": "Ready", "ok": True},
        {"name": "b", "count": 2, "ratio": 1.5, "type": "Stalled", "ok": False},
        {"name": "c", "count": 3, "ratio": 2.5, "type": "Reconciling"},
    ]
}

FILTERS = [
    ('[?(@.type=="Ready")]', "a"),
    ("[?(@.type=='Ready')]", "a"),
    ('[?(@.type != "Ready")]', "b c"),
    ("[?(@.count>1)]", "b c"),
    ("[?(@.count>=2)]", "b c"),
    ("[?(@.count<2)]", "a"),
    ("[?(@.count<=2)]", "a b"),
    ("[?(@.ratio>1.0)]", "b c"),
    ('[?(@.type<"S")]', "a c"),
    ("[?(@.ok==false)]", "b"),
    ("[?(@.ok)]", "a b"),
    ("[?(@.nope)]", ""),
    ('[?(.type=="Stalled")]', "b"),
]


@pytest.mark.parametrize(("filter_", "names"), FILTERS, ids=[f for f, _ in FILTERS])
def test_render_filters_list_items(filter_: str, names: str) -> None:
    assert parse("{.items" + filter_ + ".name}").render(CONDITIONS) == names


@pytest.mark.parametrize(
    ("filter_", "message"),
    [
        ("[?(@.count>1.5)]", "incompatible types for comparison"),
        ('[?(@.count=="1")]', "incompatible types for comparison"),
        ("[?(@.ok<true)]", "invalid type for comparison"),
        ("[?(@.count=1)]", "unrecognized filter operator ="),
        ("[?(@.name[*]==1)]", "string is not array or slice"),
    ],
)
def test_render_reports_comparisons_go_cannot_make(filter_: str, message: str) -> None:
    with pytest.raises(JSONPathError) as caught:
        parse("{.items" + filter_ + ".name}").render(CONDITIONS)
    assert str(caught.value) == message


ANNOTATED = {
    "items": [
        {"metadata": {"name": "pod1", "annotations": {"color": "blue"}}},
        {"metadata": {"name": "pod2"}},
        {"metadata": {"name": "pod3", "annotations": {"color": "green"}}},
        {"metadata": {"name": "pod4", "annotations": {"color": "blue"}}},
    ]
}


def test_render_filters_skip_items_missing_the_compared_key() -> None:
    template = '{.items[?(@.metadata.annotations.color=="blue")].metadata.name}'
    assert parse(template).render(ANNOTATED) == "pod1 pod4"


def test_render_filters_fail_on_items_missing_the_compared_key_when_missing_keys_are_not_allowed() -> None:
    template = '{.items[?(@.metadata.annotations.color=="blue")].metadata.name}'
    with pytest.raises(JSONPathError, match="annotations is not found"):
        parse(template).render(ANNOTATED, allow_missing_keys=False)


def test_render_takes_map_values_of_a_wildcard_in_key_order() -> None:
    assert parse("{.m.*}").render({"m": {"b": 2, "a": 1, "c": 3}}) == "1 2 3"


def test_render_reads_a_quoted_key_with_dots_as_a_path_as_client_go_does() -> None:
    data = {"a": {"b": "nested"}, "a.b": "dotted"}
    assert parse("{['a.b']}").render(data) == "nested"


@pytest.mark.parametrize("template", ["{.a\\.b}", "{['a\\.b']}"])
def test_render_reads_an_escaped_dot_as_part_of_the_key(template: str) -> None:
    assert parse(template).render({"a": {"b": "nested"}, "a.b": "dotted"}) == "dotted"


NESTED = {
    "items": [
        {
            "metadata": {"name": "pod1"},
            "spec": {"containers": [{"name": "foo"}, {"name": "bar"}]},
        },
        {"metadata": {"name": "pod2"}, "spec": {"containers": [{"name": "baz"}]}},
    ]
}

# client-go's TestNestedRanges and TestEmptyRange.
RANGES = [
    ('{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}', NESTED,
     "pod1:foo,bar,+pod2:baz,+"),
    ('{range .items[*]}{.metadata.name}{"\\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\\t"}'
     '{range @.spec.containers[*]}{.name}{" "}{end}{"\\n"}{end}', NESTED,
     "pod1\tfoo bar \tfoo bar \npod2\tbaz \tbaz \n"),
    ("{range .items[*]}{.metadata.name}{end}", {"items": []}, ""),
    ('{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}',
     {"items": []}, ""),
    ('{range .items[*]}{.metadata.name}{"\\n"}{end}done', NESTED, "pod1\npod2\ndone"),
]  # fmt: skip


@pytest.mark.parametrize(("template", "data", "output"), RANGES)
def test_render_repeats_a_range_body_for_each_item(template: str, data: Any, output: str) -> None:
    assert parse(template).render(data) == output


def test_render_runs_a_range_without_end_to_the_end_and_then_once_more_on_the_input() -> None:
    assert parse("{range .items[*]}{.metadata.name}").render(NESTED) == "pod1pod2"


def test_render_rejects_end_outside_a_range() -> None:
    with pytest.raises(JSONPathError) as caught:
        parse("{.items}{end}").render(NESTED)
    assert str(caught.value) == "not in range, nothing to end"


def test_render_rejects_an_unknown_identifier() -> None:
    with pytest.raises(JSONPathError) as caught:
        parse("{metadata.name}").render(NESTED)
    assert str(caught.value) == "unrecognized identifier metadata"


def test_render_as_json_prints_each_expression_as_an_indented_array() -> None:
    assert parse("{.items[*].metadata.name}{.nope}").render(NODES, as_json=True) == (
        '[\n    "127.0.0.1",\n    "127.0.0.2"\n]\n[]\n'
    )


def test_find_results_gives_the_values_of_each_piece_of_the_template() -> None:
    assert parse("x{.items[*].metadata.name}").find_results(NODES) == [["x"], ["127.0.0.1", "127.0.0.2"]]


SYNTAX_ERRORS = [
    ("{.a", "unclosed action"),
    ("{.a\n}", "unclosed action"),
    ("{.items[0}", "unterminated array"),
    ("{.items[a]}", "invalid array index a"),
    ("{.items[1.5]}", "invalid array index 1.5"),
    ("{.items[-]}", "array index - is not a number"),
    ('{.items[?(@.a=="x"]}', "unterminated filter"),
    ('{.items[?(@.a=="x")x]}', "unclosed array expect ]"),
    ('{"abc}', "unterminated quoted string"),
    ('{"\\q"}', 'unquote string "\\q" error invalid syntax'),
    ("{1.2.3}", "cannot parse number 1.2.3"),
    ("{....}", "invalid multiple recursive descent"),
    ("{#}", "unrecognized character in action: U+0023 '#'"),
    ("{\t}", "unrecognized character in action: U+0009"),
]


@pytest.mark.parametrize(("template", "message"), SYNTAX_ERRORS, ids=[t for t, _ in SYNTAX_ERRORS])
def test_parse_rejects_bad_templates_with_client_gos_message(template: str, message: str) -> None:
    with pytest.raises(JSONPathError) as caught:
        parse(template)
    assert str(caught.value) == message


def test_parse_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        parse("{")
