"""README's Architecture section matches the tree: what it names exists, and it names every package.

A name is a path ending in `/` (a folder) or `.py` (a module). One with a slash is read from the package
(`commands/table.py`) or, failing that, from the repository (`tests/unit/test_layers.py`); a bare module
(`get.py`) from the last folder named before it in the same line of the layers block or paragraph.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "kubectl_imagerepo"
README = ROOT / "README.md"

_NAME = re.compile(r"(?<![\w./<>-])((?:[\w.-]+/)+|(?:[\w-]+/)*\w+\.py)(?![\w/])")


def architecture_section(readme: str) -> str:
    """From `## Architecture` to the next section."""
    start = readme.index("## Architecture\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else len(readme)]


def units(section: str) -> list[str]:
    """The lines of the layers block, and the paragraphs around it: where a bare module's folder is read."""
    found: list[str] = []
    in_block = False
    for paragraph in section.split("\n\n"):
        for line in paragraph.splitlines():
            if line.startswith("```"):
                in_block = not in_block
            elif in_block:
                found.append(line)
        if not in_block and not paragraph.lstrip().startswith("```"):
            found.append(paragraph)
    return found


def named(section: str) -> list[tuple[str, list[Path]]]:
    """Every name of the section with the places it may be: (name, candidate paths)."""
    names: list[tuple[str, list[Path]]] = []
    for unit in units(section):
        folder = PACKAGE
        for name in _NAME.findall(unit):
            if "/" in name:
                places = [PACKAGE / name, ROOT / name]
                if name.endswith("/"):
                    folder = PACKAGE / name
            else:
                places = [folder / name, PACKAGE / name]
            names.append((name, places))
    return names


def missing_names(section: str) -> list[str]:
    """The names of the section that are neither a folder nor a module of the tree."""
    return [name for name, places in named(section) if not any(place.exists() for place in places)]


def packages(root: Path = PACKAGE) -> list[str]:
    """Every folder of the package that holds Python modules or package data, as `commands/policy/`."""
    return sorted(
        str(folder.relative_to(root)) + "/"
        for folder in root.rglob("*")
        if folder.is_dir() and folder.name != "__pycache__" and (folder / "__init__.py").exists()
    )


def unnamed_packages(section: str, root: Path = PACKAGE) -> list[str]:
    """The packages of the tree the section does not name."""
    mentioned = {name for name, _ in named(section) if name.endswith("/")}
    return [package for package in packages(root) if package not in mentioned]


def test_every_name_in_the_architecture_section_exists() -> None:
    assert missing_names(architecture_section(README.read_text(encoding="utf-8"))) == []


def test_every_package_of_the_tree_is_named_in_the_architecture_section() -> None:
    assert unnamed_packages(architecture_section(README.read_text(encoding="utf-8"))) == []


def test_a_module_that_is_not_there_is_reported() -> None:
    section = "## Architecture\n\n```\ncommands/   the commands: table.py and nosuch.py\n```\n"
    assert missing_names(section) == ["nosuch.py"]


def test_a_bare_module_is_read_from_the_folder_named_before_it() -> None:
    section = "## Architecture\n\n`registry/` has `tags.py` and `resume.py`.\n"
    assert missing_names(section) == ["resume.py"]


def test_a_package_the_section_leaves_out_is_reported() -> None:
    section = "## Architecture\n\n```\ncommands/   the commands\n```\n"
    assert "commands/policy/" in unnamed_packages(section)
    assert "commands/" not in unnamed_packages(section)
