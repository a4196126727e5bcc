"""The ImagePolicy API that `install` puts in place, against the real kube-apiserver and kubectl.

The module's fixture runs `kubectl imagerepo install` once; the tests then create ImagePolicies the way
users and Flux do and check what the API server serves, defaults and refuses (see docs/behaviour.md,
ImagePolicy API).
"""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Plugin, Result
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e

GROUP = "image.toolkit.fluxcd.io"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
POLICY_CRD = f"imagepolicies.{GROUP}"
REPOSITORY_CRD = f"imagerepositories.{GROUP}"
# What the API server adds when a schema error kept the CEL rules from running.
RULES_NOT_CHECKED = (
    "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; "
    "correct the existing errors to complete validation"
)


def skipped_rules(cause: str) -> str:
    """The API server's list of causes for a schema error that kept the CEL rules from running."""
    return f"[{cause}, {RULES_NOT_CHECKED}]"


@pytest.fixture(scope="module")
def installed(env: Environment) -> Result:
    """`kubectl imagerepo install`, then the ImagePolicy resource served in both versions."""
    done = subprocess.run(
        ["kubectl", "imagerepo", "install"], capture_output=True, text=True, env=env.path_env(), timeout=120
    )
    deadline = time.monotonic() + 60
    with env.plane.session() as s:
        for version in ("v1", "v1beta2"):
            url = f"{env.plane.url}/apis/{GROUP}/{version}/imagepolicies"
            while s.get(url, timeout=10).status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
    return Result(done.returncode, done.stdout, done.stderr)


def image_policy(namespace: str, name: str, **spec: Any) -> dict[str, Any]:
    """An ImagePolicy manifest referring to ImageRepository `app`, semver `>=1.0.0` unless given."""
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"imageRepositoryRef": {"name": "app"}, "policy": {"semver": {"range": ">=1.0.0"}}, **spec},
    }


def post(env: Environment, obj: dict[str, Any], version: str = "v1") -> requests.Response:
    """Create an ImagePolicy as the admin; the caller checks the answer."""
    namespace = obj["metadata"]["namespace"]
    with env.plane.session() as s:
        return s.post(
            f"{env.plane.url}/apis/{GROUP}/{version}/namespaces/{namespace}/imagepolicies",
            json=obj,
            timeout=30,
        )


def kubectl(env: Environment, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["kubectl", *args], input=stdin, capture_output=True, text=True, env=env.path_env(), timeout=60
    )


def ready_status(image: str, tag: str) -> dict[str, Any]:
    message = f"Latest image tag for {image} resolved to {tag}"
    return {
        "observedGeneration": 1,
        "latestRef": {"name": image, "tag": tag},
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "Succeeded",
                "message": message,
                "lastTransitionTime": "2026-08-07T12:00:00Z",
                "observedGeneration": 1,
            }
        ],
    }


def test_install_applies_and_establishes_both_crds(env: Environment, installed: Result) -> None:
    assert installed.code == 0, installed.stderr
    assert installed.stdout == (
        f"customresourcedefinition.apiextensions.k8s.io/{REPOSITORY_CRD} serverside-applied\n"
        f"customresourcedefinition.apiextensions.k8s.io/{POLICY_CRD} serverside-applied\n"
    )
    for name in (REPOSITORY_CRD, POLICY_CRD):
        crd = env.plane.request("GET", f"{CRDS}/{name}")
        assert "kubectl-imagerepo" in {m["manager"] for m in crd["metadata"]["managedFields"]}
        conditions = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
        assert conditions["Established"] == "True", name


def test_install_a_second_time_changes_nothing(env: Environment, plugin: Plugin, installed: Result) -> None:
    before = env.plane.request("GET", f"{CRDS}/{POLICY_CRD}")["metadata"]["resourceVersion"]
    again = plugin("install")
    assert again.code == 0, again.stderr
    assert env.plane.request("GET", f"{CRDS}/{POLICY_CRD}")["metadata"]["resourceVersion"] == before


def test_the_api_server_applies_the_imagepolicy_defaults(env: Environment, installed: Result) -> None:
    namespace = env.new_namespace("pol")
    created = post(env, image_policy(namespace, "alpha", policy={"alphabetical": {}, "numerical": {}}))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["spec"]["digestReflectionPolicy"] == "Never"
    assert body["spec"]["policy"] == {"alphabetical": {"order": "asc"}, "numerical": {"order": "asc"}}
    assert body["status"] == {"observedGeneration": -1}


