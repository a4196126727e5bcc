"""The checkout walk and writes: the controller's file choice, no escape from the checkout, atomic writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kubectl_imagerepo.checkout.files import Candidate, Skipped, secure_join, walk, write_atomically

MARKED = 'image: a:1 # {"$imagepolicy": "ns:p"}\n'


def names(found: list[Candidate | Skipped]) -> list[str]:
    return [item.relative for item in found]


def test_dot_dot_stops_at_the_checkout_root(tmp_path: Path) -> None:
    (tmp_path / "apps").mkdir()
    assert secure_join(tmp_path, "../../apps") == (tmp_path / "apps").resolve()


def test_a_symlink_out_of_the_checkout_resolves_inside_it(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "etc").mkdir(parents=True)
    (root / "link").symlink_to("/etc")
    assert secure_join(root, "link") == (root / "etc").resolve()


def test_only_yaml_yml_and_kustomization_files_with_the_token_are_read(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yml", "Kustomization", "c.txt", ".yaml"):
        (tmp_path / name).write_text(MARKED)
    (tmp_path / "d.yaml").write_text("image: a:1 # $imagepolicy without quotes\n")
    assert sorted(names(list(walk(tmp_path, tmp_path)))) == [".yaml", "Kustomization", "a.yaml", "b.yml"]


def test_nested_directories_are_walked_with_paths_relative_to_the_start(tmp_path: Path) -> None:
    (tmp_path / "apps" / "web").mkdir(parents=True)
    (tmp_path / "apps" / "web" / "deploy.yaml").write_text(MARKED)
    assert names(list(walk(tmp_path, tmp_path / "apps"))) == ["web/deploy.yaml"]


def test_a_symlinked_file_outside_the_checkout_is_refused_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(MARKED)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "linked.yaml").symlink_to(outside)
    found = list(walk(root, root))
    assert found == [Skipped("linked.yaml", "a symbolic link to outside the checkout")]


def test_a_symlinked_file_inside_the_checkout_is_read(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text(MARKED)
    (tmp_path / "linked.yaml").symlink_to(tmp_path / "real.yaml")
    assert sorted(names(list(walk(tmp_path, tmp_path)))) == ["linked.yaml", "real.yaml"]


def test_a_dangling_symlink_is_skipped_silently_as_the_controller_does(tmp_path: Path) -> None:
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    assert list(walk(tmp_path, tmp_path)) == []


def test_an_atomic_write_keeps_the_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    write_atomically(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["a.yaml"]


def test_writing_through_a_symlink_replaces_its_target(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text("old\n")
    (tmp_path / "linked.yaml").symlink_to(tmp_path / "real.yaml")
    write_atomically(tmp_path / "linked.yaml", b"new\n")
    assert (tmp_path / "linked.yaml").is_symlink()
    assert (tmp_path / "real.yaml").read_bytes() == b"new\n"
