"""Many repositories: 1000 ImageRepositories over 10 registries, ours against image-reflector-controller.

Each side owns its own copy of the objects, in its own namespace and with its own `bench-side` label:
`kubectl-imagerepo reconcile --all`, `kubectl-imagerepo run` and image-reflector-controller (built by
hack/benchbin.sh, run outside the cluster against the same API server with `--watch-label-selector`).
Half the registries are anonymous, half use token authentication (the harness's TokenServer, with
a dockerconfigjson Secret). The sides run one after the other with the same concurrency; for each:
the time from its start until every one of its objects is Ready (seen through a watch), its peak
memory, the API requests it made (`apiserver_request_total` before and after, minus the bench's own)
and the registry and token requests it made (registry access logs, token server records).

Run: python bench/manyrepos.py   (make bench runs it; writes bench/results/manyrepos.json)
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    GROUP_PATH,
    BenchRegistry,
    Outcome,
    ReadyWatch,
    Row,
    benchbin,
    flux_crds,
    irc_argv,
    measure_side,
    render,
    run_available,
    run_child,
    seed_storage,
    start_registries,
    start_timed,
    write_results,
)
from tests.harness.environment import CRD_FILE, Environment, start_environment  # noqa: E402
from tests.harness.pki import CertificateAuthority  # noqa: E402
from tests.harness.secure_registries import PASSWORD, USER, TokenServer  # noqa: E402

OBJECTS = int(os.environ.get("BENCH_OBJECTS", "1000"))
REGISTRIES = 10
TOKEN_REGISTRIES = 5
TAGS_PER_REPOSITORY = 20
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
TIMEOUT = float(os.environ.get("BENCH_READY_TIMEOUT", "600"))
SECTION = f"{OBJECTS} ImageRepositories, {REGISTRIES} registries, concurrency {CONCURRENCY}"


# -- the objects ---------------------------------------------------------------------------------------


def create_objects(env: Environment, namespace: str, side: str, registries: list[BenchRegistry]) -> None:
    """The side's namespace, its registry Secret and its OBJECTS ImageRepositories."""
    env.plane.create_namespace(namespace)
    auths = {
        r.host: {
            "username": USER,
            "password": PASSWORD,
            "auth": base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
        }
        for r in registries
        if r.token
    }
    per_registry = OBJECTS // REGISTRIES
    with env.plane.session() as s:
        s.headers["Content-Type"] = "application/json"

        def post(path: str, body: dict[str, Any]) -> None:
            answer = s.post(env.plane.url + path, data=json.dumps(body), timeout=30)
            if answer.status_code != 201:
                raise RuntimeError(f"POST {path}: {answer.status_code} {answer.text}")

        post(
            f"/api/v1/namespaces/{namespace}/secrets",
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "registry-auth"},
                "type": "kubernetes.io/dockerconfigjson",
                "data": {
                    ".dockerconfigjson": base64.b64encode(json.dumps({"auths": auths}).encode()).decode()
                },
            },
        )
        for i, registry in enumerate(registries):
            for j in range(per_registry):
                spec: dict[str, Any] = {
                    "image": f"{registry.host}/bench/r{j:03d}",
                    "interval": "60m",
                    "insecure": True,
                }
                if registry.token:
                    spec["secretRef"] = {"name": "registry-auth"}
                post(
                    f"{GROUP_PATH}/namespaces/{namespace}/imagerepositories",
                    {
                        "apiVersion": "image.toolkit.fluxcd.io/v1",
                        "kind": "ImageRepository",
                        "metadata": {"name": f"r{i:02d}-{j:03d}", "labels": {"bench-side": side}},
                        "spec": spec,
                    },
                )


# -- the sides -----------------------------------------------------------------------------------------


def crd_compatibility(module_dir: Path) -> str:
    """How the harness's ImageRepository CRD (the plugin's) compares with the controller's own."""
    ours = yaml.safe_load(CRD_FILE.read_text())
    theirs_file = flux_crds(module_dir) / "image.toolkit.fluxcd.io_imagerepositories.yaml"
    theirs = yaml.safe_load(theirs_file.read_text())

    def without_descriptions(schema: Any) -> Any:
        if isinstance(schema, dict):
            return {k: without_descriptions(v) for k, v in schema.items() if k != "description"}
        if isinstance(schema, list):
            return [without_descriptions(v) for v in schema]
        return schema

    def versions(crd: dict[str, Any]) -> dict[str, tuple[bool, bool, Any]]:
        return {
            v["name"]: (v["served"], v["storage"], without_descriptions(v["schema"]["openAPIV3Schema"]))
            for v in crd["spec"]["versions"]
        }

    mine, flux = versions(ours), versions(theirs)
    storage = [n for n, (_, s, _) in mine.items() if s]
    flux_storage = [n for n, (_, s, _) in flux.items() if s]
    same_schema = mine.get("v1", (0, 0, None))[2] == flux.get("v1", (0, 0, None))[2]
    return (
        f"storage {storage} (controller: {flux_storage}); "
        f"served {sorted(mine)} (controller: {sorted(flux)}); "
        f"v1 schema {'identical apart from descriptions' if same_schema else 'differs'}"
    )


