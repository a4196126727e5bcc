"""The outcome rows of the ImagePolicy reconciler a real cluster can produce, each status write kstatus-valid.

Every row runs `policy reconcile` against the real API server (and a real registry where one is
needed) while a watch records every write of the policy's status; the final conditions, the
controller's reason and message, and the Event recorded are asserted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.store.database import ObjectKey, TagStore
from tests.e2e.conftest import Plugin, Result, create, image_repository
from tests.e2e.test_policy_reconcile import (
    GROUP,
    condition,
    create_policy,
    fetch_policy,
    image_policy,
    policy_api,  # noqa: F401 (the module fixture that installs the CRD)
    seeded,
)
from tests.harness.environment import Environment
from tests.kstatus import check

pytestmark = pytest.mark.e2e


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "tags.sqlite3"


def written_since(env: Environment, namespace: str, since: str) -> list[dict[str, Any]]:
    """Every version of the namespace's ImagePolicies written after resourceVersion `since`.

    A watch from an old resourceVersion replays each change from the API server's watch cache; a
    one-second `timeoutSeconds` ends the stream once the replay is done.
    """
    url = (
        f"{env.plane.url}/apis/{GROUP}/v1/namespaces/{namespace}/imagepolicies"
        f"?watch=true&resourceVersion={since}&timeoutSeconds=1"
    )
    with env.plane.session() as s, s.get(url, stream=True, timeout=30) as response:
        return [json.loads(line)["object"] for line in response.iter_lines() if line]


def warning_events(env: Environment, namespace: str) -> list[tuple[str, str, str, int]]:
    listed = env.plane.request("GET", f"/api/v1/namespaces/{namespace}/events")
    return sorted(
        (e["type"], e["reason"], e["message"], e.get("count", 1))
        for e in listed["items"]
        if e["involvedObject"]["kind"] == "ImagePolicy"
    )


def reconcile_recorded(
    env: Environment, plugin: Plugin, database: Path, namespace: str, created: dict[str, Any], *args: str
) -> tuple[Result, list[dict[str, Any]]]:
    done = plugin("policy", "reconcile", "pick", "-n", namespace, "--database", str(database), *args)
    seen = written_since(env, namespace, created["metadata"]["resourceVersion"])
    statuses = [o["status"] for o in seen if o["status"].get("conditions")]
    assert statuses, "no status was written"
    generation = created["metadata"]["generation"]
    for status in statuses[:-1]:
        assert check(status, generation) == [], status
    assert check(statuses[-1], generation, mid_reconcile=False) == [], statuses[-1]
    return done, statuses


Arrange = Callable[[Environment, str], dict[str, Any]]


def with_repository(image_of: Callable[[Environment, str], str], **repo_spec: Any) -> Callable[..., None]:
    def arrange(env: Environment, namespace: str) -> None:
        create(env, image_repository(namespace, "app", image_of(env, namespace), **repo_spec))

    return arrange


def seeded_image(tags: list[str]) -> Callable[[Environment, str], str]:
    return lambda env, namespace: seeded(env.registry, f"{namespace}/app", tags)


ROWS = [
    pytest.param(
        with_repository(seeded_image(["1.0.0"])),
        {"policy": {}},
        ("Stalled", "InvalidPolicy", "invalid policy: given ImagePolicyChoice object is invalid"),
        id="empty-policy",
    ),
    pytest.param(
        with_repository(seeded_image(["test-1.0.0"])),
        {"filterTags": {"pattern": "^test-(.*"}},
        (
            "Stalled",
            "InvalidPolicy",
            "failed to filter tags: invalid regular expression pattern '^test-(.*': "
            "error parsing regexp: missing closing ): `^test-(.*`",
        ),
        id="bad-regex",
    ),
    pytest.param(
        with_repository(seeded_image(["1.0.0"])),
        {"policy": {"semver": {"range": "*-*"}}},
        ("Stalled", "InvalidPolicy", 'invalid policy: improper constraint: "*-*"'),
        id="invalid-semver",
    ),
    pytest.param(
        with_repository(seeded_image(["0.1.0", "0.2.0"])),
        {},
        ("Reconciling", "Failure", "unable to determine latest version from provided list"),
        id="no-semver-match",
    ),
    pytest.param(
        with_repository(seeded_image(["1.0.0"])),
        {"filterTags": {"pattern": "^nothing-"}},
        ("Reconciling", "Failure", "version list argument cannot be empty"),
        id="filter-matched-nothing",
    ),
    pytest.param(
        with_repository(seeded_image(["main-abc-100"])),
        {"policy": {"numerical": {"order": "asc"}}},
        ("Reconciling", "Failure", "failed to parse invalid numeric value 'main-abc-100'"),
        id="numerical-not-a-number",
    ),
    pytest.param(
        with_repository(lambda env, namespace: "https://ghcr.io/foo"),
        {},
        (
            "Stalled",
            "ImageURLInvalid",
            "image 'https://ghcr.io/foo' should not include URL scheme; remove 'https://'",
        ),
        id="bad-repository-image",
    ),
    pytest.param(
        with_repository(seeded_image(["1.0.0"]), provider="aws", serviceAccountName="builder"),
        {},
        (
            "Stalled",
            "FeatureGateDisabled",
            "to use spec.serviceAccountName in the ImageRepository for provider authentication please "
            "enable the ObjectLevelWorkloadIdentity feature gate in the controller",
        ),
        id="feature-gate-off",
    ),
]


@pytest.mark.parametrize(("arrange", "spec", "expected"), ROWS)
def test_a_failing_policy_ends_with_the_controllers_reason_and_message(
    env: Environment,
    plugin: Plugin,
    database: Path,
    namespace: str,
    arrange: Any,
    spec: dict[str, Any],
    expected: tuple[str, str, str],
) -> None:
    arrange(env, namespace)
    created = create_policy(env, image_policy(namespace, **spec))
    done, statuses = reconcile_recorded(env, plugin, database, namespace, created)
    assert done.code == 1
    negative, reason, message = expected
    final = {"status": statuses[-1]}
    ready = condition(final, "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == ("False", reason, message)
    assert condition(final, negative)["status"] == "True"
    if negative == "Reconciling":
        assert condition(final, "Reconciling")["reason"] == "ProgressingWithRetry"
        assert done.stderr.splitlines()[-1] == f"✗ ImagePolicy reconciliation failed: '{message}'"
    else:
        assert statuses[-1]["observedGeneration"] == 1
        assert done.stderr.splitlines()[-1] == f"✗ {message}"
    assert ("Warning", reason, message, 1) in warning_events(env, namespace)


def test_a_cross_namespace_reference_without_access_from_is_denied(
    env: Environment, plugin: Plugin, database: Path, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", seeded(env.registry, f"{namespace}/app", ["1.0.0"])))
    other = env.new_namespace("noacl")
    created = create_policy(
        env, image_policy(other, imageRepositoryRef={"name": "app", "namespace": namespace})
    )
    done, statuses = reconcile_recorded(env, plugin, database, other, created)
    assert done.code == 1
    ready = condition({"status": statuses[-1]}, "Ready")
    assert (ready["reason"], ready["message"]) == (
        "AccessDenied",
        "failed to get the referred ImageRepository: access denied: "
        f"'{namespace}/app' can't be accessed due to missing ACL labels on 'accessFrom'",
    )


def test_no_cross_namespace_refs_blocks_another_namespace(
    env: Environment, plugin: Plugin, database: Path, namespace: str
) -> None:
    other = env.new_namespace("blocked")
    created = create_policy(
        env, image_policy(other, imageRepositoryRef={"name": "noacl", "namespace": namespace})
    )
    done, statuses = reconcile_recorded(env, plugin, database, other, created, "--no-cross-namespace-refs")
    assert done.code == 1
    ready = condition({"status": statuses[-1]}, "Ready")
    assert (ready["reason"], ready["message"]) == (
        "AccessDenied",
        f"failed to get the referred ImageRepository: cannot access 'ImageRepository/{namespace}/noacl', "
        "cross-namespace references have been blocked",
    )


def test_a_digest_that_cannot_be_fetched_is_failed_with_the_whole_chain(
    env: Environment, plugin: Plugin, database: Path, namespace: str
) -> None:
    image = "127.0.0.1:1/foo/bar"
    uid = create(env, image_repository(namespace, "app", image))["metadata"]["uid"]
    with TagStore(database) as store:
        store.write(
            ObjectKey(uid, namespace, "app"),
            canonical_name=image,
            tags=["1.0.0"],
            revision="r",
            scan_time="t",
        )
    created = create_policy(env, image_policy(namespace, digestReflectionPolicy="IfNotPresent"))
    done, statuses = reconcile_recorded(env, plugin, database, namespace, created, "--no-scan")
    assert done.code == 1
    refused = "dial tcp 127.0.0.1:1: connect: connection refused"
    message = (
        f'failed fetching digest of {image}:1.0.0: failed fetching descriptor for "{image}:1.0.0": '
        f'Get "https://127.0.0.1:1/v2/": {refused}; Get "http://127.0.0.1:1/v2/": {refused}'
    )
    ready = condition({"status": statuses[-1]}, "Ready")
    assert (ready["reason"], ready["message"]) == ("Failed", message)
    assert condition({"status": statuses[-1]}, "Reconciling")["reason"] == "ProgressingWithRetry"
    assert "latestRef" not in statuses[-1]


def test_a_second_reconcile_that_changes_nothing_records_the_same_event_again(
    env: Environment, plugin: Plugin, database: Path, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0.0"])
    create(env, image_repository(namespace, "app", image))
    created = create_policy(env, image_policy(namespace))
    first, _ = reconcile_recorded(env, plugin, database, namespace, created)
    assert first.code == 0, first.stderr
    again = plugin("policy", "reconcile", "pick", "-n", namespace, "--database", str(database))
    assert again.code == 0, again.stderr
    message = f"Latest image tag for {image} resolved to 1.0.0"
    assert warning_events(env, namespace) == [("Normal", "Succeeded", message, 2)]
    assert "observedPreviousRef" not in fetch_policy(env, namespace)["status"]


@pytest.mark.parametrize("flavour", ["registry", "legacy_registry"])
def test_the_first_success_on_either_registry_is_ready_with_a_normal_event(
    env: Environment, plugin: Plugin, database: Path, namespace: str, flavour: str
) -> None:
    image = seeded(getattr(env, flavour), f"{namespace}/app", ["5.1.3", "5.1.4"])
    create(env, image_repository(namespace, "app", image))
    created = create_policy(env, image_policy(namespace))
    done, statuses = reconcile_recorded(env, plugin, database, namespace, created)
    assert done.code == 0, done.stderr
    message = f"Latest image tag for {image} resolved to 5.1.4"
    ready = condition({"status": statuses[-1]}, "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == ("True", "Succeeded", message)
    assert statuses[-1]["observedGeneration"] == 1
    assert warning_events(env, namespace) == [("Normal", "Succeeded", message, 1)]


def test_a_stall_after_a_failure_says_so_in_ready_where_the_controller_keeps_the_old_failure(
    env: Environment, plugin: Plugin, database: Path, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", seeded(env.registry, f"{namespace}/app", ["0.1.0"])))
    create_policy(env, image_policy(namespace))
    failed = plugin("policy", "reconcile", "pick", "-n", namespace, "--database", str(database))
    assert failed.code == 1
    assert condition(fetch_policy(env, namespace), "Ready")["reason"] == "Failure"
    changed = env.plane.request(
        "PATCH",
        f"/apis/{GROUP}/v1/namespaces/{namespace}/imagepolicies/pick",
        {"spec": {"policy": {"semver": {"range": "*-*"}}}},
        content_type="application/merge-patch+json",
    )
    done, statuses = reconcile_recorded(env, plugin, database, namespace, changed)
    assert done.code == 1
    final = {"status": statuses[-1]}
    message = 'invalid policy: improper constraint: "*-*"'
    assert condition(final, "Stalled")["reason"] == "InvalidPolicy"
    ready = condition(final, "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == ("False", "InvalidPolicy", message)
    assert statuses[-1]["observedGeneration"] == 2
    assert ("Warning", "InvalidPolicy", message, 1) in warning_events(env, namespace)
