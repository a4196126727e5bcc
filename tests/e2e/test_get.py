"""`kubectl imagerepo get` against a real kube-apiserver."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from tests.e2e.conftest import Plugin, create, image_repository, write_status
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e

SCAN_TIME = "2026-01-02T03:04:05Z"


def ready_status(tags: int = 3, message: str | None = None) -> dict[str, object]:
    return {
        "observedGeneration": 1,
        "canonicalImageName": "ghcr.io/example/app",
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "Succeeded",
                "observedGeneration": 1,
                "lastTransitionTime": SCAN_TIME,
                "message": message or f"successful scan: found {tags} tags with checksum 12345",
            }
        ],
        "lastScanResult": {
            "tagCount": tags,
            "scanTime": SCAN_TIME,
            "revision": "12345",
            "latestTags": ["3", "2", "1"][:tags],
        },
        "observedExclusionList": ["^.*\\.sig$"],
    }


def failed_status() -> dict[str, object]:
    return {
        "observedGeneration": 1,
        "conditions": [
            {
                "type": "Ready",
                "status": "False",
                "reason": "ReadOperationFailed",
                "observedGeneration": 1,
                "lastTransitionTime": SCAN_TIME,
                "message": "scan failed: GET http://x: unexpected status code 404 Not Found",
            }
        ],
    }


def test_empty_namespace_says_no_resources_found_and_exits_0(plugin: Plugin, namespace: str) -> None:
    result = plugin("get", "-n", namespace)
    assert result.code == 0
    assert result.stdout == ""
    assert result.stderr == f"No resources found in {namespace} namespace.\n"


def test_lists_the_objects_of_the_namespace_in_kubectl_columns(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    write_status(env, namespace, "app", ready_status())
    create(env, image_repository(namespace, "fresh", "ghcr.io/example/fresh"))
    result = plugin("get", "-n", namespace)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "IMAGE", "TAGS", "READY", "STATUS", "LAST", "SCAN", "AGE"]
    assert lines[0].startswith("NAME   ")
    assert lines[1].split()[:5] == ["app", "ghcr.io/example/app", "3", "True", "successful"]
    assert "successful scan: found 3 tags with checksum 12345" in lines[1]
    assert lines[2].split()[:6] == ["fresh", "ghcr.io/example/fresh", "<none>", "<none>", "<none>", "<none>"]
    assert len(lines) == 3


def test_all_namespaces_adds_a_namespace_column(env: Environment, plugin: Plugin) -> None:
    first, second = env.new_namespace(), env.new_namespace()
    create(env, image_repository(first, "one", "ghcr.io/example/one"))
    create(env, image_repository(second, "two", "ghcr.io/example/two"))
    result = plugin("get", "-A")
    assert result.code == 0, result.stderr
    rows = [line.split()[:2] for line in result.stdout.splitlines()]
    assert rows[0] == ["NAMESPACE", "NAME"]
    assert [first, "one"] in rows
    assert [second, "two"] in rows


def test_label_selector_keeps_only_matching_objects(env: Environment, plugin: Plugin, namespace: str) -> None:
    create(env, image_repository(namespace, "prod", "ghcr.io/example/a", labels={"tier": "prod"}))
    create(env, image_repository(namespace, "dev", "ghcr.io/example/b", labels={"tier": "dev"}))
    result = plugin("get", "-n", namespace, "-l", "tier=prod", "-o", "name")
    assert result.code == 0, result.stderr
    assert result.stdout == "imagerepository.image.toolkit.fluxcd.io/prod\n"


def test_output_json_of_one_named_object_is_the_object_itself(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    result = plugin("get", "app", "-n", namespace, "-o", "json")
    assert result.code == 0, result.stderr
    obj = json.loads(result.stdout)
    assert obj["kind"] == "ImageRepository"
    assert obj["metadata"]["name"] == "app"
    assert obj["spec"]["exclusionList"] == ["^.*\\.sig$"]  # the CRD default, as the server stored it


def test_output_json_of_a_listing_is_a_v1_list(env: Environment, plugin: Plugin, namespace: str) -> None:
    create(env, image_repository(namespace, "a", "ghcr.io/example/a"))
    create(env, image_repository(namespace, "b", "ghcr.io/example/b"))
    result = plugin("get", "-n", namespace, "-o", "json")
    assert result.code == 0, result.stderr
    listing = json.loads(result.stdout)
    assert listing["apiVersion"] == "v1"
    assert listing["kind"] == "List"
    assert [i["metadata"]["name"] for i in listing["items"]] == ["a", "b"]


def test_output_yaml_round_trips_the_stored_object(env: Environment, plugin: Plugin, namespace: str) -> None:
    created = create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    result = plugin("get", "app", "-n", namespace, "-o", "yaml")
    assert result.code == 0, result.stderr
    del created["metadata"]["managedFields"]  # hidden unless --show-managed-fields, as kubectl does
    assert yaml.safe_load(result.stdout) == created


def test_output_wide_adds_suspended_interval_next_scan_and_canonical_image(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app", interval="10m", suspend=True))
    write_status(env, namespace, "app", ready_status())
    result = plugin("get", "-n", namespace, "-o", "wide")
    assert result.code == 0, result.stderr
    header, first = result.stdout.splitlines()
    assert header.split()[-6:] == ["SUSPENDED", "INTERVAL", "NEXT", "SCAN", "CANONICAL", "IMAGE"]
    assert first.split()[-4:] == ["True", "10m", "<none>", "ghcr.io/example/app"]


def test_output_jsonpath_prints_the_selected_fields(env: Environment, plugin: Plugin, namespace: str) -> None:
    create(env, image_repository(namespace, "a", "ghcr.io/example/a"))
    create(env, image_repository(namespace, "b", "ghcr.io/example/b"))
    result = plugin("get", "-n", namespace, "-o", "jsonpath={.items[*].spec.image}")
    assert result.code == 0, result.stderr
    assert result.stdout == "ghcr.io/example/a ghcr.io/example/b"


def test_status_selector_keeps_objects_whose_condition_matches(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    create(env, image_repository(namespace, "good", "ghcr.io/example/good"))
    write_status(env, namespace, "good", ready_status())
    create(env, image_repository(namespace, "bad", "ghcr.io/example/bad"))
    write_status(env, namespace, "bad", failed_status())
    create(env, image_repository(namespace, "new", "ghcr.io/example/new"))
    ready = plugin("get", "-n", namespace, "--status-selector", "ready=true", "-o", "name")
    not_ready = plugin("get", "-n", namespace, "--status-selector", "Ready!=True", "-o", "name")
    assert ready.stdout.split() == ["imagerepository.image.toolkit.fluxcd.io/good"]
    assert sorted(not_ready.stdout.split()) == [
        "imagerepository.image.toolkit.fluxcd.io/bad",
        "imagerepository.image.toolkit.fluxcd.io/new",
    ]


def test_malformed_status_selector_is_a_usage_error(plugin: Plugin, namespace: str) -> None:
    result = plugin("get", "-n", namespace, "--status-selector", "ready")
    assert result.code == 2
    assert (
        result.stderr.strip()
        == "expected status selector in type=status or type!=status format, but found: ready"
    )


def test_unknown_output_format_is_a_usage_error_naming_the_allowed_ones(
    plugin: Plugin, namespace: str
) -> None:
    result = plugin("get", "-n", namespace, "-o", "bogus")
    assert result.code == 2
    assert 'unable to match a printer suitable for the output format "bogus"' in result.stderr
    assert "json" in result.stderr and "yaml" in result.stderr


def test_missing_object_prints_kubectls_not_found_and_exits_1(plugin: Plugin, namespace: str) -> None:
    result = plugin("get", "nope", "-n", namespace)
    assert result.code == 1
    assert (
        result.stderr.strip()
        == 'Error from server (NotFound): imagerepositories.image.toolkit.fluxcd.io "nope" not found'
    )


def test_ignore_not_found_turns_a_missing_object_into_success(plugin: Plugin, namespace: str) -> None:
    result = plugin("get", "nope", "-n", namespace, "--ignore-not-found")
    assert (result.code, result.stdout, result.stderr) == (0, "", "")


def test_namespace_defaults_to_the_contexts_namespace(env: Environment, plugin: Plugin) -> None:
    create(env, image_repository("default", "in-default", "ghcr.io/example/d"))
    result = plugin("get", "in-default", "-o", "name")
    assert result.code == 0, result.stderr
    assert result.stdout == "imagerepository.image.toolkit.fluxcd.io/in-default\n"


def test_restricted_user_gets_a_forbidden_message_naming_verb_and_resource(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    result = plugin("get", "-n", namespace, kubeconfig=env.plane.restricted_kubeconfig)
    assert result.code == 1
    assert result.stderr.strip() == (
        "Error from server (Forbidden): imagerepositories.image.toolkit.fluxcd.io is forbidden: "
        'User "alice" cannot list resource "imagerepositories" in API group "image.toolkit.fluxcd.io" '
        f'in the namespace "{namespace}"'
    )


def test_restricted_user_with_read_access_lists_objects(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    env.plane.grant_restricted_user(namespace)
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    result = plugin("get", "-n", namespace, "-o", "name", kubeconfig=env.plane.restricted_kubeconfig)
    assert result.code == 0, result.stderr
    assert result.stdout == "imagerepository.image.toolkit.fluxcd.io/app\n"


@pytest.mark.timeout(60)
def test_watch_prints_a_new_row_when_an_object_changes(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    watcher = plugin.start("get", "-n", namespace, "-w", "--kubeconfig", str(env.plane.admin_kubeconfig))
    try:
        assert watcher.stdout is not None
        header, first = watcher.stdout.readline(), watcher.stdout.readline()
        assert header.split()[0] == "NAME"
        assert first.split()[:3] == ["app", "ghcr.io/example/app", "<none>"]
        time.sleep(0.5)
        write_status(env, namespace, "app", ready_status(tags=2))
        changed = watcher.stdout.readline()
        assert changed.split()[:4] == ["app", "ghcr.io/example/app", "2", "True"]
    finally:
        watcher.terminate()
        watcher.wait(10)


def test_json_output_hides_managed_fields_unless_asked(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    hidden = json.loads(plugin("get", "app", "-n", namespace, "-o", "json").stdout)
    shown = json.loads(plugin("get", "app", "-n", namespace, "-o", "json", "--show-managed-fields").stdout)
    assert "managedFields" not in hidden["metadata"]
    assert shown["metadata"]["managedFields"][0]["manager"]
