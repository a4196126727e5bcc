"""kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath): parsing and executing them.

Values print as Go prints them (gocompat.fmt, gocompat.jsonenc); numbers and quoted strings in a
template are read with Go's strconv (gocompat.strconv).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from kubectl_imagerepo.gocompat.fmt import sprint
from kubectl_imagerepo.gocompat.jsonenc import marshal
from kubectl_imagerepo.gocompat.strconv import quote
from kubectl_imagerepo.output.jsonpath_syntax import (
    ArrayNode,
    BoolNode,
    FieldNode,
    FilterNode,
    FloatNode,
    IntNode,
    JSONPathError,
    ListNode,
    Node,
    Param,
    RecursiveNode,
    TextNode,
    UnionNode,
    WildcardNode,
    parse_nodes,
)

__all__ = [
    "JSONPathError",
    "Template",
    "go_quote",
    "parse",
]

# `go_quote` stays importable from here for commands/events.py.
go_quote = quote


class _GoInt(int):
    """An integer literal of a template, which Go holds as ``int`` where decoded JSON has ``int64``."""


class _Nothing:
    """What client-go evaluates a range body on when the range is empty: an invalid reflect.Value."""

    def __repr__(self) -> str:
        return "<invalid reflect.Value>"


_NOTHING = _Nothing()


def _go_type(value: Any) -> str:
    """The Go type name an unstructured value has, for client-go's error messages."""
    if value is True or value is False:
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, _GoInt):
        return "int"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    return "[]interface {}"


# -- Evaluation ------------------------------------------------------------------------------------

_Result: TypeAlias = tuple[list[Any], str | None]


def _children(value: Any) -> list[Any]:
    """What ``*`` and ``..`` step into. Map values come in key order (Go's order is random)."""
    if isinstance(value, Mapping):
        return [value[key] for key in sorted(value)]
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        return list(value.encode("utf-8", "surrogateescape"))  # Go indexes a string's bytes
    return []


def _kind(value: Any) -> str | None:
    """text/template's basicKind, as far as decoded JSON goes; None for what cannot be compared."""
    if value is True or value is False:
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return None


def _compare_kinds(left: Any, right: Any) -> str:
    left_kind, right_kind = _kind(left), _kind(right)
    if left_kind is None or right_kind is None:
        raise ValueError("invalid type for comparison")
    if left_kind != right_kind:
        raise ValueError("incompatible types for comparison")
    return left_kind


def _less(left: Any, right: Any) -> bool:
    if _compare_kinds(left, right) == "bool":
        raise ValueError("invalid type for comparison")
    return bool(left < right)


def _equal(left: Any, right: Any) -> bool:
    _compare_kinds(left, right)
    return bool(left == right)


def _compare(operator: str, left: Any, right: Any) -> bool:
    if operator == "<":
        return _less(left, right)
    if operator == ">":
        return not (_less(left, right) or _equal(left, right))
    if operator == "==":
        return _equal(left, right)
    if operator == "!=":
        return not _equal(left, right)
    if operator == "<=":
        return _less(left, right) or _equal(left, right)
    if operator == ">=":
        return not _less(left, right)
    raise ValueError(f"unrecognized filter operator {operator}")