@pytest.mark.parametrize(
    "spec",
    [
        {"policy": {}},
        {"policy": {"semver": {"range": ""}}},
        {"filterTags": {}},
        {"digestReflectionPolicy": "Always", "interval": "0s"},
        {"digestReflectionPolicy": "IfNotPresent"},
        {"suspend": True},
    ],
    ids=["empty-policy", "empty-range", "empty-filter", "always-zero-interval", "if-not-present", "suspend"],
)
def test_the_api_server_accepts_what_the_controller_only_refuses_later(
    env: Environment, installed: Result, spec: dict[str, Any]
) -> None:
    created = post(env, image_policy(env.new_namespace("pol"), "ok", **spec))
    assert created.status_code == 201, created.text


@pytest.mark.parametrize(
    ("spec", "cause"),
    [
        (
            {"interval": "5m"},
            "spec: Invalid value: spec.interval is only accepted when "
            "spec.digestReflectionPolicy is set to 'Always'",
        ),
        (
            {"digestReflectionPolicy": "IfNotPresent", "interval": "5m"},
            "spec: Invalid value: spec.interval is only accepted when "
            "spec.digestReflectionPolicy is set to 'Always'",
        ),
        (
            {"digestReflectionPolicy": "Always"},
            "spec: Invalid value: spec.interval must be set when "
            "spec.digestReflectionPolicy is set to 'Always'",
        ),
    ],
    ids=["interval-with-default-never", "interval-with-if-not-present", "always-without-interval"],
)
def test_the_cel_rules_refuse_an_interval_without_always_and_always_without_an_interval(
    env: Environment, installed: Result, spec: dict[str, Any], cause: str
) -> None:
    refused = post(env, image_policy(env.new_namespace("pol"), "bad", **spec))
    assert refused.status_code == 422, refused.text
    assert refused.json()["message"] == f'ImagePolicy.{GROUP} "bad" is invalid: {cause}'


@pytest.mark.parametrize(
    ("change", "cause"),
    [
        ({"imageRepositoryRef": None}, skipped_rules("spec.imageRepositoryRef: Required value")),
        ({"policy": None}, skipped_rules("spec.policy: Required value")),
        (
            {"imageRepositoryRef": {"namespace": "other"}},
            skipped_rules("spec.imageRepositoryRef.name: Required value"),
        ),
        ({"policy": {"semver": {}}}, skipped_rules("spec.policy.semver.range: Required value")),
        (
            {"policy": {"alphabetical": {"order": "up"}}},
            skipped_rules(
                'spec.policy.alphabetical.order: Unsupported value: "up": supported values: "asc", "desc"'
            ),
        ),
        (
            {"policy": {"numerical": {"order": "ASC"}}},
            skipped_rules(
                'spec.policy.numerical.order: Unsupported value: "ASC": supported values: "asc", "desc"'
            ),
        ),
        (
            {"digestReflectionPolicy": "Sometimes"},
            skipped_rules(
                'spec.digestReflectionPolicy: Unsupported value: "Sometimes": supported values: '
                '"Always", "IfNotPresent", "Never"'
            ),
        ),
        (
            {"digestReflectionPolicy": "Always", "interval": "5 minutes"},
            'spec.interval: Invalid value: "5 minutes": spec.interval in body should match '
            "'^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'",
        ),
    ],
    ids=[
        "no-repository-ref",
        "no-policy",
        "ref-without-name",
        "semver-without-range",
        "alphabetical-order",
        "numerical-order-upper-case",
        "digest-reflection-policy",
        "interval-pattern",
    ],
)
def test_the_schema_refuses_invalid_imagepolicies(
    env: Environment, installed: Result, change: dict[str, Any], cause: str
) -> None:
    obj = image_policy(env.new_namespace("pol"), "bad")
    for key, value in change.items():
        if value is None:
            del obj["spec"][key]
        else:
            obj["spec"][key] = value
    refused = post(env, obj)
    assert refused.status_code == 422, refused.text
    assert refused.json()["message"] == f'ImagePolicy.{GROUP} "bad" is invalid: {cause}'


