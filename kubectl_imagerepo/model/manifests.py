"""ImageRepository and ImagePolicy manifests read from files (`reconcile -f`): loaded, defaulted and
validated as the API server would, so that a file reconciles like the object it describes."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import InputError

INTERVAL_PATTERN = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"
TIMEOUT_PATTERN = r"^([0-9]+(\.[0-9]+)?(ms|s|m))+$"
PROVIDERS = ("generic", "aws", "azure", "gcp")
MAX_EXCLUSIONS = 25
MAX_NODES = 1_000_000  # YAML nodes a document may hold once its aliases are expanded
# The kinds `reconcile -f` reads, by the apiVersions it serves them in.
SERVED: Mapping[str, tuple[str, ...]] = {
    api.KIND: tuple(f"{api.GROUP}/{v}" for v in api.VERSIONS),
    api.POLICY_KIND: tuple(f"{api.GROUP}/{v}" for v in api.POLICY_VERSIONS),
    "Secret": ("v1",),
    "ServiceAccount": ("v1",),
    "Namespace": ("v1",),
}
#: Kinds of the group that other commands read (`automation -f`): `reconcile -f` passes them unremarked.
READ_ELSEWHERE: Mapping[str, tuple[str, ...]] = {"ImageUpdateAutomation": (f"{api.GROUP}/v1",)}


@dataclass(frozen=True)
class Manifests:
    """The ImageRepositories, Secrets, ServiceAccounts, ImagePolicies and Namespaces found, in order."""

    repositories: tuple[dict[str, Any], ...]
    secrets: tuple[dict[str, Any], ...]
    service_accounts: tuple[dict[str, Any], ...] = ()
    policies: tuple[dict[str, Any], ...] = ()
    namespaces: tuple[dict[str, Any], ...] = ()
    # One kubectl-worded error line per document left out: no apiVersion or kind, or a kind the
    # plugin does not serve (see `unrecognized`).
    skipped: tuple[str, ...] = ()


def read_text(stream: IO[str], source: str) -> str:
    """The whole text of a manifest stream; a file that is not UTF-8 is a one-line InputError."""
    try:
        return stream.read()
    except UnicodeDecodeError as bad:
        raise InputError(f"error: {source}: not valid UTF-8 (byte {bad.start})") from None


def load_manifests(text: str, source: str, default_namespace: str) -> Manifests:
    """Parse YAML or JSON documents (and `List`s), keeping ImageRepositories, Secrets, ServiceAccounts."""
    import yaml

    try:
        if "*" in text:  # only aliases can make a document expand or refer to itself
            for node in yaml.compose_all(text, Loader=yaml.SafeLoader):
                _check_expansion(node, source, {}, set())
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as bad:
        where = getattr(bad, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        raise InputError(f"error: {source}{at}: not valid YAML or JSON") from None
    except RecursionError:
        raise InputError(f"error: {source}: nested too deeply") from None
    repositories: list[dict[str, Any]] = []
    secrets: list[dict[str, Any]] = []
    service_accounts: list[dict[str, Any]] = []
    policies: list[dict[str, Any]] = []
    namespaces: list[dict[str, Any]] = []
    skipped: list[str] = []
    for doc in _flatten(documents, source):
        kind, version = doc.get("kind"), str(doc.get("apiVersion") or "")
        refused = unrecognized(doc, source)
        if refused is not None:
            skipped.append(refused)
        elif kind == api.KIND:
            repositories.append(prepare(doc, default_namespace))
        elif kind == api.POLICY_KIND:
            policies.append(prepare_policy(doc, default_namespace))
        elif kind == "Namespace" and version == "v1" and isinstance(doc.get("metadata"), dict):
            namespaces.append(copy.deepcopy(doc))
        elif kind in ("Secret", "ServiceAccount") and version == "v1":
            _check_shape(doc, kind, default_namespace)
            found = copy.deepcopy(doc)
            found.setdefault("metadata", {}).setdefault("namespace", default_namespace)
            (secrets if kind == "Secret" else service_accounts).append(found)
    if not repositories and not policies and not skipped:
        raise InputError(f"error: {source}: no {api.KIND} or {api.POLICY_KIND} objects found")
    return Manifests(
        tuple(repositories),
        tuple(secrets),
        tuple(service_accounts),
        tuple(policies),
        tuple(namespaces),
        tuple(skipped),
    )


def unrecognized(doc: Mapping[str, Any], source: str) -> str | None:
    """kubectl's error for a document `reconcile -f` leaves out, or None when it reads or ignores it.

    A document without `apiVersion` or `kind` gets kubectl's validation error; a kind of the
    `image.toolkit.fluxcd.io` group other than the versions the plugin serves (ImageRepository,
    ImagePolicy, and ImageUpdateAutomation, which `automation -f` reads), or one of the kinds it reads
    under another version, gets kubectl's error for a kind the cluster does not serve. The kinds of
    other APIs (ConfigMap, Deployment, …) are not the plugin's to reconcile and pass unremarked.
    See docs/behaviour.md, Reconciling an ImageRepository.
    """
    from kubectl_imagerepo.gocompat.strconv import quote

    version, kind = doc.get("apiVersion"), doc.get("kind")
    missing = [f"{field} not set" for field, value in (("apiVersion", version), ("kind", kind)) if not value]
    if missing:
        detail = missing[0] if len(missing) == 1 else f"[{', '.join(missing)}]"
        return f"error: error validating {quote(source)}: error validating data: {detail}"
    version, kind = str(version), str(kind)
    if version in SERVED.get(kind, ()) or version in READ_ELSEWHERE.get(kind, ()):
        return None
    if version.split("/")[0] != api.GROUP and kind not in SERVED:
        return None
    meta = doc.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "")
    return (
        f"error: resource mapping not found for name: {quote(name)} namespace: {quote(namespace)} "
        f"from {quote(source)}: no matches for kind {quote(kind)} in version {quote(version)}"
    )


def _check_expansion(node: Any, source: str, sizes: dict[int, int], path: set[int]) -> int:
    """The node count of `node` with every alias expanded; an InputError past MAX_NODES or for a cycle.

    Go's YAML decoder refuses both ("excessive aliasing"); expanded, they would exhaust memory when
    the object is copied or printed.
    """
    import yaml

    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in path:
        raise InputError(f"error: {source}: a YAML alias refers to the node that contains it")
    path.add(key)
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    else:
        children = node.value if isinstance(node, yaml.SequenceNode) else []
    total = 1 + sum(_check_expansion(child, source, sizes, path) for child in children)
    path.discard(key)
    if total > MAX_NODES:
        raise InputError(f"error: {source}: document contains excessive aliasing")
    sizes[key] = total
    return total


def _flatten(documents: Iterable[Any], source: str) -> Iterable[dict[str, Any]]:
    for doc in documents:
        if not isinstance(doc, dict):
            raise InputError(f"error: {source}: expected an object, got {type(doc).__name__}")
        if str(doc.get("kind") or "").endswith("List") and "items" in doc:
            items = doc.get("items") or []
            if not isinstance(items, list):
                raise InputError(f"error: {source}: items: expected a list, got {type(items).__name__}")
            yield from _flatten(items, source)
        else:
            yield doc


def _check_shape(doc: Mapping[str, Any], kind: str, default_namespace: str) -> None:
    """The fields of a Secret or ServiceAccount that the API server's schema would type-check."""
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        raise InputError(f"{kind}: metadata.name: Required value")
    label = f"{kind} {meta.get('namespace') or default_namespace}/{meta['name']}"
    if kind == "ServiceAccount":
        pulls = doc.get("imagePullSecrets")
        if pulls is not None and not (isinstance(pulls, list) and all(isinstance(p, dict) for p in pulls)):
            raise InputError(f"{label}: imagePullSecrets: expected a list of objects")
        return
    for field in ("data", "stringData"):
        if doc.get(field) is not None and not isinstance(doc[field], dict):
            raise InputError(f"{label}: {field}: expected an object")


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


