"""`kubectl imagerepo tags` against the real API server and registries, with a 100k-tag repository.

The repository is scanned once through the plugin; each listing is compared with a reference computed
here from the seeded tags with plain Python (semver ranges with hand-written expected lists).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import Plugin, Result, create, image_repository
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e


def mixed_tags() -> list[str]:
    """100 000 distinct tags: versions, v-prefixed prereleases, numbers and other names."""
    versions = [f"{i // 2000}.{(i // 100) % 20}.{i % 100}" for i in range(20_000)]
    prereleases = [f"v{10 + i // 1000}.{(i // 10) % 100}.{i % 10}-rc.1" for i in range(10_000)]
    numbers = [str(i) for i in range(30_000)] + [f"{i}.5" for i in range(10_000)]
    others = [f"main-{i:05d}" for i in range(15_000)]
    others += [f"sha-{hashlib.sha1(str(i).encode()).hexdigest()[:12]}" for i in range(15_000)]
    tags = versions + prereleases + numbers + others
    assert len(set(tags)) == 100_000
    return tags


@dataclass(frozen=True)
class Scanned:
    """The big repository after one scan: how to list its tags, and what was seeded."""

    plugin: Plugin
    namespace: str
    database: Path
    image: str
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
    namespace = env.new_namespace()
    database = tmp_path_factory.mktemp("tags") / "tags.sqlite3"
    plugin = Plugin(env, env.plane.admin_kubeconfig)
    tags = mixed_tags()
    env.legacy_registry.seed(f"{namespace}/big", tags)
    image = f"{env.legacy_registry.host}/{namespace}/big"
    create(env, image_repository(namespace, "big", image))
    scan = plugin("reconcile", "big", "-n", namespace, "--database", str(database), timeout=300)
    assert scan.code == 0, scan.stderr
    assert scan.stderr.splitlines()[-1] == "✔ scan fetched 100000 tags"
    yield Scanned(plugin, namespace, database, image, tags)


def test_tags_lists_every_stored_tag_in_stored_order(big: Scanned) -> None:
    assert big.lines() == sorted(big.tags, reverse=True)


def test_alpha_sort_lists_the_highest_bytes_first(big: Scanned) -> None:
    assert big.lines("--sort", "alpha") == sorted(big.tags, reverse=True)


def test_alpha_sort_with_desc_order_lists_the_lowest_bytes_first(big: Scanned) -> None:
    assert big.lines("--sort", "alpha", "--order", "desc") == sorted(big.tags)


def test_numeric_sort_of_the_numbers_lists_the_highest_value_first(big: Scanned) -> None:
    numbers = [tag for tag in big.tags if re.fullmatch(r"[0-9]+(\.[0-9]+)?", tag)]
    expected = sorted(numbers, key=float, reverse=True)
    assert big.lines("--filter", r"^[0-9]+(\.[0-9]+)?$", "--sort", "numeric") == expected


def test_numeric_sort_with_desc_order_and_limit_lists_the_lowest_values(big: Scanned) -> None:
    lines = big.lines("--filter", r"^[0-9]+(\.5)?$", "--sort", "numeric", "--order", "desc", "--limit", "5")
    assert lines == ["0", "0.5", "1", "1.5", "2"]


def test_numeric_sort_of_tags_that_are_no_numbers_fails_as_flux(big: Scanned) -> None:
    result = big("--sort", "numeric")
    assert result.code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        r"error: --sort numeric: failed to parse invalid numeric value '[^']+'\n", result.stderr
    )


def test_filter_keeps_the_tags_the_pattern_matches_anywhere(big: Scanned) -> None:
    pattern = re.compile(r"main-0+12")
    expected = [tag for tag in sorted(big.tags, reverse=True) if pattern.search(tag)]
    assert big.lines("--filter", r"main-0+12") == expected


def test_semver_range_lists_the_allowed_versions_highest_first(big: Scanned) -> None:
    assert big.lines("--semver", "~9.19.97") == ["9.19.99", "9.19.98", "9.19.97"]


def test_semver_wildcard_range_with_limit(big: Scanned) -> None:
    assert big.lines("--semver", "1.x", "--limit", "3") == ["1.19.99", "1.19.98", "1.19.97"]


def test_semver_range_naming_a_prerelease_includes_prereleases(big: Scanned) -> None:
    expected = ["v19.99.9-rc.1", "v19.99.8-rc.1", "v19.99.7-rc.1"]
    assert big.lines("--semver", ">=19.99.7-0") == expected


def test_semver_range_without_a_prerelease_skips_prereleases(big: Scanned) -> None:
    assert big.lines("--semver", ">=9.19.98") == ["9.19.99", "9.19.98"]


def test_semver_hyphen_range_with_desc_order_lists_the_lowest_first(big: Scanned) -> None:
    assert big.lines("--semver", "0.0.1 - 0.0.3", "--order", "desc") == ["0.0.1", "0.0.2", "0.0.3"]


def test_semver_sort_ranks_every_version_and_skips_other_tags(big: Scanned) -> None:
    lines = big.lines("--sort", "semver")
    assert len(lines) == 30_000
    assert lines[:2] == ["v19.99.9-rc.1", "v19.99.8-rc.1"]
    assert lines[-3:] == ["0.0.2", "0.0.1", "0.0.0"]


def test_output_json_is_a_versioned_tag_list(big: Scanned, env: Environment) -> None:
    result = big("-o", "json", "--filter", "^main-")
    assert result.code == 0, result.stderr
    listing: dict[str, Any] = json.loads(result.stdout)
    obj = env.plane.request(
        "GET", f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{big.namespace}/imagerepositories/big"
    )
    scan = obj["status"]["lastScanResult"]
    assert {k: v for k, v in listing.items() if k != "tags"} == {
        "apiVersion": "imagerepo.kubectl-plugin/v1alpha1",
        "kind": "TagList",
        "metadata": {"name": "big", "namespace": big.namespace},
        "canonicalImageName": big.image,
        "revision": scan["revision"],
        "scanTime": listing["scanTime"],
    }
    assert listing["scanTime"]
    assert listing["tags"] == sorted((t for t in big.tags if t.startswith("main-")), reverse=True)


def test_output_yaml_holds_the_same_tag_list(big: Scanned) -> None:
    result = big("-o", "yaml", "--sort", "numeric", "--filter", "^[0-9]+$", "--limit", "3")
    assert result.code == 0, result.stderr
    listing = yaml.safe_load(result.stdout)
    assert listing["kind"] == "TagList"
    assert listing["tags"] == ["29999", "29998", "29997"]


def test_output_name_prefixes_each_tag_with_the_image(big: Scanned) -> None:
    assert big.lines("-o", "name", "--semver", "~9.19.99") == [f"{big.image}:9.19.99"]


def test_bad_semver_range_exits_2_naming_the_flag(big: Scanned) -> None:
    result = big("--semver", ">=1.0 ||")
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr == "error: --semver: invalid range '>=1.0 ||': improper constraint: \"\"\n"


def test_bad_filter_exits_2_naming_the_flag(big: Scanned) -> None:
    result = big("--filter", "a(")
    assert result.code == 2
    assert result.stderr.startswith("error: --filter: invalid regular expression pattern 'a(': ")


def test_order_without_a_sort_exits_2(big: Scanned) -> None:
    result = big("--order", "asc")
    assert (result.code, result.stderr) == (2, "error: --order: needs --sort (or --semver)\n")


def test_tags_of_an_object_never_scanned_scans_it_first(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    env.registry.seed(f"{namespace}/app", ["1.0.0", "1.1.0", "latest"])
    create(env, image_repository(namespace, "app", f"{env.registry.host}/{namespace}/app"))
    result = plugin("tags", "app", "-n", namespace, "--database", str(tmp_path / "db.sqlite3"))
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == ["latest", "1.1.0", "1.0.0"]
    assert result.stderr.splitlines()[-1] == "✔ scan fetched 3 tags"


def test_tags_with_scan_rescans_an_object_already_stored(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    database = str(tmp_path / "db.sqlite3")
    env.registry.seed(f"{namespace}/app", ["1.0.0"])
    create(env, image_repository(namespace, "app", f"{env.registry.host}/{namespace}/app"))
    assert plugin("tags", "app", "-n", namespace, "--database", database).stdout == "1.0.0\n"
    env.registry.seed(f"{namespace}/app", ["2.0.0"])
    stored = plugin("tags", "app", "-n", namespace, "--database", database)
    assert (stored.stdout, stored.stderr) == ("1.0.0\n", "")
    rescanned = plugin("tags", "app", "-n", namespace, "--database", database, "--scan")
    assert rescanned.code == 0, rescanned.stderr
    assert rescanned.stdout == "2.0.0\n1.0.0\n"
    assert rescanned.stderr.splitlines()[-1] == "✔ scan fetched 2 tags"


def test_tags_of_a_missing_object_fails_with_not_found(
    plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    result = plugin("tags", "nothing", "-n", namespace, "--database", str(tmp_path / "db.sqlite3"))
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr == '✗ imagerepositories.image.toolkit.fluxcd.io "nothing" not found\n'
