"""One listing per identity, against the real API server and real registries.

Sharing is proven by what the registry was asked (a counting proxy in front of it): N objects of one
image and one access cost one listing; different credentials never share.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Plugin, create, image_repository
from tests.e2e.test_auth import (  # noqa: F401 - the module's registries fixture
    REPOSITORY,
    SecureRegistries,
    apply,
    pull_secret_manifest,
    registries,
    secret_manifest,
    unauthorized,
)
from tests.e2e.test_run import Runner, fetch, ready, wait_for
from tests.harness.environment import Environment
from tests.harness.faults import FaultProxy, status


def listings(proxy: FaultProxy, repository: str) -> int:
    """How many tag listings of `repository` reached the registry (first pages)."""
    return sum(1 for seen in proxy.seen if seen.path.startswith(f"/v2/{repository}/tags/list"))


def all_ready(env: Environment, objects: list[tuple[str, str]]) -> Callable[[], bool]:
    def check() -> bool:
        return all((ready(fetch(env, ns, name)) or {}).get("status") == "True" for ns, name in objects)

    return check


def start_run(env: Environment, database: Path, *args: str) -> Runner:
    return Runner(env, ["-A", "--database", str(database), *args], env.plane.admin_kubeconfig)


def test_objects_of_one_image_and_access_in_many_namespaces_cost_one_listing(
    env: Environment, tmp_path: Path
) -> None:
    namespaces = [env.new_namespace("share") for _ in range(4)]
    repository = f"{namespaces[0]}/shared"
    env.registry.seed(repository, ["1.0", "1.1", "2.0"])
    with FaultProxy(env.registry.host) as proxy:
        image = f"{proxy.host}/{repository}"
        objects = []
        for index, namespace in enumerate(namespaces):
            exclusions = {"exclusionList": ["^1\\.0$"]} if index == 0 else {}
            create(env, image_repository(namespace, "app", image, **exclusions))
            objects.append((namespace, "app"))
        runner = start_run(env, tmp_path / "db")
        try:
            wait_for(all_ready(env, objects), 60, "every object Ready")
        finally:
            runner.terminate()
        assert listings(proxy, repository) == 1
    statuses = [fetch(env, ns, name)["status"] for ns, name in objects]
    assert statuses[0]["lastScanResult"]["tagCount"] == 2  # its own exclusion list
    assert statuses[0]["observedExclusionList"] == ["^1\\.0$"]
    assert [s["lastScanResult"]["tagCount"] for s in statuses[1:]] == [3, 3, 3]
    assert len({s["lastScanResult"]["scanTime"] for s in statuses}) == 1  # the listing's time


def test_an_explicit_request_lists_afresh_and_serves_the_others(env: Environment, tmp_path: Path) -> None:
    namespace = env.new_namespace("share")
    repository = f"{namespace}/fresh"
    env.registry.seed(repository, ["1.0"])
    with FaultProxy(env.registry.host) as proxy:
        image = f"{proxy.host}/{repository}"
        for name in ("a", "b"):
            create(env, image_repository(namespace, name, image))
        runner = Runner(
            env, ["-n", namespace, "--database", str(tmp_path / "db")], env.plane.admin_kubeconfig
        )
        try:
            wait_for(all_ready(env, [(namespace, "a"), (namespace, "b")]), 60, "both Ready")
            assert listings(proxy, repository) == 1
            env.registry.seed(repository, ["2.0"])
            path = f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/imagerepositories/a"
            env.plane.request(
                "PATCH",
                path,
                {"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": str(time.time())}}},
                content_type="application/merge-patch+json",
            )
            wait_for(
                lambda: fetch(env, namespace, "a")["status"]["lastScanResult"]["tagCount"] == 2,
                30,
                "the requested rescan",
            )
        finally:
            runner.terminate()
        assert listings(proxy, repository) == 2


def test_a_failed_listing_is_not_kept_and_the_retry_lists_again(env: Environment, tmp_path: Path) -> None:
    namespace = env.new_namespace("share")
    repository = f"{namespace}/flaky"
    env.registry.seed(repository, ["1.0"])
    with FaultProxy(env.registry.host, status(503, times=1)) as proxy:
        create(env, image_repository(namespace, "app", f"{proxy.host}/{repository}"))
        runner = Runner(
            env,
            ["-n", namespace, "--database", str(tmp_path / "db"), "--min-retry-delay", "100ms"],
            env.plane.admin_kubeconfig,
        )
        try:
            wait_for(all_ready(env, [(namespace, "app")]), 60, "Ready after the retry")
        finally:
            runner.terminate()
        assert listings(proxy, repository) >= 2


def test_different_credentials_never_share_and_the_one_without_gets_the_401_every_time(
    env: Environment,
    registries: SecureRegistries,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    with_secret, without = env.new_namespace("priv"), env.new_namespace("anon")
    image = f"{registries.basic}/{REPOSITORY}"
    for namespace in (with_secret, without):
        apply(env, secret_manifest(namespace, "ca", {"ca.crt": registries.ca.cert_pem}))
    apply(env, pull_secret_manifest(with_secret, "pull", registries.basic))
    create(
        env,
        image_repository(
            with_secret, "app", image, secretRef={"name": "pull"}, certSecretRef={"name": "ca"}, interval="1m"
        ),
    )
    create(env, image_repository(without, "app", image, certSecretRef={"name": "ca"}, interval="1m"))
    runner = start_run(env, tmp_path / "db", "--min-retry-delay", "100ms", "--max-retry-delay", "200ms")
    try:
        wait_for(all_ready(env, [(with_secret, "app")]), 60, "the object with credentials Ready")

        def failures() -> list[dict[str, Any]]:
            return [r for r in runner.logs() if r.get("namespace") == without and r.get("level") == "error"]

        wait_for(lambda: len(failures()) >= 3, 60, "three failed reconciles of the object without")
    finally:
        runner.terminate()
    obj = fetch(env, without, "app")
    condition = ready(obj)
    assert condition is not None and condition["status"] == "False"
    assert condition["message"] == unauthorized(registries.basic)
    assert "lastScanResult" not in obj["status"]


def test_reconcile_all_lists_once_per_identity_says_so_and_describe_tells_it(
    env: Environment, plugin: Plugin, tmp_path: Path
) -> None:
    namespace = env.new_namespace("share")
    repository = f"{namespace}/cli"
    env.registry.seed(repository, ["1.0", "2.0"])
    database = tmp_path / "db"
    with FaultProxy(env.registry.host) as proxy:
        for name in ("a", "b", "c"):
            create(env, image_repository(namespace, name, f"{proxy.host}/{repository}"))
        done = plugin("reconcile", "--all", "-n", namespace, "--database", str(database))
        assert done.code == 0, done.stderr
        assert listings(proxy, repository) == 1
    assert done.stderr.splitlines()[-1] == "✔ 1 registry listing served 3 ImageRepository scans"
    described = plugin("describe", "a", "-n", namespace, "--database", str(database))
    assert described.code == 0, described.stderr
    line = next(line for line in described.stdout.splitlines() if line.strip().startswith("Last Scan:"))
    assert line.endswith("(one listing shared with 2 other objects)")
