"""The ImagePolicy reconciler's pure decisions: the Ready message, when to fetch a digest, the refs."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.model.imagepolicy import ImageRef
from kubectl_imagerepo.reconcile.policy_decisions import (
    carried_digest,
    ready_message,
    ref_json,
    should_fetch_digest,
    updated_refs,
)

FOO_1 = ImageRef("foo/bar", "1.0.0")
FOO_1_D = ImageRef("foo/bar", "1.0.0", "sha256:1234567890abcdef")


@pytest.mark.parametrize(
    ("latest", "previous", "expected"),
    [
        (FOO_1, None, "Latest image tag for foo/bar resolved to 1.0.0"),
        (
            ImageRef("foo/bar", "1.1.0"),
            FOO_1,
            "Latest image tag for foo/bar resolved to 1.1.0 (previously foo/bar:1.0.0)",
        ),
        (
            FOO_1_D,
            ImageRef("baz/qux", "1.0.0"),
            "Latest image tag for foo/bar resolved to 1.0.0 with digest sha256:1234567890abcdef "
            "(previously baz/qux:1.0.0)",
        ),
        (
            FOO_1_D,
            ImageRef("foo/bar", "1.0.0", "sha256:abcdef1234567890"),
            "Latest image tag for foo/bar resolved to 1.0.0 with digest sha256:1234567890abcdef "
            "(previously foo/bar:1.0.0@sha256:abcdef1234567890)",
        ),
        (FOO_1, FOO_1, "Latest image tag for foo/bar resolved to 1.0.0"),
    ],
)
def test_the_ready_message_matches_the_controllers_vectors(
    latest: ImageRef, previous: ImageRef | None, expected: str
) -> None:
    assert ready_message(latest, previous) == expected


def test_always_fetches_even_when_the_stored_ref_has_a_digest() -> None:
    assert should_fetch_digest("Always", FOO_1_D, FOO_1)


def test_if_not_present_fetches_only_without_a_stored_digest_for_the_same_tag() -> None:
    assert not should_fetch_digest("IfNotPresent", FOO_1_D, FOO_1)
    assert should_fetch_digest("IfNotPresent", FOO_1, FOO_1)
    assert should_fetch_digest("IfNotPresent", FOO_1_D, ImageRef("foo/bar", "1.1.0"))
    assert should_fetch_digest("IfNotPresent", None, FOO_1)


def test_never_fetches_and_carries_no_digest() -> None:
    assert not should_fetch_digest("Never", None, FOO_1)
    assert carried_digest("Never", FOO_1_D, FOO_1) == ""


def test_if_not_present_carries_the_stored_digest() -> None:
    assert carried_digest("IfNotPresent", FOO_1_D, FOO_1) == FOO_1_D.digest


def test_an_unchanged_ref_keeps_the_previous_one() -> None:
    previous = ImageRef("foo/bar", "0.9.0")
    assert updated_refs(FOO_1, previous, FOO_1) == (FOO_1, previous)


def test_a_changed_digest_moves_the_stored_ref_to_previous() -> None:
    assert updated_refs(FOO_1, None, FOO_1_D) == (FOO_1_D, FOO_1)


def test_a_ref_without_digest_has_no_digest_field() -> None:
    assert ref_json(FOO_1) == {"name": "foo/bar", "tag": "1.0.0"}
    assert list(ref_json(FOO_1_D)) == ["name", "tag", "digest"]
