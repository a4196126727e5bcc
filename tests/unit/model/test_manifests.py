"""Manifests read by `reconcile -f`: kept, defaulted and validated as the API server would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.cli import main
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.model.manifests import load_manifests, unrecognized

REPO = """
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {name: app}
spec: {image: ghcr.io/x/y, interval: 5m}
"""


def test_crd_defaults_and_server_metadata_are_filled_in() -> None:
    repo = load_manifests(REPO, "f.yaml", "apps").repositories[0]
    assert repo["metadata"]["namespace"] == "apps"
    assert repo["metadata"]["generation"] == 1
    assert repo["spec"]["exclusionList"] == ["^.*\\.sig$"]
    assert repo["spec"]["provider"] == "generic"
    assert repo["status"] == {"observedGeneration": -1}


def test_secrets_and_service_accounts_are_kept_and_other_kinds_ignored() -> None:
    text = REPO + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\n"
    text += (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n---\napiVersion: v1\nkind: ConfigMap\n"
    )
    found = load_manifests(text, "f.yaml", "apps")
    assert [s["metadata"]["name"] for s in found.secrets] == ["s"]
    assert [a["metadata"]["name"] for a in found.service_accounts] == ["sa"]


def test_a_list_object_is_flattened() -> None:
    text = '{"apiVersion": "v1", "kind": "List", "items": [' + (
        '{"apiVersion": "image.toolkit.fluxcd.io/v1beta2", "kind": "ImageRepository", '
        '"metadata": {"name": "a"}, "spec": {"image": "x.io/a", "interval": "1m"}}]}'
    )
    assert [r["metadata"]["name"] for r in load_manifests(text, "f.json", "ns").repositories] == ["a"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{interval: 5m}", "ImageRepository apps/app: spec.image: Required value"),
        ("{image: x.io/a}", "ImageRepository apps/app: spec.interval: Required value"),
        ("{image: x.io/a, interval: 5x}", 'ImageRepository apps/app: spec.interval: Invalid value: "5x"'),
        (
            "{image: x.io/a, interval: 5m, timeout: 1h}",
            'ImageRepository apps/app: spec.timeout: Invalid value: "1h"',
        ),
        ("{image: x.io/a, interval: 5m, provider: ibm}", 'spec.provider: Unsupported value: "ibm"'),
    ],
)
def test_invalid_specs_are_one_line_errors_naming_object_and_field(spec: str, message: str) -> None:
    head = "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: app}\n"
    text = f"{head}spec: {spec}\n"
    with pytest.raises(InputError) as raised:
        load_manifests(text, "f.yaml", "apps")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_too_many_exclusions_are_refused() -> None:
    patterns = ", ".join(f"p{i}" for i in range(26))
    text = REPO.replace("interval: 5m}", f"interval: 5m, exclusionList: [{patterns}]}}")
    with pytest.raises(InputError, match=r"spec\.exclusionList: Too many: 26: must have at most 25 items"):
        load_manifests(text, "f.yaml", "apps")


def test_invalid_yaml_names_the_file() -> None:
    with pytest.raises(InputError, match=r"f\.yaml"):
        load_manifests("a: [", "f.yaml", "apps")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {"kind": "ImageRepository", "metadata": {"name": "app"}},
            'error: error validating "f.yaml": error validating data: apiVersion not set',
            id="no-api-version",
        ),
        pytest.param(
            {"apiVersion": "image.toolkit.fluxcd.io/v1", "metadata": {"name": "app"}},
            'error: error validating "f.yaml": error validating data: kind not set',
            id="no-kind",
        ),
        pytest.param(
            {"metadata": {"name": "app"}, "spec": {}},
            'error: error validating "f.yaml": error validating data: [apiVersion not set, kind not set]',
            id="neither",
        ),
        pytest.param(
            {
                "apiVersion": "image.toolkit.fluxcd.io/v1",
                "kind": "ImageScanner",
                "metadata": {"name": "a"},
            },
            'error: resource mapping not found for name: "a" namespace: "" from "f.yaml": '
            'no matches for kind "ImageScanner" in version "image.toolkit.fluxcd.io/v1"',
            id="kind-of-the-group-not-served",
        ),
        pytest.param(
            {
                "apiVersion": "image.toolkit.fluxcd.io/v1beta1",
                "kind": "ImageRepository",
                "metadata": {"name": "app", "namespace": "apps"},
            },
            'error: resource mapping not found for name: "app" namespace: "apps" from "f.yaml": '
            'no matches for kind "ImageRepository" in version "image.toolkit.fluxcd.io/v1beta1"',
            id="version-not-served",
        ),
        pytest.param(
            {"apiVersion": "apps/v1", "kind": "ImagePolicy", "metadata": {"name": "p"}},
            'error: resource mapping not found for name: "p" namespace: "" from "f.yaml": '
            'no matches for kind "ImagePolicy" in version "apps/v1"',
            id="read-kind-in-another-group",
        ),
        pytest.param(
            {"apiVersion": "v2", "kind": "Secret", "metadata": "x"},
            'error: resource mapping not found for name: "" namespace: "" from "f.yaml": '
            'no matches for kind "Secret" in version "v2"',
            id="core-kind-in-another-version",
        ),
    ],
)
def test_a_document_the_plugin_cannot_map_gets_kubectls_error(document: dict[str, Any], message: str) -> None:
    assert unrecognized(document, "f.yaml") == message


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("image.toolkit.fluxcd.io/v1", "ImageRepository"),
        ("image.toolkit.fluxcd.io/v1beta2", "ImageRepository"),
        ("image.toolkit.fluxcd.io/v1", "ImagePolicy"),
        ("image.toolkit.fluxcd.io/v1beta2", "ImagePolicy"),
        ("v1", "Secret"),
        ("v1", "ServiceAccount"),
        ("v1", "Namespace"),
        ("v1", "ConfigMap"),
        ("apps/v1", "Deployment"),
        ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"),
    ],
)
def test_kinds_the_plugin_reads_or_another_api_serves_are_not_errors(api_version: str, kind: str) -> None:
    assert (
        unrecognized({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}, "f.yaml") is None
    )


def test_documents_left_out_are_listed_and_the_rest_read() -> None:
    text = "kind: ImageRepository\nmetadata: {name: a}\n---\n" + REPO
    text += "---\napiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageScanner\nmetadata: {name: u}\n"
    found = load_manifests(text, "f.yaml", "apps")
    assert [r["metadata"]["name"] for r in found.repositories] == ["app"]
    assert [line.split(":")[1].strip() for line in found.skipped] == [
        'error validating "f.yaml"',
        "resource mapping not found for name",
    ]


def test_a_file_without_image_repositories_is_an_error() -> None:
    with pytest.raises(InputError, match="no ImageRepository or ImagePolicy objects found"):
        load_manifests("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n", "f.yaml", "apps")


# -- `reconcile -f` with hostile files: the exit code and one line naming the object and field ------------

CANARY = "canary-s3cr3t-9d2e"
HEAD = (
    "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: app, namespace: apps}\n"
)
# Port 1 on loopback refuses at once, so a scan that does start ends quickly and offline.
OFFLINE = "{image: '127.0.0.1:1/app', interval: 1m"
SECRET = "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: apps}\n"
# 9 strings, each level 9 aliases of the one before: 9**8 strings once expanded ("billion laughs").
ALIAS_BOMB = (
    HEAD
    + "spec:\n  image: a.io/b\n  interval: 1m\n  x:\n    l0: &l0 [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"    l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 8))
)


def reconcile_file(
    content: str | bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """Run `kubectl imagerepo reconcile -f FILE` in process: (exit code, stdout, stderr)."""
    manifest = tmp_path / "manifest.yaml"
    if isinstance(content, str):
        manifest.write_text(content)
    else:
        manifest.write_bytes(content)
    empty = tmp_path / "kubeconfig"
    empty.write_text("apiVersion: v1\nkind: Config\n")
    monkeypatch.setenv("KUBECONFIG", str(empty))
    with pytest.raises(SystemExit) as exited:
        main(["reconcile", "-f", str(manifest), "--database", str(tmp_path / "tags.sqlite3")])
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err.replace(str(manifest), "FILE")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("a: [\n", "error: FILE (line 2): not valid YAML or JSON", id="not-yaml"),
        pytest.param("\tkey: v\n", "error: FILE (line 1): not valid YAML or JSON", id="tab-indent"),
        pytest.param(HEAD.encode() + b"spec: {image: \xff}\n", "error: FILE: not valid UTF-8", id="not-utf8"),
        pytest.param("[" * 1500 + "]" * 1500, "error: FILE: nested too deeply", id="deep-nesting"),
        pytest.param(
            HEAD + "spec: {image: a.io/b, interval: 1m, x: &a [*a]}\n",
            "error: FILE: a YAML alias refers to the node that contains it",
            id="recursive-alias",
        ),
        pytest.param(ALIAS_BOMB, "error: FILE: document contains excessive aliasing", id="alias-bomb"),
        pytest.param("42\n", "error: FILE: expected an object, got int", id="scalar-document"),
        pytest.param("- a\n- b\n", "error: FILE: expected an object, got list", id="list-document"),
        pytest.param(
            "apiVersion: v1\nkind: List\nitems: 5\n",
            "error: FILE: items: expected a list, got int",
            id="items",
        ),
        pytest.param(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            "error: FILE: no ImageRepository or ImagePolicy objects found",
            id="no-kind-to-reconcile",
        ),
        pytest.param(
            HEAD.replace("{name: app, namespace: apps}", "x") + "spec: {}\n",
            "ImageRepository: metadata.name: Required value",
            id="metadata-not-object",
        ),
        pytest.param(HEAD + "spec: hello\n", "ImageRepository apps/app: spec: Required value", id="spec"),
        pytest.param(
            HEAD + "spec: {interval: 1m}\n",
            "ImageRepository apps/app: spec.image: Required value",
            id="image",
        ),
        pytest.param(
            HEAD + "spec: {image: [a], interval: 1m}\n",
            "ImageRepository apps/app: spec.image: expected a string",
            id="image-not-string",
        ),
        pytest.param(
            HEAD + "spec: {image: a.io/b, interval: 5}\n",
            'ImageRepository apps/app: spec.interval: Invalid value: "5"',
            id="interval-number",
        ),
        pytest.param(
            HEAD + "spec: {image: a.io/b, interval: 1m, timeout: -1s}\n",
            'ImageRepository apps/app: spec.timeout: Invalid value: "-1s"',
            id="timeout",
        ),
        pytest.param(
            HEAD + "spec: {image: a.io/b, interval: 1m, exclusionList: '.*'}\n",
            "ImageRepository apps/app: spec.exclusionList: expected a list of strings",
            id="exclusion-list",
        ),
        pytest.param(
            HEAD + "spec: {image: a.io/b, interval: 1y, padding: '" + "x" * 4_000_000 + "'}\n",
            'ImageRepository apps/app: spec.interval: Invalid value: "1y"',
            id="huge-document",
        ),
        pytest.param(
            HEAD + f"spec: {OFFLINE}}}\n{SECRET}data: '{CANARY}'\n",
            "Secret apps/s: data: expected an object",
            id="secret-data-not-object",
        ),
        pytest.param(
            HEAD + f"spec: {OFFLINE}}}\n---\napiVersion: v1\nkind: Secret\nmetadata: '{CANARY}'\n",
            "Secret: metadata.name: Required value",
            id="secret-metadata",
        ),
        pytest.param(
            HEAD
            + f"spec: {OFFLINE}}}\n---\napiVersion: v1\nkind: ServiceAccount\n"
            + "metadata: {name: sa, namespace: apps}\nimagePullSecrets: 5\n",
            "ServiceAccount apps/sa: imagePullSecrets: expected a list of objects",
            id="service-account-pull-secrets",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_exit_2_and_one_line(
    content: str | bytes,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = reconcile_file(content, tmp_path, monkeypatch, capsys)
    assert code == 2
    assert err.startswith(message), err
    assert len(err.splitlines()) == 1, err
    assert out == ""
    assert CANARY not in err


@pytest.mark.parametrize(
    ("spec", "secret", "message"),
    [
        pytest.param(
            "secretRef: {name: s}",
            f"type: kubernetes.io/dockerconfigjson\ndata: {{.dockerconfigjson: '{CANARY}!'}}",
            "secret 'apps/s': key '.dockerconfigjson': illegal base64 data at input byte 6",
            id="pull-secret-bad-base64",
        ),
        pytest.param(
            "secretRef: {name: s}",
            "type: kubernetes.io/dockerconfigjson\n"
            f'stringData: {{.dockerconfigjson: \'{{"auths": {{"x.io": {{"auth": "{CANARY}"}}}}}}\'}}',
            "unable to decode auth field: illegal base64 data at input byte 6",
            id="pull-secret-bad-auth-field",
        ),
        pytest.param(
            "secretRef: {name: s}",
            "type: kubernetes.io/dockerconfigjson\n"
            f'stringData: {{.dockerconfigjson: \'{{"auths": "{CANARY}"\'}}',
            "unexpected end of JSON input",
            id="pull-secret-cut-json",
        ),
        pytest.param(
            "secretRef: {name: s}",
            f"type: kubernetes.io/dockerconfigjson\ndata: {{.dockerconfigjson: 5, password: '{CANARY}'}}",
            "secret 'apps/s': key '.dockerconfigjson': expected a base64 string",
            id="pull-secret-value-not-string",
        ),
        pytest.param(
            "secretRef: {name: missing}",
            "data: {}",
            'secrets "missing" not found',
            id="pull-secret-missing",
        ),
        pytest.param(
            "certSecretRef: {name: s}",
            f"stringData: {{password: '{CANARY}'}}",
            "secret 'apps/s' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'",
            id="cert-secret-missing-keys",
        ),
        pytest.param(
            "certSecretRef: {name: s}",
            f"data: {{ca.crt: '{CANARY}'}}",
            "secret 'apps/s': key 'ca.crt': illegal base64 data at input byte 6",
            id="cert-secret-bad-base64",
        ),
        pytest.param(
            "certSecretRef: {name: s}",
            f"stringData: {{ca.crt: '{CANARY}'}}",
            "failed to parse CA certificate",
            id="cert-secret-not-pem",
        ),
        pytest.param(
            "proxySecretRef: {name: s}",
            f"stringData: {{password: '{CANARY}'}}",
            "secret 'apps/s': key 'address' not found",
            id="proxy-secret-missing-address",
        ),
        pytest.param(
            "secretRef: {name: s}",
            f"type: Opaque\nstringData: {{.dockerconfigjson: '{CANARY}'}}",
            "connect: connection refused",  # another type is ignored, as by the controller: anonymous scan
            id="pull-secret-of-another-type",
        ),
    ],
)
def test_a_bad_secret_fails_the_reconcile_with_exit_1_and_never_shows_its_value(
    spec: str,
    secret: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    content = HEAD + f"spec: {OFFLINE}, {spec}}}\n{SECRET}{secret}\n"
    code, out, err = reconcile_file(content, tmp_path, monkeypatch, capsys)
    assert code == 1
    assert err.splitlines() == ["◎ reconciling ImageRepository apps/app from FILE", err.splitlines()[-1]]
    assert err.splitlines()[-1].startswith("✗ ")
    assert err.splitlines()[-1].endswith(message), err
    assert "Traceback" not in err
    assert CANARY not in err and CANARY not in out
    assert "status:" in out  # the object is still printed with its failed status


def test_documents_left_out_are_named_after_the_reconcile_and_make_the_exit_code_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = "kind: ImageRepository\nmetadata: {name: a}\n---\n" + HEAD + f"spec: {OFFLINE}}}\n"
    code, out, err = reconcile_file(content, tmp_path, monkeypatch, capsys)
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == "◎ reconciling ImageRepository apps/app from FILE"
    assert lines[-1] == 'error: error validating "FILE": error validating data: apiVersion not set'
    assert "name: app" in out  # the document read is still reconciled and printed


def test_a_file_of_documents_left_out_only_prints_their_errors_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageScanner\nmetadata: {name: u}\n"
    code, out, err = reconcile_file(content + "---\nmetadata: {name: x}\n", tmp_path, monkeypatch, capsys)
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        'error: resource mapping not found for name: "u" namespace: "" from "FILE": '
        'no matches for kind "ImageScanner" in version "image.toolkit.fluxcd.io/v1"',
        'error: error validating "FILE": error validating data: [apiVersion not set, kind not set]',
    ]


def test_an_image_update_automation_is_read_by_automation_and_passes_reconcile_unremarked() -> None:
    doc = {"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageUpdateAutomation"}
    assert unrecognized({**doc, "metadata": {"name": "u"}}, "f.yaml") is None
