"""The update step's pure rules: setters, markers, which policies count, why a marker changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_imagerepo.model.automation import policies as why
from kubectl_imagerepo.model.automation.selector import from_label_selector, from_string
from kubectl_imagerepo.model.automation.setters import marker_setter, setters_for, valid_reference
from kubectl_imagerepo.model.automation.update import Marker, update_text
from kubectl_imagerepo.model.errors import CommandError, InputError

DIGEST = "sha256:" + "a" * 64


def policy(
    policy_name: str, namespace: str = "flux", labels: dict[str, str] | None = None, **ref: str
) -> dict[str, Any]:
    """An ImagePolicy with `latestRef` made of `image` (its name), `tag` and `digest` when given."""
    if "image" in ref:
        ref["name"] = ref.pop("image")
    status: dict[str, Any] = {"latestRef": ref} if ref else {}
    return {
        "metadata": {"name": policy_name, "namespace": namespace, "labels": labels or {}},
        "status": status,
    }


def test_a_policy_defines_four_setters_the_full_one_with_its_digest() -> None:
    setters = setters_for([policy("app", image="ghcr.io/org/app", tag="1.2.3", digest=DIGEST)])
    assert {name: s.value for name, s in setters.items()} == {
        "flux:app": f"ghcr.io/org/app:1.2.3@{DIGEST}",
        "flux:app:tag": "1.2.3",
        "flux:app:name": "ghcr.io/org/app",
        "flux:app:digest": DIGEST,
    }


def test_a_policy_without_latest_ref_defines_no_setter() -> None:
    assert setters_for([policy("app")]) == {}


def test_a_latest_ref_go_cannot_parse_fails_the_run_in_one_line() -> None:
    with pytest.raises(CommandError, match=r'^error: encountered invalid image ref "Bad/Name:1"'):
        setters_for([policy("app", image="Bad/Name", tag="1")])


@pytest.mark.parametrize(
    ("reference", "valid"),
    [
        ("ghcr.io/org/app:1.0", True),
        ("localhost:5000/app:v1", True),
        ("app:1.0", True),
        (f"app:1.0@{DIGEST}", True),
        ("App:1.0", False),
        ("app:", False),
        ("app:1.0@sha256:abc", False),
    ],
)
def test_references_are_checked_as_go_containerregistry_weakly_validates_them(
    reference: str, valid: bool
) -> None:
    assert valid_reference(reference) is valid


def test_the_line_comment_is_read_before_the_head_comment() -> None:
    assert marker_setter('# {"$imagepolicy": "a:b"}', '# {"$imagepolicy": "c:d"}') == "a:b"
    assert marker_setter("", '# {"$imagepolicy": "c:d"}') == "c:d"


def test_a_line_comment_that_is_no_marker_hides_the_head_comment() -> None:
    assert marker_setter("# just a note", '# {"$imagepolicy": "c:d"}') is None


def test_a_head_comment_of_several_lines_marks_nothing() -> None:
    assert marker_setter("", '# note\n# {"$imagepolicy": "c:d"}') is None


def test_a_marker_with_a_non_string_value_marks_nothing() -> None:
    assert marker_setter('# {"$imagepolicy": "a:b", "n": 1}', "") is None


def test_the_selector_object_needs_every_label_and_expression() -> None:
    match = from_label_selector(
        {
            "matchLabels": {"team": "a"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}],
        },
        "here",
    )
    assert match({"team": "a", "env": "prod"})
    assert not match({"team": "a", "env": "dev"})
    assert not match({"env": "prod"})


def test_an_unknown_selector_operator_names_the_field() -> None:
    with pytest.raises(InputError, match=r'^error: here: "Near" is not a valid label selector operator$'):
        from_label_selector({"matchExpressions": [{"key": "a", "operator": "Near"}]}, "here")


def test_kubectl_selector_strings_parse_as_kubectl_reads_them() -> None:
    match = from_string("team=a,env in (prod, staging),!legacy")
    assert match({"team": "a", "env": "staging"})
    assert not match({"team": "a", "env": "staging", "legacy": "yes"})
    assert not match({"team": "b", "env": "prod"})


def test_only_policies_of_the_namespace_selected_and_with_latest_ref_count() -> None:
    judged = why.judge_policies(
        [
            policy("counted", image="a", tag="1"),
            policy("pending"),
            policy("other", namespace="elsewhere", image="a", tag="1"),
            policy("unselected", labels={"team": "b"}, image="a", tag="1"),
        ],
        "flux",
        from_string("team!=b"),
    )
    assert {v.name: v.verdict for v in judged} == {
        "counted": why.COUNTED,
        "pending": why.NO_LATEST_REF,
        "unselected": why.NOT_SELECTED,
    }
    assert [p["metadata"]["name"] for p in why.counted(judged)] == ["counted"]


def test_a_marker_of_another_namespace_says_the_controller_ignores_it() -> None:
    marker = Marker("f.yaml", 3, "elsewhere:app", "x", None)
    assert why.marker_warning(marker, "flux", {}) == (
        "marker names ImagePolicy elsewhere/app, not of the automation's namespace flux: "
        "the controller ignores it"
    )


def test_a_marker_already_at_the_pick_is_up_to_date() -> None:
    marker = Marker("f.yaml", 3, "flux:app", "a:1", "a:1")
    assert why.marker_warning(marker, "flux", {}) == "up to date: a:1 (flux:app)"


def test_a_file_without_a_changed_value_is_not_rewritten() -> None:
    setters = setters_for([policy("app", image="a", tag="1")])
    text = 'x:   a:1   # {"$imagepolicy": "flux:app"}\n'
    result = update_text("f.yaml", text, setters)
    assert result.new_text is None
    assert result.changes == ()


def test_a_changed_file_is_rewritten_whole_as_kyaml_writes_it() -> None:
    setters = setters_for([policy("app", image="a", tag="2")])
    text = 'kind: A\n\nx:   a:1   # {"$imagepolicy": "flux:app"}\ny: [1,   2]\n'
    result = update_text("f.yaml", text, setters)
    assert result.new_text == 'kind: A\nx: a:2 # {"$imagepolicy": "flux:app"}\ny: [1, 2]\n'


def test_a_value_yaml_1_1_reads_as_a_number_is_double_quoted() -> None:
    setters = setters_for([policy("app", image="a", tag="20240115")])
    result = update_text("f.yaml", 'tag: v1 # {"$imagepolicy": "flux:app:tag"}\n', setters)
    assert result.new_text == 'tag: "20240115" # {"$imagepolicy": "flux:app:tag"}\n'