class _Executor:
    """client-go's JSONPath.FindResults: evaluation with its range/end bookkeeping.

    Every step returns (values, error) rather than raising, because client-go keeps using the values
    of a failed step in one place (an ``exists`` filter).
    """

    def __init__(self, nodes: Sequence[Node], *, allow_missing_keys: bool) -> None:
        self.nodes = nodes
        self.allow_missing_keys = allow_missing_keys
        self.begin_range = 0
        self.in_range = 0
        self.end_range = 0
        self.last_end: int | None = None

    def find_results(self, data: Any, start: int = 0) -> list[list[Any]]:
        """The results of the nodes from ``start``; a range body stops at its ``{end}``."""
        current = [data]
        full: list[list[Any]] = []
        index = start
        while index < len(self.nodes):
            results, error = self.walk(current, self.nodes[index])
            if error is not None:
                raise JSONPathError(error)
            if 0 < self.end_range <= self.in_range:
                self.end_range -= 1
                self.last_end = index
                break
            if self.begin_range > 0:
                full.extend(self._range(results, index))
                # Resume after the {end} met last, if it lies ahead (client-go compares node addresses).
                if self.last_end is not None and index < self.last_end:
                    index = self.last_end
                index += 1
                continue
            full.append(results)
            index += 1
        return full

    def _range(self, results: list[Any], index: int) -> list[list[Any]]:
        """Run the body after ``{range}`` once per result (once with nothing, only to find ``{end}``)."""
        self.begin_range -= 1
        self.in_range += 1
        body: list[list[Any]] = []
        if results:
            for value in results:
                body.extend(self.find_results(value, index + 1))
        else:
            self.find_results(_NOTHING, index + 1)
        self.in_range -= 1
        return body

    def walk(self, values: list[Any], node: Node) -> _Result:
        if isinstance(node, ListNode):
            return self.eval_list(values, node)
        if isinstance(node, TextNode):
            return [node.text], None
        if isinstance(node, FieldNode):
            return self._field(values, node.name)
        if isinstance(node, ArrayNode):
            return self._array(values, node.params)
        if isinstance(node, FilterNode):
            return self._filter(values, node)
        if isinstance(node, IntNode):
            return [_GoInt(node.value) for _ in values], None
        if isinstance(node, (FloatNode, BoolNode)):
            return [node.value for _ in values], None
        if isinstance(node, WildcardNode):
            return [child for value in values if value is not None for child in _children(value)], None
        if isinstance(node, RecursiveNode):
            return self._recursive(values), None
        if isinstance(node, UnionNode):
            return self._union(values, node)
        return self._identifier(values, node.name)

    def eval_list(self, values: list[Any], node: ListNode) -> _Result:
        current = values
        for child in node.nodes:
            current, error = self.walk(current, child)
            if error is not None:
                return current, error
        return current, None

    def _identifier(self, values: list[Any], name: str) -> _Result:
        if name == "range":
            self.begin_range += 1
            return values, None
        if name == "end":
            if self.in_range > 0:
                self.end_range += 1
                return [], None
            return [], "not in range, nothing to end"
        return values, f"unrecognized identifier {name}"

    def _field(self, values: list[Any], name: str) -> _Result:
        results = [value[name] for value in values if isinstance(value, Mapping) and name in value]
        if not results and values and not self.allow_missing_keys:
            return [], f"{name} is not found"
        return results, None

    def _array(self, values: list[Any], params: tuple[Param, Param, Param]) -> _Result:
        results: list[Any] = []
        for value in values:
            if value is None:
                continue
            if value is _NOTHING:
                return values, "<invalid Value> is not array or slice"  # client-go panics here
            if not isinstance(value, (list, tuple)):
                return values, f"{_go_type(value)} is not array or slice"
            length = len(value)
            start = params[0].value if params[0].known else 0
            if start < 0:
                start += length
            end = params[1].value if params[1].known else length
            if end < 0 or (end == 0 and params[1].derived):
                end += length
            if end == start:
                return results, None
            if start >= length or start < 0:
                return values, f"array index out of bounds: index {start}, length {length}"
            if end > length or end < 0:
                return values, f"array index out of bounds: index {end - 1}, length {length}"
            if start > end:
                return values, f"starting index {start} is greater than ending index {end}"
            step = 1
            if params[2].known:
                if params[2].value <= 0:
                    return values, "step must be > 0"
                step = params[2].value
            results.extend(value[start:end:step])
        return results, None

    def _union(self, values: list[Any], node: UnionNode) -> _Result:
        results: list[Any] = []
        for branch in node.branches:
            found, error = self.eval_list(values, branch)
            if error is not None:
                return values, error
            results.extend(found)
        return results, None

    def _recursive(self, values: list[Any]) -> list[Any]:
        results: list[Any] = []
        for value in values:
            if value is None:
                continue
            children = _children(value)
            if children:
                results.append(value)
                results.extend(self._recursive(children))
        return results

    def _filter(self, values: list[Any], node: FilterNode) -> _Result:
        results: list[Any] = []
        for value in values:
            if not isinstance(value, (list, tuple)):
                shown = repr(value) if value is _NOTHING else sprint(value)
                return values, f"{shown} is not array or slice and cannot be filtered"
            for item in value:
                lefts, error = self.eval_list([item], node.left)
                if node.operator == "exists":
                    if lefts:
                        results.append(item)
                    continue
                if error is not None:
                    return values, error
                if not lefts:
                    continue
                if len(lefts) > 1:
                    return values, "can only compare one element at a time"
                rights, error = self.eval_list([item], node.right)
                if error is not None:
                    return values, error
                if not rights:
                    continue
                if len(rights) > 1:
                    return values, "can only compare one element at a time"
                try:
                    passed = _compare(node.operator, lefts[0], rights[0])
                except ValueError as failure:
                    return results, str(failure)
                if passed:
                    results.append(item)
        return results, None


def _text(value: Any) -> str:
    """One result as kubectl prints it: maps and lists as compact JSON, strings raw, null as ``null``."""
    if isinstance(value, (Mapping, list, tuple)):
        return marshal(value)
    if value is None:
        return "null"
    return sprint(value)


@dataclass(frozen=True)
class Template:
    """A parsed kubectl JSONPath template; render it with ``render``."""

    source: str
    nodes: tuple[Node, ...]

    def find_results(self, data: Any, *, allow_missing_keys: bool = True) -> list[list[Any]]:
        """The values each top-level piece of the template produces (client-go's FindResults)."""
        return _Executor(self.nodes, allow_missing_keys=allow_missing_keys).find_results(data)

    def render(self, data: Any, *, allow_missing_keys: bool = True, as_json: bool = False) -> str:
        """The template's output for ``data`` (decoded JSON), as ``kubectl -o jsonpath=...`` prints it.

        Results of one expression are joined by single spaces; maps and lists print as compact JSON,
        strings raw, numbers as Go prints int64 and float64. With ``allow_missing_keys`` (kubectl's
        default, ``--allow-missing-template-keys=true``) a missing key yields nothing; otherwise it is
        the error ``<key> is not found``. ``as_json`` is ``-o jsonpath-as-json``: each expression's results
        as an indented JSON array. Map values reached by ``*`` and ``..`` come in key order, where Go's
        order is random. Raises JSONPathError with client-go's message when the template fails.
        """
        pieces: list[str] = []
        for results in self.find_results(data, allow_missing_keys=allow_missing_keys):
            if as_json:
                pieces.append(marshal(list(results), indent="    ") + "\n")
            else:
                pieces.append(" ".join(_text(value) for value in results))
        return "".join(pieces)


def parse(template: str) -> Template:
    """Parse a kubectl JSONPath template such as ``{range .items[*]}{.metadata.name}{"\\n"}{end}``.

    Text outside braces is printed as is; kubectl neither strips quotes around the template nor adds
    braces, so ``.metadata.name`` prints those characters. Note that ``['a.b']`` means ``.a.b`` (key ``a``,
    then ``b``), as in client-go; a key containing dots is written ``.a\\.b`` or ``['a\\.b']``. Raises
    JSONPathError (a ValueError) with client-go's message, e.g. ``unclosed action``.
    """
    return Template(template, tuple(parse_nodes(template)))
