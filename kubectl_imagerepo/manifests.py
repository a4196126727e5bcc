"""ImageRepository manifests read from files (`reconcile -f`): loaded, defaulted and validated as the
API server would, so that a file reconciles like the object it describes."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kubectl_imagerepo import api
from kubectl_imagerepo.errors import InputError

INTERVAL_PATTERN = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"
TIMEOUT_PATTERN = r"^([0-9]+(\.[0-9]+)?(ms|s|m))+$"
PROVIDERS = ("generic", "aws", "azure", "gcp")
MAX_EXCLUSIONS = 25


@dataclass(frozen=True)
class Manifests:
    """The ImageRepositories, Secrets and ServiceAccounts found in the input, in input order."""

    repositories: tuple[dict[str, Any], ...]
    secrets: tuple[dict[str, Any], ...]
    service_accounts: tuple[dict[str, Any], ...] = ()


def load_manifests(text: str, source: str, default_namespace: str) -> Manifests:
    """Parse YAML or JSON documents (and `List`s), keeping ImageRepositories, Secrets, ServiceAccounts."""
    import yaml

    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as bad:
        where = getattr(bad, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        raise InputError(f"error: {source}{at}: not valid YAML or JSON") from None
    repositories: list[dict[str, Any]] = []
    secrets: list[dict[str, Any]] = []
    service_accounts: list[dict[str, Any]] = []
    for doc in _flatten(documents, source):
        kind, version = doc.get("kind"), str(doc.get("apiVersion") or "")
        if kind == api.KIND and version.split("/")[0] == api.GROUP:
            repositories.append(prepare(doc, default_namespace))
        elif kind in ("Secret", "ServiceAccount") and version == "v1":
            found = copy.deepcopy(doc)
            found.setdefault("metadata", {}).setdefault("namespace", default_namespace)
            (secrets if kind == "Secret" else service_accounts).append(found)
    if not repositories:
        raise InputError(f"error: {source}: no {api.KIND} objects found")
    return Manifests(tuple(repositories), tuple(secrets), tuple(service_accounts))


def _flatten(documents: Iterable[Any], source: str) -> Iterable[dict[str, Any]]:
    for doc in documents:
        if not isinstance(doc, dict):
            raise InputError(f"error: {source}: expected an object, got {type(doc).__name__}")
        if str(doc.get("kind") or "").endswith("List") and "items" in doc:
            yield from _flatten(doc.get("items") or [], source)
        else:
            yield doc


def prepare(doc: Mapping[str, Any], default_namespace: str) -> dict[str, Any]:
    """A copy of the manifest with the CRD's defaults and the server's metadata filled in, validated."""
    obj = copy.deepcopy(dict(doc))
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict) or not meta.get("name"):
        raise InputError(f"{api.KIND}: metadata.name: Required value")
    meta.setdefault("namespace", default_namespace)
    meta.setdefault("generation", 1)
    meta.setdefault("uid", "")
    meta.setdefault("resourceVersion", "")
    label = f"{api.KIND} {meta['namespace']}/{meta['name']}"
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        raise InputError(f"{label}: spec: Required value")
    spec.setdefault("exclusionList", list(api.DEFAULT_EXCLUSION_LIST))
    spec.setdefault("provider", "generic")
    obj.setdefault("status", {"observedGeneration": -1})
    validate(obj, label)
    return obj


def validate(obj: Mapping[str, Any], label: str) -> None:
    """The CRD's validation of spec section 1.3; the first violation is a one-line InputError."""
    spec = obj["spec"]
    for field in ("image", "interval"):
        if field not in spec:
            raise InputError(f"{label}: spec.{field}: Required value")
    checks = (("interval", INTERVAL_PATTERN), ("timeout", TIMEOUT_PATTERN))
    for field, pattern in checks:
        value = spec.get(field)
        if field in spec and (not isinstance(value, str) or not re.match(pattern, value)):
            raise InputError(f"{label}: spec.{field}: Invalid value: \"{value}\": should match '{pattern}'")
    if spec.get("provider") not in PROVIDERS:
        supported = ", ".join(f'"{p}"' for p in PROVIDERS)
        provider = spec.get("provider")
        raise InputError(
            f'{label}: spec.provider: Unsupported value: "{provider}": supported values: {supported}'
        )
    exclusions = spec.get("exclusionList")
    if not isinstance(exclusions, list) or not all(isinstance(e, str) for e in exclusions):
        raise InputError(f"{label}: spec.exclusionList: expected a list of strings")
    if len(exclusions) > MAX_EXCLUSIONS:
        count = len(exclusions)
        limit = MAX_EXCLUSIONS
        raise InputError(f"{label}: spec.exclusionList: Too many: {count}: must have at most {limit} items")
    if not isinstance(spec.get("image"), str):
        raise InputError(f"{label}: spec.image: expected a string")