def test_kubectl_prints_the_cel_message_when_it_refuses_an_object(
    env: Environment, installed: Result
) -> None:
    namespace = env.new_namespace("pol")
    manifest = (
        f"apiVersion: {GROUP}/v1\nkind: ImagePolicy\nmetadata:\n  name: bad\n  namespace: {namespace}\n"
        "spec:\n  imageRepositoryRef:\n    name: app\n  policy:\n    semver:\n      range: 1.x\n"
        "  digestReflectionPolicy: Always\n"
    )
    done = kubectl(env, "create", "-f", "-", stdin=manifest)
    assert done.returncode == 1
    assert done.stderr == (
        'The ImagePolicy "bad" is invalid: spec: Invalid value: '
        "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'\n"
    )


@pytest.mark.parametrize("resource", ["imagepolicies", "imagepolicy", "imgpol", "imagepol"])
def test_kubectl_get_by_plural_singular_and_short_names_prints_the_printer_columns(
    env: Environment, installed: Result, resource: str
) -> None:
    namespace = env.new_namespace("pol")
    created = post(env, image_policy(namespace, "podinfo"))
    assert created.status_code == 201, created.text
    env.plane.request(
        "PATCH",
        f"/apis/{GROUP}/v1/namespaces/{namespace}/imagepolicies/podinfo/status",
        {"status": ready_status("ghcr.io/stefanprodan/podinfo", "5.1.4")},
        content_type="application/merge-patch+json",
    )
    done = kubectl(env, "get", resource, "-n", namespace)
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.splitlines()
    assert header.split() == ["NAME", "IMAGE", "TAG", "READY", "STATUS", "AGE"]
    assert row.split()[:-1] == [
        "podinfo",
        "ghcr.io/stefanprodan/podinfo",
        "5.1.4",
        "True",
        *["Latest", "image", "tag", "for", "ghcr.io/stefanprodan/podinfo", "resolved", "to", "5.1.4"],
    ]


def test_kubectl_get_of_the_fluxcd_images_category_lists_policies_and_repositories(
    env: Environment, installed: Result
) -> None:
    namespace = env.new_namespace("pol")
    assert post(env, image_policy(namespace, "podinfo")).status_code == 201
    env.plane.request(
        "POST",
        f"/apis/{GROUP}/v1/namespaces/{namespace}/imagerepositories",
        {
            "apiVersion": f"{GROUP}/v1",
            "kind": "ImageRepository",
            "metadata": {"name": "app", "namespace": namespace},
            "spec": {"image": "ghcr.io/example/app", "interval": "5m"},
        },
    )
    done = kubectl(env, "get", "fluxcd-images", "-n", namespace, "-o", "name")
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.splitlines()) == [
        f"imagepolicy.{GROUP}/podinfo",
        f"imagerepository.{GROUP}/app",
    ]


def test_a_v1beta2_imagepolicy_is_served_with_a_deprecation_warning(
    env: Environment, installed: Result
) -> None:
    namespace = env.new_namespace("pol")
    obj = image_policy(namespace, "old", suspend=True)
    obj["apiVersion"] = f"{GROUP}/v1beta2"
    created = post(env, obj, version="v1beta2")
    assert created.status_code == 201, created.text
    assert "v1beta2 ImagePolicy is deprecated, upgrade to v1" in created.headers.get("Warning", "")
    stored = env.plane.request("GET", f"/apis/{GROUP}/v1/namespaces/{namespace}/imagepolicies/old")
    assert stored["apiVersion"] == f"{GROUP}/v1"
    assert stored["spec"]["suspend"] is True
    assert stored["spec"]["digestReflectionPolicy"] == "Never"


def test_kubectl_warns_when_it_reads_a_v1beta2_imagepolicy(env: Environment, installed: Result) -> None:
    namespace = env.new_namespace("pol")
    assert post(env, image_policy(namespace, "podinfo")).status_code == 201
    done = kubectl(env, "get", f"imagepolicies.v1beta2.{GROUP}", "podinfo", "-n", namespace, "-o", "name")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"imagepolicy.{GROUP}/podinfo\n"
    assert done.stderr == "Warning: v1beta2 ImagePolicy is deprecated, upgrade to v1\n"