def main() -> tuple[list[Row], dict[str, Any]]:
    tools = benchbin()
    module_dir = Path((tools / "irc-module-dir").read_text().strip())
    plugin = Path(sys.executable).parent / "kubectl-imagerepo"
    outcomes: dict[str, Outcome] = {}
    extra: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        env = start_environment(work)
        tokens: TokenServer | None = None
        registries: list[BenchRegistry] = []
        try:
            policy_crd = flux_crds(module_dir) / "image.toolkit.fluxcd.io_imagepolicies.yaml"
            env.plane.install_crd(yaml.safe_load(policy_crd.read_text()))
            extra["crd"] = crd_compatibility(module_dir)
            ca = CertificateAuthority(work / "bench-pki")
            tokens = TokenServer(ca, lifetime=300)
            storage = seed_storage(env.binaries.registry, work, OBJECTS // REGISTRIES, TAGS_PER_REPOSITORY)
            registries = start_registries(
                env.binaries.registry, work, storage, ca, tokens, REGISTRIES, TOKEN_REGISTRIES
            )
            run_env = {**env.path_env(), "KUBECONFIG": str(env.plane.admin_kubeconfig)}
            sides = {"reconcile": "bench-reconcile", "run": "bench-run", "flux": "bench-flux"}
            for side, namespace in sides.items():
                create_objects(env, namespace, side, registries)

            def watch(side: str) -> ReadyWatch:
                return ReadyWatch(env, f"{GROUP_PATH}/namespaces/{sides[side]}/imagerepositories", OBJECTS)

            def reconcile_all() -> float:
                argv = [str(plugin), "reconcile", "--all", "-n", sides["reconcile"],
                        "--concurrency", str(CONCURRENCY), "--database", str(work / "reconcile.sqlite3")]
                return run_child(argv, run_env)[1]

            outcomes["reconcile"] = measure_side(
                env, "reconcile --all", watch("reconcile"), registries, tokens, reconcile_all, TIMEOUT
            )

            if run_available(plugin, run_env):

                def run_controller() -> list[tuple[subprocess.Popen[bytes], Path]]:
                    argv = [str(plugin), "run", "-n", sides["run"], "--concurrent", str(CONCURRENCY),
                            "--watch-label-selector", "bench-side=run",
                            "--database", str(work / "run.sqlite3")]
                    return [start_timed("kubectl-imagerepo-run", argv, work, run_env)]

                outcomes["run"] = measure_side(
                    env, "run", watch("run"), registries, tokens, run_controller, TIMEOUT
                )

            def flux() -> list[tuple[subprocess.Popen[bytes], Path]]:
                argv = irc_argv(tools, "bench-side=flux", CONCURRENCY, work, "irc")
                return [start_timed("image-reflector-controller", argv, work, run_env)]

            outcomes["flux"] = measure_side(
                env, "image-reflector-controller", watch("flux"), registries, tokens, flux, TIMEOUT
            )
        finally:
            for registry in registries:
                registry.server.stop()
            if tokens is not None:
                tokens.stop()
            env.stop()
    rows = rows_of(outcomes)
    extra["outcomes"] = {k: vars(v) for k, v in outcomes.items()}
    write_results("manyrepos", rows, concurrency=CONCURRENCY, objects=OBJECTS, **extra)
    return rows, extra


def rows_of(outcomes: dict[str, Outcome]) -> list[Row]:
    flux = outcomes["flux"]
    rows: list[Row] = []
    for key, label in (("reconcile", "reconcile --all"), ("run", "run")):
        ours = outcomes.get(key)
        missing = "n/a (run not available)" if ours is None else ""
        note = missing or "; ".join(n for n in (ours.note if ours else "", flux.note) if n)
        rows += [
            Row(SECTION, f"time until all Ready: {label} vs IRC", label,
                ours.ready_seconds if ours else None, "IRC", flux.ready_seconds,
                ours_mb=ours.peak_mb if ours else None, reference_mb=flux.peak_mb, note=note),
            Row(SECTION, f"API requests: {label} vs IRC", label, ours.api_requests if ours else None,
                "IRC", flux.api_requests, unit="req", note=missing),
            Row(SECTION, f"registry requests: {label} vs IRC", label,
                ours.registry_requests if ours else None, "IRC", flux.registry_requests, unit="req",
                note=missing),
            Row(SECTION, f"token requests: {label} vs IRC", label, ours.token_requests if ours else None,
                "IRC", flux.token_requests, unit="req", note=missing),
        ]
    return rows


if __name__ == "__main__":
    table_rows, details = main()
    print(render(table_rows))
    print(f"CRD: {details['crd']}")
