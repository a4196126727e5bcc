"""Label selectors: a LabelSelector object (`spec.policySelector`) or kubectl's string form."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kubectl_imagerepo.model.errors import InputError

Labels = Mapping[str, str]
Matcher = Callable[[Labels], bool]

_REQUIREMENT = re.compile(
    r"\s*(?P<neg>!)?\s*(?P<key>[A-Za-z0-9_./-]+)\s*"
    r"(?:(?P<op>==|=|!=|\s+in\s+|\s+notin\s+)\s*(?P<value>\([^)]*\)|[A-Za-z0-9_.-]*))?\s*$"
)


@dataclass(frozen=True)
class Requirement:
    """One requirement on a label: In, NotIn, Exists, DoesNotExist, Equals or NotEquals."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Labels) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.operator == "In":
            return present and value in self.values
        if self.operator == "NotIn":
            return not present or value not in self.values
        if self.operator == "Exists":
            return present
        if self.operator == "DoesNotExist":
            return not present
        if self.operator == "Equals":
            return present and value == self.values[0]
        return not present or value != self.values[0]  # NotEquals


@dataclass(frozen=True)
class Selector:
    """Every requirement must hold; no requirement selects everything."""

    requirements: tuple[Requirement, ...] = ()

    def __call__(self, labels: Labels) -> bool:
        return all(r.matches(labels) for r in self.requirements)


def everything(_: Labels) -> bool:
    """The selector of an automation without `policySelector`: every policy."""
    return True


def from_label_selector(selector: Mapping[str, Any] | None, where: str) -> Matcher:
    """metav1.LabelSelectorAsSelector: matchLabels and matchExpressions, all of them must hold."""
    if not selector:
        return everything
    labels = selector.get("matchLabels") or {}
    requirements = [Requirement(str(key), "In", (str(value),)) for key, value in labels.items()]
    for expression in selector.get("matchExpressions") or []:
        operator = str(expression.get("operator") or "")
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise InputError(f'error: {where}: "{operator}" is not a valid label selector operator')
        values = tuple(str(v) for v in expression.get("values") or [])
        requirements.append(Requirement(str(expression.get("key") or ""), operator, values))
    return Selector(tuple(requirements))


def from_string(text: str | None) -> Matcher:
    """kubectl's `-l` syntax: `k=v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma-joined."""
    if not text:
        return everything
    requirements: list[Requirement] = []
    for part in _split(text):
        match = _REQUIREMENT.match(part)
        if match is None or (match["neg"] and match["op"]):
            raise InputError(f"error: unable to parse requirement: {part.strip()!r}")
        key, op, value = match["key"], (match["op"] or "").strip(), match["value"] or ""
        if match["neg"]:
            requirements.append(Requirement(key, "DoesNotExist"))
        elif not op:
            requirements.append(Requirement(key, "Exists"))
        elif op in ("=", "=="):
            requirements.append(Requirement(key, "Equals", (value,)))
        elif op == "!=":
            requirements.append(Requirement(key, "NotEquals", (value,)))
        else:
            values = tuple(v.strip() for v in value.strip("()").split(",") if v.strip())
            requirements.append(Requirement(key, "In" if op == "in" else "NotIn", values))
    return Selector(tuple(requirements))


def _split(text: str) -> list[str]:
    """Split at commas outside parentheses."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts
