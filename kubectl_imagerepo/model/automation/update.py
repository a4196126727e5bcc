"""The update step on file texts: markers found, setters applied, changed files re-serialised as kyaml.

Pure: the checkout walk and the writes are the caller's. Mirrors UpdateWithSetters: every marked
scalar whose setter exists gets the setter's value (and kyaml's quoting for values YAML 1.1 would not
read as strings); a file is rewritten, whole, only when one of its values changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kubectl_imagerepo.gocompat.yamlv3.kyaml import Document, read_documents, write_documents
from kubectl_imagerepo.gocompat.yamlv3.node import (
    DOCUMENT,
    DOUBLE_QUOTED,
    MAPPING,
    SCALAR,
    SEQUENCE,
    SINGLE_QUOTED,
    STR,
    Node,
)
from kubectl_imagerepo.gocompat.yamlv3.parse import YAMLSyntaxError
from kubectl_imagerepo.gocompat.yamlv3.resolve import is_yaml11_non_string
from kubectl_imagerepo.model.automation.setters import TOKEN, Setter, marker_setter


@dataclass(frozen=True)
class ObjectId:
    """kyaml's ResourceIdentifier of the document a change is in."""

    api_version: str
    kind: str
    namespace: str
    name: str


@dataclass(frozen=True)
class Change:
    """One changed value: where, from what to what, by which setter."""

    file: str
    object: ObjectId
    old: str
    new: str
    setter: str
    line: int


@dataclass(frozen=True)
class Marker:
    """A marked scalar: its file and line, the setter it names, its value now and what it becomes.

    `new` is None when no setter of that name exists (the controller leaves the value alone).
    """

    file: str
    line: int
    setter: str
    old: str
    new: str | None


@dataclass(frozen=True)
class Unread:
    """A comment that mentions the marker token but that kyaml does not read as a marker."""

    line: int
    valid_json: bool


@dataclass(frozen=True)
class FileResult:
    """One file read by the update step: its markers, its changes and, when changed, its new text."""

    path: str
    markers: tuple[Marker, ...]
    changes: tuple[Change, ...]
    new_text: str | None
    unread: tuple[Unread, ...] = ()


def object_id(root: Node) -> ObjectId:
    """apiVersion, kind, metadata.namespace and metadata.name of a document's root mapping."""

    def field(node: Node | None, name: str) -> Node | None:
        if node is None or node.kind != MAPPING:
            return None
        for i in range(0, len(node.content) - 1, 2):
            if node.content[i].value == name:
                return node.content[i + 1]
        return None

    def text(node: Node | None) -> str:
        return node.value if node is not None and node.kind == SCALAR else ""

    metadata = field(root, "metadata")
    return ObjectId(
        text(field(root, "apiVersion")), text(field(root, "kind")),
        text(field(metadata, "namespace")), text(field(metadata, "name")),
    )


def _visit(node: Node, found: list[Node]) -> None:
    """The scalars the setter filter looks at: mapping values and sequence items, depth first."""
    if node.kind == DOCUMENT:
        for child in node.content:
            _visit(child, found)
    elif node.kind == MAPPING:
        for i in range(1, len(node.content), 2):
            _visit(node.content[i], found)
    elif node.kind == SEQUENCE:
        for child in node.content:
            _visit(child, found)
    elif node.kind == SCALAR:
        found.append(node)


def _set(node: Node, value: str) -> None:
    """The setter's write: the value, then kyaml's FormatNonStringStyle for a string schema."""
    node.value = value
    if is_yaml11_non_string(value):
        if not node.style & (DOUBLE_QUOTED | SINGLE_QUOTED):
            node.style = DOUBLE_QUOTED
        node.tag = STR


def update_text(path: str, text: str, setters: Mapping[str, Setter]) -> FileResult:
    """Apply the setters to one file's text; YAMLSyntaxError when kyaml could not read it."""
    documents: list[Document] = read_documents(text)
    markers: list[Marker] = []
    changes: list[Change] = []
    for document in documents:
        scalars: list[Node] = []
        _visit(document.node, scalars)
        identifier = object_id(document.node.content[0])
        for scalar in scalars:
            name = marker_setter(scalar.line_comment, scalar.head_comment)
            if name is None:
                continue
            setter = setters.get(name)
            old = scalar.value
            markers.append(Marker(path, scalar.line, name, old, setter.value if setter else None))
            if setter is None:
                continue
            _set(scalar, setter.value)
            if setter.value != old:
                changes.append(Change(path, identifier, old, setter.value, name, scalar.line))
    unread: list[Unread] = []
    for document in documents:
        _unread(document.node, {(m.line, m.setter) for m in markers}, unread)
    new_text = write_documents(documents) if changes else None
    return FileResult(path, tuple(markers), tuple(changes), new_text, tuple(unread))


def _unread(node: Node, read: set[tuple[int, str]], found: list[Unread]) -> None:
    """Comments naming the token that were not read as a marker (on a key, several lines, bad JSON)."""
    comments = (("head", node.head_comment), ("line", node.line_comment), ("foot", node.foot_comment))
    for where, comment in comments:
        if TOKEN not in comment:
            continue
        name = marker_setter(comment, "")
        if name is not None and (node.line, name) in read:
            continue
        line = node.line
        if where == "head":
            line -= comment.count("\n") + 1
        elif where == "foot":
            line += 1
        found.append(Unread(max(line, 1), name is not None))
    for child in node.content:
        _unread(child, read, found)


__all__ = ["Change", "FileResult", "Marker", "ObjectId", "Unread", "YAMLSyntaxError", "update_text"]
