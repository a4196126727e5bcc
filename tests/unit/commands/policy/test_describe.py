"""`policy describe`: kubectl's layout, then the policy evaluated over the locally stored tags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.commands.policy.describe import PolicyDescribeOptions
from kubectl_imagerepo.kube.client import ApiError
from kubectl_imagerepo.model.errors import CommandError
from kubectl_imagerepo.store.database import ObjectKey, TagStore
from tests.unit.commands.fakes import captured, factory, repository
from tests.unit.commands.policy_fakes import PolicyFakeKube, policy, ready


def store(path: Path, tags: list[str], namespace: str = "ns", name: str = "app") -> None:
    with TagStore(path) as db:
        db.write(ObjectKey(f"uid-{name}", namespace, name), canonical_name="registry.invalid/app",
                 tags=sorted(tags, reverse=True), revision="1", scan_time="2026-01-01T00:00:00Z")


def describe(kube: PolicyFakeKube, database: Path, **flags: Any) -> tuple[int, str, str]:
    options = PolicyDescribeOptions.complete(factory(kube), database=database, **flags)
    options.validate()
    streams, out, err = captured()
    return options.run(kube, streams), out.getvalue(), err.getvalue()


def section(out: str, title: str = "Evaluation:") -> list[str]:
    """The lines of one top-level section, its title excluded."""
    lines = out.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return lines[start:end]


def field(out: str, label: str) -> str:
    line = next(line for line in section(out) if line.strip().startswith(label + ":"))
    return line.split(":", 1)[1].strip()


def test_the_object_is_described_with_kubectl_s_layout_and_its_conditions(tmp_path: Path) -> None:
    kube = PolicyFakeKube(policy("web", status=ready("registry.invalid/app", "1.0.0")), repository("app"))
    code, out, err = describe(kube, tmp_path / "db", names=("web",))
    assert (code, err) == (0, "")
    assert out.startswith("Name:         web\nNamespace:    ns\n")
    assert "Kind:         ImagePolicy" in out
    assert section(out, "Conditions:")[2].split()[:3] == ["Ready", "True", "Succeeded"]


def test_the_pick_and_the_candidates_come_in_the_policy_s_order(tmp_path: Path) -> None:
    store(tmp_path / "db", ["0.9.0", "1.0.0", "1.2.0", "1.10.0", "latest"])
    kube = PolicyFakeKube(policy("web"), repository("app"))
    _, out, _ = describe(kube, tmp_path / "db", names=("web",))
    lines = section(out)
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Candidates:"))
    assert field(out, "Candidates") == "3"
    assert [line.strip() for line in lines[start + 1:start + 4]] == ["1.10.0", "1.2.0", "1.0.0"]
    assert field(out, "Pick") == "1.10.0"
    assert (field(out, "Not Versions"), field(out, "Outside Range")) == ("1", "1")
    assert field(out, "Policy") == "semver range '>=1.0.0' (the highest version in range)"


def test_the_repository_and_its_image_are_named_and_access_allowed(tmp_path: Path) -> None:
    kube = PolicyFakeKube(policy("web"), repository("app"))
    _, out, _ = describe(kube, tmp_path / "db", names=("web",))
    assert field(out, "Repository") == "ns/app"
    assert field(out, "Image") == "registry.invalid/app"
    assert field(out, "Access") == "allowed"


def test_a_missing_repository_is_not_found_with_the_controller_s_text(tmp_path: Path) -> None:
    _, out, _ = describe(PolicyFakeKube(policy("web")), tmp_path / "db", names=("web",))
    assert field(out, "Access") == 'not found: ImageRepository.image.toolkit.fluxcd.io "app" not found'
    assert field(out, "Image") == "<none>"


def test_a_cross_namespace_repository_without_access_from_is_denied(tmp_path: Path) -> None:
    pol = policy("web", imageRepositoryRef={"name": "app", "namespace": "shared"})
    kube = PolicyFakeKube(pol, repository("app", namespace="shared"))
    _, out, _ = describe(kube, tmp_path / "db", names=("web",))
    assert field(out, "Access") == (
        "denied: 'shared/app' can't be accessed due to missing ACL labels on 'accessFrom'")


def test_a_cross_namespace_repository_whose_selector_matches_the_labels_is_allowed(tmp_path: Path) -> None:
    pol = policy("web", imageRepositoryRef={"name": "app", "namespace": "shared"})
    repo = repository("app", namespace="shared",
                      accessFrom={"namespaceSelectors": [{"matchLabels": {"team": "web"}}]})
    kube = PolicyFakeKube(pol, repo)
    kube.labels["ns"] = {"team": "web"}
    _, out, _ = describe(kube, tmp_path / "db", names=("web",))
    assert field(out, "Access") == "allowed"


def test_no_stored_tags_is_the_controller_s_error_and_the_database_is_not_created(tmp_path: Path) -> None:
    kube = PolicyFakeKube(policy("web"), repository("app"))
    _, out, _ = describe(kube, tmp_path / "db", names=("web",))
    assert field(out, "Stored Tags") == "0"
    assert field(out, "Pick") == "<none>"
    assert field(out, "Error") == "no tags in database"
    assert not (tmp_path / "db").exists()


def test_the_filter_counts_what_it_dropped_and_candidates_show_their_extracted_value(tmp_path: Path) -> None:
    store(tmp_path / "db", ["main-3", "main-10", "dev-99", "main-x"])
    pol = policy("web", policy={"numerical": {"order": "asc"}},
                 filterTags={"pattern": "^main-(?P<n>[0-9]+)$", "extract": "$n"})
    _, out, _ = describe(PolicyFakeKube(pol, repository("app")), tmp_path / "db", names=("web",))
    assert field(out, "Filter Tags") == "pattern '^main-(?P<n>[0-9]+)$', extract '$n'"
    assert field(out, "Dropped By Filter") == "2"
    assert field(out, "Not Numbers") == "0"
    assert field(out, "Pick") == "main-10"
    assert "main-10 (extracted 10)" in out


def test_only_the_first_ten_candidates_are_listed(tmp_path: Path) -> None:
    store(tmp_path / "db", [f"1.0.{n}" for n in range(15)])
    _, out, _ = describe(PolicyFakeKube(policy("web"), repository("app")), tmp_path / "db", names=("web",))
    assert field(out, "Candidates") == "15"
    assert "... 5 more" in out
    assert "1.0.4\n" not in out and "1.0.5\n" in out


def test_the_digest_is_latest_ref_s_when_its_tag_is_the_pick(tmp_path: Path) -> None:
    store(tmp_path / "db", ["1.0.0", "1.1.0"])
    pol = policy("web", status=ready("registry.invalid/app", "1.1.0", "sha256:abc"))
    _, out, _ = describe(PolicyFakeKube(pol, repository("app")), tmp_path / "db", names=("web",))
    assert field(out, "Digest") == "sha256:abc"


def test_the_digest_is_none_when_latest_ref_holds_another_tag(tmp_path: Path) -> None:
    store(tmp_path / "db", ["1.0.0", "1.1.0"])
    pol = policy("web", status=ready("registry.invalid/app", "1.0.0", "sha256:abc"))
    _, out, _ = describe(PolicyFakeKube(pol, repository("app")), tmp_path / "db", names=("web",))
    assert field(out, "Digest") == "<none>"


def test_an_invalid_policy_shows_the_stall_message(tmp_path: Path) -> None:
    _, out, _ = describe(PolicyFakeKube(policy("web", policy={}), repository("app")), tmp_path / "db",
                         names=("web",))
    assert field(out, "Policy") == "<none>"
    assert field(out, "Error") == "invalid policy: given ImagePolicyChoice object is invalid"


def test_events_are_read_for_the_image_policy_kind(tmp_path: Path) -> None:
    kube = PolicyFakeKube(policy("web"), repository("app"))
    describe(kube, tmp_path / "db", names=("web",))
    selectors = [dict(query).get("fieldSelector") for verb, path, query in kube.requests
                 if path.endswith("/events")]
    assert selectors == ["involvedObject.name=web,involvedObject.kind=ImagePolicy"]


def test_a_name_matching_nothing_is_kubectl_s_error_and_exit_code_1(tmp_path: Path) -> None:
    code, out, err = describe(PolicyFakeKube(policy("web")), tmp_path / "db", names=("api",))
    assert (code, out) == (1, "")
    assert err == 'Error from server (NotFound): imagepolicies.image.toolkit.fluxcd.io "api" not found\n'


def test_a_name_prefix_describes_the_policies_it_begins(tmp_path: Path) -> None:
    kube = PolicyFakeKube(policy("web-a"), policy("web-b"), policy("api"))
    _, out, _ = describe(kube, tmp_path / "db", names=("web",))
    assert [line.split()[1] for line in out.splitlines() if line.startswith("Name:")] == ["web-a", "web-b"]


def test_an_empty_namespace_says_no_resources_found(tmp_path: Path) -> None:
    assert describe(PolicyFakeKube(repository("app")), tmp_path / "db") == (
        0, "", "No resources found in ns namespace.\n")


def test_a_cluster_without_the_imagepolicy_crd_gets_kubectl_s_error(tmp_path: Path) -> None:
    class Unserved(PolicyFakeKube):
        def list_all(self, path: str, query: Any = (), chunk: int = 500) -> dict[str, Any]:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")

    with pytest.raises(CommandError) as raised:
        describe(Unserved(), tmp_path / "db")
    assert str(raised.value) == 'error: the server doesn\'t have a resource type "imagepolicies"'
