"""Label selectors: a LabelSelector object (`spec.policySelector`) or kubectl's string form."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from kubectl_imagerepo.model.errors import InputError

Labels = Mapping[str, str]
Matcher = Callable[[Labels], bool]

_REQUIREMENT = re.compile(
    r"\s*(?P<neg>!)?\s*(?P<key>[A-Za-z0-9_./-]+)\s*"
    r"(?:(?P<op>==|=|!=|\s+in\s+|\s+notin\s+)\s*(?P<value>\([^)]*\)|[A-Za-z0-9_.-]*))?\s*$"
)


def everything(_: Labels) -> bool:
    """The selector of an automation without `policySelector`: every policy."""
    return True


def from_label_selector(selector: Mapping[str, Any] | None, where: str) -> Matcher:
    """metav1.LabelSelectorAsSelector: matchLabels and matchExpressions, all of them must hold."""
    if not selector:
        return everything
    checks: list[Matcher] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        checks.append(lambda labels, k=str(key), v=str(value): labels.get(k) == v)
    for expression in selector.get("matchExpressions") or []:
        key = str(expression.get("key") or "")
        operator = str(expression.get("operator") or "")
        values = tuple(str(v) for v in expression.get("values") or [])
        if operator == "In":
            checks.append(lambda labels, k=key, vs=values: k in labels and labels[k] in vs)
        elif operator == "NotIn":
            checks.append(lambda labels, k=key, vs=values: k not in labels or labels[k] not in vs)
        elif operator == "Exists":
            checks.append(lambda labels, k=key: k in labels)
        elif operator == "DoesNotExist":
            checks.append(lambda labels, k=key: k not in labels)
        else:
            raise InputError(f'error: {where}: "{operator}" is not a valid label selector operator')
    return lambda labels: all(check(labels) for check in checks)


def from_string(text: str | None) -> Matcher:
    """kubectl's `-l` syntax: `k=v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma-joined."""
    if not text:
        return everything
    checks: list[Matcher] = []
    for part in _split(text):
        match = _REQUIREMENT.match(part)
        if match is None:
            raise InputError(f"error: unable to parse requirement: {part.strip()!r}")
        key, op, value = match["key"], (match["op"] or "").strip(), match["value"] or ""
        if match["neg"]:
            if op:
                raise InputError(f"error: unable to parse requirement: {part.strip()!r}")
            checks.append(lambda labels, k=key: k not in labels)
        elif not op:
            checks.append(lambda labels, k=key: k in labels)
        elif op in ("=", "=="):
            checks.append(lambda labels, k=key, v=value: labels.get(k) == v)
        elif op == "!=":
            checks.append(lambda labels, k=key, v=value: labels.get(k) != v)
        else:
            values = tuple(v.strip() for v in value.strip("()").split(",") if v.strip())
            if op == "in":
                checks.append(lambda labels, k=key, vs=values: labels.get(k) in vs)
            else:
                checks.append(lambda labels, k=key, vs=values: labels.get(k) not in vs)
    return lambda labels: all(check(labels) for check in checks)


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
