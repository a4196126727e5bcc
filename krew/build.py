"""Build kubectl-imagerepo's krew archives and manifest.

python krew/build.py local [--dist DIR]
    The one-folder build of this machine's platform (PyInstaller: the executable and `_internal/`),
    its archive `kubectl-imagerepo_<os>_<arch>.tar.gz` (`.zip` on Windows) and DIR/imagerepo.yaml:
    the manifest with that archive's sha256 and a file:// URI, for
    `kubectl krew install --manifest --archive`.
python krew/build.py archive [--dist DIR]
    Only the build and its archive (the release workflow, once per platform).
python krew/build.py manifest --version vX.Y.Z --base-url URL --archives DIR --out FILE
    The manifest of a release: every platform's URI under URL and the sha256 of its archive in DIR.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import platform
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "krew" / "imagerepo.yaml"
SPEC = ROOT / "krew" / "kubectl-imagerepo.spec"
NAME = "kubectl-imagerepo"
# The folder of the interpreter, the libraries and the byte code, beside the executable (the spec's
# `contents_directory`).
CONTENTS = "_internal"


def this_platform() -> tuple[str, str]:
    """krew's (os, arch) of this machine: linux|darwin|windows, amd64|arm64."""
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "windows"}[platform.system()]
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[machine]
    return system, arch


def archive_name(os_name: str, arch: str) -> str:
    suffix = "zip" if os_name == "windows" else "tar.gz"
    return f"{NAME}_{os_name}_{arch}.{suffix}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_folder(work: Path) -> Path:
    """The one-folder build of krew/kubectl-imagerepo.spec: the executable and `_internal/` in one folder."""
    dist = work / "pyinstaller-dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work / "pyinstaller"),
            str(SPEC),
        ],
        check=True,
        cwd=ROOT,
    )
    folder = dist / NAME
    found = [p for p in folder.iterdir() if p.name in (NAME, NAME + ".exe")] if folder.is_dir() else []
    if len(found) != 1 or not (folder / CONTENTS).is_dir():
        raise SystemExit(f"PyInstaller left no {NAME} executable and {CONTENTS}/ in {folder}")
    return folder


def archive_members(folder: Path) -> list[tuple[Path, str]]:
    """(file on disk, name in the archive) of every regular file of `folder` and LICENSE, sorted.

    krew unpacks regular files and directories only (a symbolic link in a tar fails its install, one
    in a zip becomes a text file), so a link is stored as a copy of what it points to.
    """
    members = [(ROOT / "LICENSE", "LICENSE")]
    for directory, _, files in os.walk(folder, followlinks=True):
        for name in files:
            path = Path(directory) / name
            members.append((path, path.relative_to(folder).as_posix()))
    return sorted(members, key=lambda member: member[1])


def pack(folder: Path, out: Path) -> Path:
    """The archive krew unpacks: the executable, `_internal/` and LICENSE at its top level."""
    out.parent.mkdir(parents=True, exist_ok=True)
    members = archive_members(folder)
    refused = [name for _, name in members if ".." in name]  # krew refuses any name holding ".."
    if refused:
        raise SystemExit(f"krew would refuse the archive for these names: {refused}")
    if out.name.endswith(".zip"):
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path, name in members:
                archive.write(path, name)
    else:
        with tarfile.open(out, "w:gz") as archive:
            for path, name in members:
                info = archive.gettarinfo(str(path.resolve()), name)
                with path.open("rb") as stream:
                    archive.addfile(info, stream)
    return out


def render(
    template: dict[str, Any], version: str, uris: dict[tuple[str, str], str], sums: dict[tuple[str, str], str]
) -> dict[str, Any]:
    """The template with `version`, and the platforms of `uris` with their URI and sha256 (no others)."""
    manifest = copy.deepcopy(template)
    manifest["spec"]["version"] = version
    platforms = []
    for entry in manifest["spec"]["platforms"]:
        labels = entry["selector"]["matchLabels"]
        key = (labels["os"], labels["arch"])
        if key in uris:
            platforms.append({**entry, "uri": uris[key], "sha256": sums[key]})
    manifest["spec"]["platforms"] = platforms
    return manifest


def version_tag() -> str:
    sys.path.insert(0, str(ROOT))
    from kubectl_imagerepo import __version__

    return f"v{__version__}"


def write_manifest(manifest: dict[str, Any], out: Path) -> None:
    out.write_text(yaml.safe_dump(manifest, sort_keys=False, default_flow_style=False), encoding="utf-8")


def build_archive(dist: Path) -> Path:
    os_name, arch = this_platform()
    folder = build_folder(ROOT / "build")
    return pack(folder, dist / archive_name(os_name, arch))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("local", "archive"):
        sub = commands.add_parser(name)
        sub.add_argument("--dist", type=Path, default=ROOT / "dist")
    release = commands.add_parser("manifest")
    release.add_argument("--version", required=True)
    release.add_argument("--base-url", required=True)
    release.add_argument("--archives", type=Path, required=True)
    release.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    template = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))

    if args.command in ("local", "archive"):
        archive = build_archive(args.dist.resolve())
        print(archive)
        if args.command == "local":
            key = this_platform()
            manifest = render(template, version_tag(), {key: archive.as_uri()}, {key: sha256_of(archive)})
            write_manifest(manifest, args.dist.resolve() / "imagerepo.yaml")
            print(args.dist.resolve() / "imagerepo.yaml")
        return

    uris, sums = {}, {}
    for entry in template["spec"]["platforms"]:
        labels = entry["selector"]["matchLabels"]
        key = (labels["os"], labels["arch"])
        name = archive_name(*key)
        uris[key] = f"{args.base_url.rstrip('/')}/{name}"
        sums[key] = sha256_of(args.archives / name)
    write_manifest(render(template, args.version, uris, sums), args.out)


if __name__ == "__main__":
    main()
