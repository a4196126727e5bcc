"""What `policy get` prints for an ImagePolicy: the CRD's printer columns, and more with `-o wide`."""

from __future__ import annotations

from datetime import datetime

from kubectl_imagerepo.gocompat.ages import age
from kubectl_imagerepo.model.imagepolicy import ImagePolicy, ImageRef

NONE = "<none>"
HEADERS = ("NAME", "IMAGE", "TAG", "READY", "STATUS", "AGE")
WIDE_HEADERS = ("REPOSITORY", "POLICY", "DIGEST", "PREVIOUS")


def headers(*, wide: bool, all_namespaces: bool) -> tuple[str, ...]:
    """The table's column names, `NAMESPACE` first with `-A`, the wide ones last with `-o wide`."""
    names = HEADERS + (WIDE_HEADERS if wide else ())
    return ("NAMESPACE", *names) if all_namespaces else names


def row(policy: ImagePolicy, now: datetime, /, *, wide: bool, all_namespaces: bool) -> tuple[str, ...]:
    """One object's cells, in the order of `headers()`; missing values print `<none>`.

    IMAGE and TAG are `status.latestRef`'s, READY and STATUS the Ready condition's, as the CRD's
    printer columns (and `get` for ImageRepositories) show them.
    """
    ready = policy.ready
    latest = policy.latest_ref
    cells = [
        policy.name,
        latest.name or NONE if latest else NONE,
        latest.tag or NONE if latest else NONE,
        ready.status if ready else NONE,
        ready.message if ready and ready.message else NONE,
        age(policy.creation_timestamp, now),
    ]
    if wide:
        cells += [
            repository(policy),
            policy_words(policy),
            latest.digest or NONE if latest else NONE,
            previous(policy.observed_previous_ref),
        ]
    return (policy.namespace, *cells) if all_namespaces else tuple(cells)


def repository(policy: ImagePolicy) -> str:
    """The referenced ImageRepository: its name, `namespace/name` when in another namespace."""
    ref = policy.image_repository_ref
    namespace = policy.repository_namespace()
    name = ref.name or NONE
    return name if namespace == policy.namespace else f"{namespace}/{name}"


def policy_words(policy: ImagePolicy) -> str:
    """The choice that applies, in words: `semver >=1.0.0`, `alphabetical asc`, `numerical desc`.

    Of several choices the controller's precedence picks one (semver, alphabetical, numerical); an
    order left empty is the default `asc`. `<none>` when no choice is set.
    """
    choice = policy.policy
    if choice.semver is not None:
        return f"semver {choice.semver.range}".rstrip()
    if choice.alphabetical is not None:
        return f"alphabetical {choice.alphabetical.effective_order()}"
    if choice.numerical is not None:
        return f"numerical {choice.numerical.effective_order()}"
    return NONE


def previous(ref: ImageRef | None) -> str:
    """`status.observedPreviousRef` as `name:tag[@digest]`, `<none>` without one."""
    return str(ref) if ref is not None else NONE
