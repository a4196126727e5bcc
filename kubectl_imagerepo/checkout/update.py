"""The update step on a directory: walk, apply the setters, and (for apply) write changed files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kubectl_imagerepo.checkout.files import Candidate, Skipped, walk, write_atomically
from kubectl_imagerepo.model.automation.setters import Setter
from kubectl_imagerepo.model.automation.update import FileResult, YAMLSyntaxError, update_text


@dataclass(frozen=True)
class Problem:
    """A file with the token that kyaml cannot read (the controller skips it silently)."""

    relative: str
    line: int
    reason: str


@dataclass(frozen=True)
class DirectoryResult:
    """What the update step found and would write under one directory."""

    files: tuple[FileResult, ...]
    problems: tuple[Problem, ...]
    skipped: tuple[Skipped, ...]
    old_texts: Mapping[str, str]
    paths: Mapping[str, Path]


def update_directory(checkout: Path, start: Path, setters: Mapping[str, Setter]) -> DirectoryResult:
    """Run the update step on `start` (inside `checkout`) without writing anything."""
    files: list[FileResult] = []
    problems: list[Problem] = []
    skipped: list[Skipped] = []
    old: dict[str, str] = {}
    paths: dict[str, Path] = {}
    for item in walk(checkout, start):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        assert isinstance(item, Candidate)
        try:
            text = item.data.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(item.relative, 0, "not valid UTF-8"))
            continue
        if "\x00" in text:
            problems.append(Problem(item.relative, 0, "a binary file"))
            continue
        try:
            result = update_text(item.relative, text, setters)
        except YAMLSyntaxError as bad:
            problems.append(Problem(item.relative, bad.line, str(bad)))
            continue
        except RecursionError:
            problems.append(Problem(item.relative, 0, "nested too deeply"))
            continue
        files.append(result)
        old[item.relative] = text
        paths[item.relative] = item.path
    return DirectoryResult(tuple(files), tuple(problems), tuple(skipped), old, paths)


def write_changes(result: DirectoryResult) -> list[str]:
    """Write every changed file atomically; the relative paths written, in order."""
    written: list[str] = []
    for file in result.files:
        if file.new_text is None:
            continue
        write_atomically(result.paths[file.path], file.new_text.encode("utf-8"))
        written.append(file.path)
    return written
