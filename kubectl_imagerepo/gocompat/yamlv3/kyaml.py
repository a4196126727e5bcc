"""kyaml's ByteReader and ByteWriter round trip (sigs.k8s.io/kustomize/kyaml v0.21.1).

Reading: CRLF becomes LF, the text is split at lines starting `---`, each piece is decoded by yaml.v3,
empty documents dropped, and each document's sequence indent (compact or wide) derived from its text.
Writing: one yaml.v3 encoder, indent 2, `---` between documents, the reader's annotations removed
again (which also removes an empty `metadata.annotations` and an empty `metadata`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kubectl_imagerepo.gocompat.yamlv3.emitter import encode_documents
from kubectl_imagerepo.gocompat.yamlv3.node import MAPPING, NULL, SCALAR, Node
from kubectl_imagerepo.gocompat.yamlv3.parse import YAMLSyntaxError, parse_document

_SEPARATOR = re.compile(r"\n---.*\n")


class ListUnwrapped(YAMLSyntaxError):
    """A file holding one `kind: List`: kyaml unwraps its items and writes them to other files."""

    def __init__(self, line: int) -> None:
        super().__init__("a kind List file: the controller would write its items to new files", line)


@dataclass(frozen=True)
class Document:
    """One document as kyaml holds it: its root node and whether its sequences are compact."""

    node: Node
    compact: bool
    line: int  # the 1-based line of the file where the document's text starts


def split_documents(text: str) -> list[tuple[str, int]]:
    """kyaml's splitDocuments: the pieces and the line each starts on; a bad separator is an error."""
    pieces: list[tuple[str, int]] = []
    previous = 0
    for match in _SEPARATOR.finditer(text):
        trailing = match.group(0)[4:].strip()
        if trailing and not trailing.startswith("#"):
            raise YAMLSyntaxError(f"invalid document separator: {match.group(0).strip()}", 0)
        pieces.append((text[previous : match.start()], text.count("\n", 0, previous) + 1))
        previous = match.end()
    pieces.append((text[previous:], text.count("\n", 0, previous) + 1))
    return pieces


def derive_seq_indent_compact(text: str) -> bool:
    """kyaml's DeriveSeqIndentStyle: True (compact) unless the first telling `- ` is indented by two."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        head, found, _ = line.partition("- ")
        if not found or head.strip(" ") != "":
            continue
        key_line = _key_line_before(lines, i)
        if not key_line:
            continue
        key_indent = len(key_line) - len(key_line.lstrip(" "))
        trimmed = key_line.strip(" ")
        if trimmed.count(":") != 1 or not trimmed.endswith(":"):
            continue
        if len(head) == key_indent:
            return True
        if len(head) - key_indent == 2:
            return False
    return True


def _key_line_before(lines: list[str], index: int) -> str:
    """The first line above that is not a comment line, its trailing comment cut ("" if none)."""
    for i in range(index - 1, -1, -1):
        if lines[i].strip(" ").startswith("#"):
            continue
        return lines[i].split("#", 1)[0]
    return ""


def read_documents(text: str) -> list[Document]:
    """The documents kyaml's ByteReader gives for a file's text; YAMLSyntaxError when it fails."""
    text = text.replace("\r\n", "\n")
    pieces = split_documents(text) if text else []
    documents: list[Document] = []
    for index, (piece, line) in enumerate(pieces):
        if index != len(pieces) - 1:
            piece += "\n"
        try:
            node = parse_document(piece)
        except YAMLSyntaxError as bad:
            raise YAMLSyntaxError(str(bad), bad.line + line - 1 if bad.line else line) from None
        if node is None or not node.content:
            continue
        root = node.content[0]
        if root.kind == SCALAR and root.tag == NULL:
            continue
        if root.kind != MAPPING:
            raise YAMLSyntaxError("wrong node kind: expected MappingNode", line)
        kind = _field(root, "kind")
        if (
            len(pieces) == 1
            and kind is not None
            and kind.value in ("List", "ResourceList")
            and (_field(root, "items") is not None or _field(root, "functionConfig") is not None)
        ):
            raise ListUnwrapped(line)
        _shift_lines(node, line - 1)
        documents.append(Document(node, derive_seq_indent_compact(piece), line))
    return documents


def _shift_lines(node: Node, by: int) -> None:
    node.line += by
    for child in node.content:
        _shift_lines(child, by)


def write_documents(documents: list[Document]) -> str:
    """The bytes kyaml's ByteWriter writes for these documents."""
    for document in documents:
        _clear_empty_metadata(document.node.content[0])
    return encode_documents([(d.node, d.compact) for d in documents])


def _clear_empty_metadata(root: Node) -> None:
    """What remains of the reader's annotations once the writer removes them."""
    metadata = _field(root, "metadata")
    if metadata is not None and metadata.kind == MAPPING:
        _clear_if_empty(metadata, "annotations")
    _clear_if_empty(root, "metadata")


def _field(mapping: Node, name: str) -> Node | None:
    for i in range(0, len(mapping.content) - 1, 2):
        if mapping.content[i].value == name:
            return mapping.content[i + 1]
    return None


def _clear_if_empty(mapping: Node, name: str) -> None:
    for i in range(0, len(mapping.content) - 1, 2):
        if mapping.content[i].value != name:
            continue
        value = mapping.content[i + 1]
        empty = (value.kind == MAPPING and not value.content) or (
            value.kind == SCALAR and value.tag == NULL
        )
        if empty:
            del mapping.content[i : i + 2]
        return
