"""Hostile ImagePolicies through the whole reconcile: one-line outcome, no exception, no hang."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubectl_imagerepo.reconcile.policy_reconciler import PolicyOptions, reconcile_policy
from kubectl_imagerepo.reconcile.policy_sources import FileRepositories
from kubectl_imagerepo.store.database import ObjectKey, TagStore
from tests.kstatus import check
from tests.unit.reconcile.test_policy_reconciler import IMAGE, Digests, policy, repository
from tests.unit.reconcile.test_reconciler import NOW, MemorySink

TAGS = sorted(
    ["1.0.0", "1.2.3-rc.1", "v2.0.0", "latest", "main-100", "main-99", "20240101-1", "a" * 300, "1.0.0+b"],
    reverse=True,
)
TEXT = st.text(alphabet=st.sampled_from("()[]{}*+?|^$\\.-,<>=~!x1aPn$_ "), max_size=40)
CHOICE = st.one_of(
    st.builds(lambda r: {"semver": {"range": r}}, TEXT),
    st.builds(lambda o: {"alphabetical": {"order": o}}, st.sampled_from(["asc", "desc", "", "ASC", "up"])),
    st.builds(lambda o: {"numerical": {"order": o}}, st.sampled_from(["asc", "desc", "Desc", "x"])),
    st.just({}),
)
FILTER = st.one_of(st.none(), st.builds(lambda p, e: {"pattern": p, "extract": e}, TEXT, TEXT))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choice=CHOICE, tag_filter=FILTER, ref_name=st.sampled_from(["app", "pick", "", "missing"]))
def test_any_policy_ends_in_one_kstatus_valid_status_with_a_one_line_message(
    tmp_path: Path, choice: dict[str, Any], tag_filter: dict[str, Any] | None, ref_name: str
) -> None:
    spec: dict[str, Any] = {"policy": choice, "imageRepositoryRef": {"name": ref_name}}
    if tag_filter is not None:
        spec["filterTags"] = tag_filter
    with TagStore(tmp_path / "hostile.sqlite3") as store:
        store.write(
            ObjectKey("test", "team", "app"), canonical_name=IMAGE, tags=TAGS, revision="r", scan_time="t"
        )
        sink = MemorySink()
        started = time.monotonic()
        result = reconcile_policy(
            policy(**spec),
            sink=sink,
            store=store,
            sources=FileRepositories([repository()]),
            fetch_digest=Digests(),
            options=PolicyOptions(scope="test", clock=lambda: NOW),
        )
        assert time.monotonic() - started < 5
    assert "\n" not in result.message and result.message
    assert check(sink.statuses[-1], 1, mid_reconcile=False) == []
    assert len(sink.events) == 1
