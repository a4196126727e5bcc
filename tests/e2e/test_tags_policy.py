"""`kubectl imagerepo tags REPO --policy NAME [--explain TAG]` against the real API server and registry.

A 10k-tag repository is scanned once through the plugin; ImagePolicies are created in the cluster after
`install`. Each listing is compared with a ranking computed here with plain Python from the seeded
tags (sorted tuples and integers), and each `--explain` with its hand-written line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Plugin, Result, create, image_repository
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e

GROUP = "image.toolkit.fluxcd.io"
RANGE = ">=2.0.0 <5.0.0"
SEMVER_WORDS = f"semver range '{RANGE}' (the highest version in range)"
BUILD_PATTERN = "^build-(?P<n>[0-9]+)$"


def seeded_tags() -> list[str]:
    """10 000 distinct tags: releases, prereleases, unpadded build numbers and branch names."""
    releases = [f"{a}.{b}.{c}" for a in range(10) for b in range(10) for c in range(50)]
    prereleases = [f"{a}.{b}.1-rc.{n}" for a in range(10) for b in range(10) for n in range(10)]
    builds = [f"build-{i}" for i in range(1500)]
    branches = [f"main-{i:05d}" for i in range(2500)]
    tags = releases + prereleases + builds + branches
    assert len(set(tags)) == 10_000
    return tags


# Tags the default exclusion list (`^.*\.sig$`) keeps out of the database.
SIGNATURES = ["1.0.0.sig", "sha256-abc.sig"]


def release_key(tag: str) -> tuple[int, int, int]:
    major, minor, patch = tag.split(".")
    return int(major), int(minor), int(patch)


def expected_semver(tags: list[str]) -> list[str]:
    """The releases 2.0.0 <= v < 5.0.0, highest first; prereleases are outside a range naming none."""
    releases = [tag for tag in tags if tag.count(".") == 2 and "-" not in tag]
    return sorted(
        (tag for tag in releases if (2, 0, 0) <= release_key(tag) < (5, 0, 0)), key=release_key, reverse=True
    )


def expected_builds(tags: list[str]) -> list[str]:
    """`build-N` by N, highest first (numerical asc over the extracted numbers)."""
    builds = [tag for tag in tags if tag.startswith("build-")]
    return sorted(builds, key=lambda tag: int(tag.removeprefix("build-")), reverse=True)


def image_policy(namespace: str, name: str, repository: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"imageRepositoryRef": {"name": repository}, **spec},
    }


def create_policy(env: Environment, policy: dict[str, Any]) -> None:
    namespace = policy["metadata"]["namespace"]
    env.plane.request("POST", f"/apis/{GROUP}/v1/namespaces/{namespace}/imagepolicies", policy)


@dataclass(frozen=True)
class Scanned:
    """The repository `big` after one scan, with the policies `semver`, `builds` and `elsewhere`."""

    env: Environment
    plugin: Plugin
    namespace: str
    database: Path
    tags: list[str]

    def __call__(self, *args: str, name: str = "big") -> Result:
        return self.plugin(
            "tags", name, "-n", self.namespace, "--database", str(self.database), *args, timeout=120
        )

    def lines(self, *args: str) -> list[str]:
        result = self(*args)
        assert result.code == 0, result.stderr
        return result.stdout.splitlines()


@pytest.fixture(scope="module")
def big(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scanned]:
    plugin = Plugin(env, env.plane.admin_kubeconfig)
    installed = plugin("install", timeout=120)
    assert installed.code == 0, installed.stderr
    namespace = env.new_namespace()
    database = tmp_path_factory.mktemp("tags-policy") / "tags.sqlite3"
    tags = seeded_tags()
    env.legacy_registry.seed(f"{namespace}/big", tags + SIGNATURES)
    create(env, image_repository(namespace, "big", f"{env.legacy_registry.host}/{namespace}/big"))
    create(env, image_repository(namespace, "other", f"{env.legacy_registry.host}/{namespace}/other"))
    # Scanned before the policies exist, so that the scan is all `reconcile` does here.
    scan = plugin("reconcile", "big", "-n", namespace, "--database", str(database), timeout=300)
    assert scan.code == 0, scan.stderr
    assert scan.stderr.splitlines()[-1] == "✔ scan fetched 10000 tags"
    create_policy(env, image_policy(namespace, "semver", "big", policy={"semver": {"range": RANGE}}))
    create_policy(
        env,
        image_policy(
            namespace,
            "builds",
            "big",
            policy={"numerical": {"order": "asc"}},
            filterTags={"pattern": BUILD_PATTERN, "extract": "$n"},
        ),
    )
    create_policy(env, image_policy(namespace, "elsewhere", "other", policy={"semver": {"range": "*"}}))
    yield Scanned(env, plugin, namespace, database, tags)


def test_a_semver_policy_lists_the_versions_in_range_highest_first(big: Scanned) -> None:
    assert big.lines("--policy", "semver") == expected_semver(big.tags)


def test_limit_one_is_the_policys_pick(big: Scanned) -> None:
    assert big.lines("--policy", "semver", "--limit", "1") == ["4.9.49"]


def test_a_numerical_policy_with_extract_ranks_by_the_extracted_number(big: Scanned) -> None:
    assert big.lines("--policy", "builds") == expected_builds(big.tags)


def test_json_output_is_a_taglist_in_the_policys_order(big: Scanned) -> None:
    result = big("--policy", "builds", "--limit", "3", "-o", "json")
    assert result.code == 0, result.stderr
    listed = json.loads(result.stdout)
    assert (listed["kind"], listed["tags"]) == ("TagList", ["build-1499", "build-1498", "build-1497"])


@pytest.mark.parametrize(
    ("policy", "tag", "line"),
    [
        ("semver", "4.9.49", f"'4.9.49' is the pick: {SEMVER_WORDS}"),
        ("semver", "1.0.0", f"'1.0.0' is outside the range '{RANGE}'"),
        (
            "semver",
            "3.1.1-rc.1",
            f"'3.1.1-rc.1' is outside the range '{RANGE}' "
            "(a prerelease only satisfies a range group that names a prerelease)",
        ),
        ("semver", "main-00001", "'main-00001' is not a version"),
        ("semver", "1.0.0.sig", "'1.0.0.sig' is excluded by the repository's exclusion list ('^.*\\.sig$')"),
        ("semver", "9.9.99", "'9.9.99' is not in the repository: its last scan stored no such tag"),
        ("builds", "main-00001", f"'main-00001' is dropped by the pattern '{BUILD_PATTERN}'"),
    ],
)
def test_explain_says_why_a_tag_is_or_is_not_the_pick(big: Scanned, policy: str, tag: str, line: str) -> None:
    assert big.lines("--policy", policy, "--explain", tag) == [line]


def test_explain_places_a_tag_below_the_pick_among_the_candidates(big: Scanned) -> None:
    expected = expected_semver(big.tags)
    place = expected.index("3.0.0") + 1
    line = f"'3.0.0' ranks below the pick '4.9.49' (candidate {place} of {len(expected)}; {SEMVER_WORDS})"
    assert big.lines("--policy", "semver", "--explain", "3.0.0") == [line]


def test_a_policy_of_another_repository_is_an_error_naming_the_reference(big: Scanned) -> None:
    result = big("--policy", "elsewhere")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: ImagePolicy {big.namespace}/elsewhere: spec.imageRepositoryRef: references ImageRepository "
        f"{big.namespace}/other, not {big.namespace}/big\n"
    )


def test_a_missing_policy_is_the_servers_not_found(big: Scanned) -> None:
    result = big("--policy", "nope")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == f'Error from server (NotFound): imagepolicies.{GROUP} "nope" not found\n'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--policy", "semver", "--sort", "alpha"), "--sort cannot be combined with --policy"),
        (("--explain", "1.0.0"), "--explain needs --policy"),
        (
            ("--policy", "semver", "--explain", "1.0.0", "--limit", "1"),
            "--limit cannot be combined with --explain",
        ),
    ],
)
def test_flags_the_policy_decides_are_a_usage_error(
    big: Scanned, args: tuple[str, ...], message: str
) -> None:
    result = big(*args)
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.splitlines()) == 1


def test_policy_names_are_completed_after_dash_dash_policy(big: Scanned) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kubectl_imagerepo.cli import complete; complete()",
            "tags",
            "big",
            "-n",
            big.namespace,
            "--policy",
            "",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**big.env.path_env(), "KUBECONFIG": str(big.env.plane.admin_kubeconfig)},
    )
    assert (done.returncode, done.stdout.splitlines()) == (0, ["builds", "elsewhere", "semver", ":4"])
