"""The checkout walk of image-automation-controller's ScreeningLocalReader, and safe writes."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kubectl_imagerepo.model.automation.setters import TOKEN
from kubectl_imagerepo.model.errors import CommandError

MAX_FILE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Candidate:
    """A file the controller would parse: its path relative to the walk's root, and its bytes."""

    relative: str
    path: Path
    data: bytes


@dataclass(frozen=True)
class Skipped:
    """A file the walk leaves out, and why (a symlink leaving the checkout, binary, too large)."""

    relative: str
    reason: str


def secure_join(root: Path, sub: str) -> Path:
    """`sub` joined under `root` as filepath-securejoin does: `..` and symlinks cannot leave root."""
    root = root.resolve()
    path = root
    parts = list(Path(sub).parts)
    links = 0
    while parts:
        part = parts.pop(0)
        if part in ("", ".") or part == os.sep:
            continue
        if part == "..":
            path = path.parent if path != root else root
            continue
        candidate = path / part
        if not candidate.is_symlink():
            path = candidate
            continue
        links += 1
        if links > 255:
            raise CommandError(f"error: {sub}: too many levels of symbolic links")
        target = os.readlink(candidate)
        if os.path.isabs(target):
            path = root
        parts = [p for p in Path(target).parts if p != os.sep] + parts
    return path


def _inside(root: Path, path: Path) -> bool:
    return path == root or root in path.parents


def walk(checkout: Path, start: Path) -> Iterator[Candidate | Skipped]:
    """Files under `start` in filepath.Walk's order that the controller would read.

    `.yaml`/`.yml` or named `Kustomization`, containing the `"$imagepolicy"` token. Unlike the
    controller, a symlink resolving outside the checkout is refused rather than read (and written).
    """
    root = checkout.resolve()
    if start.is_file():
        base = start.parent
        entries: list[Path] = [start]
    else:
        base = start
        entries = []
    yield from _walk(root, base, entries or None)


def _walk(root: Path, base: Path, only: list[Path] | None) -> Iterator[Candidate | Skipped]:
    if only is not None:
        for file in only:
            yield from _candidate(root, base, file)
        return
    yield from _walk_dir(root, base, base)


def _walk_dir(root: Path, base: Path, directory: Path) -> Iterator[Candidate | Skipped]:
    try:
        names = sorted(os.listdir(directory), key=lambda n: n.encode())
    except OSError as bad:
        raise CommandError(f"error: walking path for files: {directory}: {bad.strerror}") from None
    for name in names:
        path = directory / name
        if stat.S_ISDIR(os.lstat(path).st_mode):
            yield from _walk_dir(root, base, path)
        else:
            yield from _candidate(root, base, path)


def _candidate(root: Path, base: Path, path: Path) -> Iterator[Candidate | Skipped]:
    name = path.name
    extension = name[name.rfind(".") :] if "." in name else ""  # Go's filepath.Ext
    if extension not in (".yaml", ".yml") and name != "Kustomization":
        return
    relative = os.path.relpath(path, base)
    is_link = path.is_symlink()
    if is_link and not _inside(root, path.resolve()):
        yield Skipped(relative, "a symbolic link to outside the checkout")
        return
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield Skipped(relative, f"larger than {MAX_FILE_BYTES} bytes")
            return
        data = path.read_bytes()
    except OSError as bad:
        if is_link:
            return
        raise CommandError(f"error: reading YAML file: {relative}: {bad.strerror}") from None
    if TOKEN.encode() not in data:
        return
    yield Candidate(relative, path, data)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` (followed if a symlink inside the checkout) by `data`, keeping its mode."""
    target = path.resolve()
    mode = stat.S_IMODE(target.stat().st_mode)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
