"""`policy get`: the ImagePolicy table through the flow of `get`, and the flags it shares."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_imagerepo.commands.get import GetOptions
from kubectl_imagerepo.commands.policy.get import policy_listing
from kubectl_imagerepo.kube.client import ApiError
from kubectl_imagerepo.model.errors import CommandError
from tests.unit.commands.fakes import Done, captured, factory, repository
from tests.unit.commands.policy_fakes import PolicyFakeKube, policy, ready


def get(kube: PolicyFakeKube, **flags: Any) -> tuple[int, str, str]:
    options = GetOptions.complete(factory(kube), listing=policy_listing(), **flags)
    options.validate()
    streams, out, err = captured()
    return options.run(kube, streams), out.getvalue(), err.getvalue()


def test_the_table_has_the_crd_s_printer_columns() -> None:
    kube = PolicyFakeKube(policy("web", status=ready("ghcr.io/x/app", "1.2.3")), repository("app"))
    code, out, err = get(kube)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "IMAGE", "TAG", "READY", "STATUS", "AGE"]
    assert lines[1].split()[:5] == ["web", "ghcr.io/x/app", "1.2.3", "True", "Latest"]
    assert "Latest image tag for ghcr.io/x/app resolved to 1.2.3" in lines[1]
    assert len(lines) == 2


def test_only_image_policies_are_listed_not_image_repositories() -> None:
    kube = PolicyFakeKube(repository("app"), policy("web"))
    _, out, _ = get(kube, no_headers=True)
    assert [line.split()[0] for line in out.splitlines()] == ["web"]
    listed = [path for verb, path, _ in kube.requests if verb == "LIST"]
    assert listed == ["/apis/image.toolkit.fluxcd.io/v1/namespaces/ns/imagepolicies"]


def test_a_missing_name_is_the_api_server_s_imagepolicy_not_found() -> None:
    code, out, err = get(PolicyFakeKube(policy("web")), names=("web", "gone"), output="name")
    assert code == 1
    assert out == "imagepolicy.image.toolkit.fluxcd.io/web\n"
    assert err == 'Error from server (NotFound): imagepolicies.image.toolkit.fluxcd.io "gone" not found\n'


def test_an_empty_namespace_says_no_resources_found() -> None:
    assert get(PolicyFakeKube(repository("app"))) == (0, "", "No resources found in ns namespace.\n")


def test_status_selector_filters_on_the_ready_condition() -> None:
    kube = PolicyFakeKube(policy("done", status=ready("img", "1.0.0")), policy("new"))
    _, out, _ = get(kube, status_selector="ready=true", no_headers=True)
    assert [line.split()[0] for line in out.splitlines()] == ["done"]


def test_all_namespaces_prepends_the_namespace_column() -> None:
    kube = PolicyFakeKube(policy("a"), policy("b", namespace="other"))
    _, out, _ = get(kube, all_namespaces=True)
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["NAMESPACE", "NAME"]
    assert [line.split()[:2] for line in lines[1:]] == [["ns", "a"], ["other", "b"]]


def test_label_selector_is_sent_to_the_server() -> None:
    kube = PolicyFakeKube(policy("a", labels={"team": "x"}), policy("b"))
    _, out, _ = get(kube, selector="team=x", no_headers=True)
    assert [line.split()[0] for line in out.splitlines()] == ["a"]


def test_wide_adds_repository_policy_digest_and_previous() -> None:
    status = ready("img", "1.1.0", "sha256:abc", observedPreviousRef={"name": "img", "tag": "1.0.0"})
    kube = PolicyFakeKube(policy("web", status=status, policy={"numerical": {"order": "desc"}}))
    _, out, _ = get(kube, output="wide")
    header, line = out.splitlines()
    assert header.split()[-4:] == ["REPOSITORY", "POLICY", "DIGEST", "PREVIOUS"]
    assert line.split()[-5:] == ["app", "numerical", "desc", "sha256:abc", "img:1.0.0"]


def test_json_output_is_the_object_itself_for_one_name() -> None:
    import json

    _, out, _ = get(PolicyFakeKube(policy("web")), names=("web",), output="json")
    assert json.loads(out)["kind"] == "ImagePolicy"


def test_watch_reads_the_imagepolicies_resource() -> None:
    kube = PolicyFakeKube(policy("a"))
    changed = policy("b", status=ready("img", "2.0.0"))
    kube.watches = [[{"type": "ADDED", "object": changed}]]
    options = GetOptions.complete(factory(kube), listing=policy_listing(), watch=True, no_headers=True)
    streams, out, _ = captured()
    with pytest.raises(Done):
        options.run(kube, streams)
    assert [line.split()[:3] for line in out.getvalue().splitlines()] == [
        ["a", "<none>", "<none>"], ["b", "img", "2.0.0"]]
    assert next(path for verb, path, _ in kube.requests if verb == "WATCH").endswith("/ns/imagepolicies")


def test_a_cluster_without_the_imagepolicy_crd_gets_kubectl_s_error() -> None:
    class Unserved(PolicyFakeKube):
        def list_all(self, path: str, query: Any = (), chunk: int = 500) -> dict[str, Any]:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")

    with pytest.raises(CommandError) as raised:
        get(Unserved())
    assert str(raised.value) == 'error: the server doesn\'t have a resource type "imagepolicies"'
