"""The cells of `policy get`: the printer columns, then the wide ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kubectl_imagerepo.model.imagepolicy import ImagePolicy
from kubectl_imagerepo.output.policy_listing import headers, policy_words, row

NOW = datetime(2026, 1, 1, 1, 0, 0, tzinfo=UTC)


def view(**spec: Any) -> ImagePolicy:
    status = spec.pop("status", {})
    namespace = spec.pop("namespace", "ns")
    return ImagePolicy.from_dict({
        "kind": "ImagePolicy",
        "metadata": {"name": "p", "namespace": namespace, "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"imageRepositoryRef": {"name": "app"}, "policy": {"semver": {"range": ">=1.0.0"}}, **spec},
        "status": status,
    })


def test_a_new_policy_shows_none_for_everything_but_name_and_age() -> None:
    assert row(view(), NOW, wide=False, all_namespaces=False) == (
        "p", "<none>", "<none>", "<none>", "<none>", "60m")


def test_headers_with_every_option() -> None:
    assert headers(wide=True, all_namespaces=True) == (
        "NAMESPACE", "NAME", "IMAGE", "TAG", "READY", "STATUS", "AGE", "REPOSITORY", "POLICY", "DIGEST",
        "PREVIOUS")


def test_semver_in_words_is_the_range() -> None:
    assert policy_words(view()) == "semver >=1.0.0"


def test_an_order_left_empty_is_asc() -> None:
    assert policy_words(view(policy={"alphabetical": {}})) == "alphabetical asc"


def test_semver_takes_precedence_over_the_other_choices() -> None:
    choice = {"numerical": {"order": "desc"}, "semver": {"range": "1.x"}}
    assert policy_words(view(policy=choice)) == "semver 1.x"


def test_no_choice_is_none() -> None:
    assert policy_words(view(policy={})) == "<none>"


def test_a_repository_in_another_namespace_is_qualified() -> None:
    policy = view(imageRepositoryRef={"name": "app", "namespace": "shared"})
    assert row(policy, NOW, wide=True, all_namespaces=False)[6] == "shared/app"


def test_previous_ref_prints_name_tag_and_digest() -> None:
    status = {"latestRef": {"name": "img", "tag": "2"},
              "observedPreviousRef": {"name": "img", "tag": "1", "digest": "sha256:d"}}
    cells = row(view(status=status), NOW, wide=True, all_namespaces=False)
    assert cells[-2:] == ("<none>", "img:1@sha256:d")
