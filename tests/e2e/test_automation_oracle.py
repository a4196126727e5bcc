"""The update step against image-automation-controller v1.2.0's own update package, on a corpus.

The corpus (tests/automation_corpus/tree) is copied twice; the controller's package (built by
hack/oracle.sh) updates one copy, the plugin's engine the other. Every file must come out byte-equal
and the change lists must be the same.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.checkout.update import DirectoryResult, update_directory, write_changes
from kubectl_imagerepo.model.automation.setters import setters_for
from tests.harness.automation_oracle import run_oracle

pytestmark = pytest.mark.e2e

CORPUS = Path(__file__).resolve().parents[1] / "automation_corpus"
TREE = CORPUS / "tree"
POLICIES: list[dict[str, Any]] = json.loads((CORPUS / "policies.json").read_text())
FILES = sorted(
    str(p.relative_to(TREE)) for p in TREE.rglob("*") if p.is_file() and not p.is_symlink()
)


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, list[dict[str, Any]], DirectoryResult]:
    oracle_dir = tmp_path_factory.mktemp("oracle")
    ours_dir = tmp_path_factory.mktemp("ours")
    shutil.copytree(TREE, oracle_dir, dirs_exist_ok=True, symlinks=True)
    shutil.copytree(TREE, ours_dir, dirs_exist_ok=True, symlinks=True)
    oracle_changes = run_oracle(oracle_dir, POLICIES)
    result = update_directory(ours_dir, ours_dir, setters_for(POLICIES))
    write_changes(result)
    return oracle_dir, ours_dir, oracle_changes, result


def _as_oracle_list(result: DirectoryResult) -> list[dict[str, Any]]:
    changes = [
        {
            "file": change.file,
            "object": {
                "apiVersion": change.object.api_version,
                "kind": change.object.kind,
                "namespace": change.object.namespace,
                "name": change.object.name,
            },
            "old": change.old,
            "new": change.new,
            "setter": change.setter,
        }
        for file in result.files
        for change in file.changes
    ]
    return sorted(
        changes,
        key=lambda c: (
            c["file"],
            "\0".join(c["object"][k] for k in ("apiVersion", "kind", "namespace", "name")),
        ),
    )


def test_corpus_is_large_enough() -> None:
    assert len(FILES) >= 40


@pytest.mark.parametrize("relative", FILES)
def test_file_comes_out_byte_equal_to_the_controllers(relative: str, outcomes: Any) -> None:
    oracle_dir, ours_dir, _, _ = outcomes
    assert (ours_dir / relative).read_bytes() == (oracle_dir / relative).read_bytes()


def test_no_file_appears_that_the_controller_did_not_write(outcomes: Any) -> None:
    oracle_dir, ours_dir, _, _ = outcomes
    listing = lambda root: sorted(str(p.relative_to(root)) for p in root.rglob("*"))  # noqa: E731
    assert listing(ours_dir) == listing(oracle_dir)


def test_change_list_equals_the_controllers(outcomes: Any) -> None:
    _, _, oracle_changes, result = outcomes
    assert _as_oracle_list(result) == oracle_changes
    assert len(oracle_changes) > 20