def prepare_policy(doc: Mapping[str, Any], default_namespace: str) -> dict[str, Any]:
    """An ImagePolicy manifest with the CRD's defaults and the server's metadata, validated as by the CRD."""
    from kubectl_imagerepo.model.imagepolicy import (
        DIGEST_REFLECTION_POLICIES,
        INTERVAL_ONLY_WITH_ALWAYS_MESSAGE,
        INTERVAL_REQUIRED_WITH_ALWAYS_MESSAGE,
        NEVER,
        ImagePolicy,
    )

    obj = copy.deepcopy(dict(doc))
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict) or not meta.get("name"):
        raise InputError(f"{api.POLICY_KIND}: metadata.name: Required value")
    for key, value in (
        ("namespace", default_namespace),
        ("generation", 1),
        ("uid", ""),
        ("resourceVersion", ""),
    ):
        meta.setdefault(key, value)
    label = f"{api.POLICY_KIND} {meta['namespace']}/{meta['name']}"
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        raise InputError(f"{label}: spec: Required value")
    for field in ("imageRepositoryRef", "policy"):
        if field not in spec:
            raise InputError(f"{label}: spec.{field}: Required value")
    ref = spec["imageRepositoryRef"]
    if not isinstance(ref, dict) or "name" not in ref:
        raise InputError(f"{label}: spec.imageRepositoryRef.name: Required value")
    mode = spec.setdefault("digestReflectionPolicy", NEVER)
    if mode not in DIGEST_REFLECTION_POLICIES:
        supported = ", ".join(f'"{p}"' for p in DIGEST_REFLECTION_POLICIES)
        field = "spec.digestReflectionPolicy"
        raise InputError(f'{label}: {field}: Unsupported value: "{mode}": supported values: {supported}')
    interval = spec.get("interval")
    if "interval" in spec and (not isinstance(interval, str) or not re.match(INTERVAL_PATTERN, interval)):
        raise InputError(
            f"{label}: spec.interval: Invalid value: \"{interval}\": should match '{INTERVAL_PATTERN}'"
        )
    if "interval" in spec and mode != "Always":
        raise InputError(f'{label}: spec: Invalid value: "object": {INTERVAL_ONLY_WITH_ALWAYS_MESSAGE}')
    if "interval" not in spec and mode == "Always":
        raise InputError(f'{label}: spec: Invalid value: "object": {INTERVAL_REQUIRED_WITH_ALWAYS_MESSAGE}')
    choice = spec.get("policy")
    if isinstance(choice, dict):
        for ordered in ("alphabetical", "numerical"):
            if isinstance(choice.get(ordered), dict):
                choice[ordered].setdefault("order", "asc")
    obj.setdefault("status", {"observedGeneration": -1})
    ImagePolicy.from_dict(obj)  # the fields' types, named in the one-line error
    return obj


def validate(obj: Mapping[str, Any], label: str) -> None:
    """The CRD's validation of the spec fields; the first violation is a one-line InputError."""
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
