"""`tags`: the stored tags of an object, queried as an ImagePolicy would, scanning first when needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.commands.cmdutil import repository_scan as scan
from kubectl_imagerepo.commands.tags import TagsOptions
from kubectl_imagerepo.model.errors import CommandError, InputError
from kubectl_imagerepo.reconcile.reconciler import Result
from kubectl_imagerepo.store.database import ObjectKey, TagStore
from tests.unit.commands.fakes import FakeKube, captured, factory, repository


def stored(database: Path, tags: list[str]) -> None:
    with TagStore(database) as store:
        store.write(
            ObjectKey("uid-app", "ns", "app"),
            canonical_name="registry.invalid/app",
            tags=tags,
            revision="123",
            scan_time="2026-01-01T00:00:00Z",
        )


def tags(kube: FakeKube, database: Path, **flags: Any) -> tuple[int, str, str]:
    options = TagsOptions.complete(factory(kube), name="app", database=database, **flags)
    options.validate()
    streams, out, err = captured()
    return options.run(kube, streams), out.getvalue(), err.getvalue()


def test_a_bad_semver_range_is_a_usage_error() -> None:
    with pytest.raises(InputError, match="error:"):
        TagsOptions.complete(factory(FakeKube()), name="app", version_range="not a range")


def test_the_stored_tags_print_one_a_line(tmp_path: Path) -> None:
    stored(tmp_path / "db", ["latest", "1.0.0", "1.1.0"])
    assert tags(FakeKube(repository("app")), tmp_path / "db") == (0, "latest\n1.0.0\n1.1.0\n", "")


def test_semver_sorting_and_a_limit_pick_what_a_policy_would(tmp_path: Path) -> None:
    stored(tmp_path / "db", ["latest", "1.0.0", "1.10.0", "1.2.0"])
    code, out, _ = tags(FakeKube(repository("app")), tmp_path / "db", sort="semver", limit=2)
    assert (code, out) == (0, "1.10.0\n1.2.0\n")


def test_json_output_is_a_taglist(tmp_path: Path) -> None:
    stored(tmp_path / "db", ["1.0.0"])
    code, out, _ = tags(FakeKube(repository("app")), tmp_path / "db", output="json")
    assert code == 0
    assert json.loads(out)["tags"] == ["1.0.0"]


def test_without_a_stored_scan_the_object_is_reconciled_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake(obj: Any, **_: Any) -> Result:
        stored(tmp_path / "db", ["2.0.0"])
        return Result(
            obj=dict(obj),
            ready=True,
            stalled=False,
            suspended=False,
            message="",
            tag_count=1,
            requeue_after_ns=None,
            error=None,
            scanned=True,
        )

    monkeypatch.setattr(scan, "run_reconcile", fake)
    code, out, err = tags(FakeKube(repository("app")), tmp_path / "db")
    assert (code, out) == (0, "2.0.0\n")
    assert err.splitlines()[-1] == "✔ scan fetched 1 tags"


def test_a_failed_first_scan_is_the_exit_code(tmp_path: Path) -> None:
    code, out, err = tags(FakeKube(), tmp_path / "db")
    assert (code, out) == (1, "")
    assert "not found" in err


def test_a_numeric_sort_of_non_numbers_is_an_error(tmp_path: Path) -> None:
    stored(tmp_path / "db", ["latest"])
    with pytest.raises(CommandError, match="--sort numeric"):
        tags(FakeKube(repository("app")), tmp_path / "db", sort="numeric")


def image_policy(name: str, repository: str = "app", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {"imageRepositoryRef": {"name": repository}, **spec},
    }


SEMVER_POLICY = image_policy("pol", policy={"semver": {"range": "^1.0"}})


def test_a_policy_lists_its_candidates_in_its_order(tmp_path: Path) -> None:
    stored(tmp_path / "db", ["latest", "1.0.0", "1.10.0", "1.2.0", "2.0.0"])
    kube = FakeKube(repository("app"), SEMVER_POLICY)
    assert tags(kube, tmp_path / "db", policy="pol") == (0, "1.10.0\n1.2.0\n1.0.0\n", "")


def test_a_policy_with_a_limit_of_one_prints_its_pick(tmp_path: Path) -> None:
    stored(tmp_path / "db", ["1.0.0", "1.10.0", "1.2.0"])
    kube = FakeKube(repository("app"), SEMVER_POLICY)
    assert tags(kube, tmp_path / "db", policy="pol", limit=1) == (0, "1.10.0\n", "")


def test_a_policy_that_picks_nothing_is_the_controllers_error(tmp_path: Path) -> None:
    stored(tmp_path / "db", ["latest"])
    kube = FakeKube(repository("app"), SEMVER_POLICY)
    with pytest.raises(CommandError) as error:
        tags(kube, tmp_path / "db", policy="pol")
    assert (
        str(error.value) == "error: ImagePolicy ns/pol: unable to determine latest version from provided list"
    )


def test_a_policy_of_another_repository_names_its_reference(tmp_path: Path) -> None:
    stored(tmp_path / "db", ["1.0.0"])
    kube = FakeKube(repository("app"), image_policy("pol", "web", policy={"semver": {"range": "*"}}))
    with pytest.raises(CommandError) as error:
        tags(kube, tmp_path / "db", policy="pol")
    assert str(error.value) == (
        "error: ImagePolicy ns/pol: spec.imageRepositoryRef: references ImageRepository ns/web, not ns/app"
    )


def test_explain_prints_one_line_about_the_tag(tmp_path: Path) -> None:
    stored(tmp_path / "db", ["1.0.0", "1.10.0", "2.0.0"])
    kube = FakeKube(repository("app"), SEMVER_POLICY)
    code, out, _ = tags(kube, tmp_path / "db", policy="pol", explain="2.0.0")
    assert (code, out) == (0, "'2.0.0' is outside the range '^1.0'\n")


def test_explain_tells_a_tag_the_repositorys_exclusion_list_kept_out(tmp_path: Path) -> None:
    stored(tmp_path / "db", ["1.0.0"])
    kube = FakeKube(repository("app", exclusionList=["^dev-"]), SEMVER_POLICY)
    code, out, _ = tags(kube, tmp_path / "db", policy="pol", explain="dev-1")
    assert (code, out) == (0, "'dev-1' is excluded by the repository's exclusion list ('^dev-')\n")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"policy": "pol", "sort": "semver"}, "error: --sort cannot be combined with --policy"),
        ({"policy": "pol", "order": "desc"}, "error: --order cannot be combined with --policy"),
        ({"policy": "pol", "pattern": "x"}, "error: --filter cannot be combined with --policy"),
        ({"policy": "pol", "version_range": "*"}, "error: --semver cannot be combined with --policy"),
        ({"explain": "1.0.0"}, "error: --explain needs --policy"),
        (
            {"policy": "pol", "explain": "1.0.0", "output": "json"},
            "error: --output cannot be combined with --explain",
        ),
    ],
)
def test_flags_that_conflict_with_policy_or_explain_are_usage_errors(
    flags: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError) as error:
        TagsOptions.complete(factory(FakeKube()), name="app", **flags)
    assert str(error.value).startswith(message)
    assert error.value.exit_code == 2
