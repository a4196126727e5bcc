"""Shared listings at scale: thousands of ImageRepositories over hundreds of images, ours and the controller.

Full size (issue 21): 5,000 ImageRepositories in 50 namespaces over 500 distinct images on 10 registries
(five behind token authentication; every namespace has its own pull Secret, all of identical content),
each image watched from 10 namespaces, plus 500 ImageRepositories on the token registries whose Secrets
hold credentials of their own (each its own identity: they must not share). `--quick` is a tenth of it.

Three sides, one after the other, each on its own copy of the objects (label `bench-side`):
`kubectl-imagerepo run` as one process, three `run` replicas sharded by image with
`--watch-label-selector`, and image-reflector-controller v1.2.0 (hack/benchbin.sh), all with
`--concurrent 4` per process. For each: time until every object is Ready, registry, token and API
requests until then, peak memory (the sum over the replicas), then a steady phase at `interval: 1m` with
registry requests and tag listings per minute. Last, a sample of statuses is compared with the
controller's field for field, except `scanTime` and the conditions' `lastTransitionTime`.

Run: python bench/shared.py [--quick]   (make bench runs the full size; writes bench/results/shared.json)
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    GROUP_PATH,
    BenchRegistry,
    Launched,
    Outcome,
    ReadyWatch,
    Row,
    benchbin,
    flux_crds,
    irc_argv,
    load_average,
    measure_side,
    render,
    seed_storage,
    start_registries,
    start_timed,
    write_results,
)
from tests.harness.environment import Environment, start_environment  # noqa: E402
from tests.harness.pki import CertificateAuthority  # noqa: E402
from tests.harness.processes import free_port  # noqa: E402
from tests.harness.secure_registries import PASSWORD, USER, TokenServer  # noqa: E402

REGISTRIES = 10
TOKEN_REGISTRIES = 5
TAGS_PER_REPOSITORY = 20
CONCURRENCY = 4
REPLICAS = 3
INTERVAL = "1m"
TIMEOUT = float(os.environ.get("BENCH_READY_TIMEOUT", "1800"))
SAMPLE = 60


@dataclass(frozen=True)
class Size:
    """How many objects, and how long the steady phase lasts."""

    namespaces: int
    per_namespace: int
    images: int
    differing: int
    steady_seconds: int

    @property
    def shared(self) -> int:
        return self.namespaces * self.per_namespace

    @property
    def total(self) -> int:
        return self.shared + self.differing

    @property
    def identities(self) -> int:
        """Distinct listings an interval needs: one per image, one per object with its own credentials."""
        return self.images + self.differing


FULL = Size(namespaces=50, per_namespace=100, images=500, differing=500, steady_seconds=300)
QUICK = Size(namespaces=5, per_namespace=100, images=50, differing=50, steady_seconds=120)
SIDES = {"run": "run", "sharded": f"run x{REPLICAS} (sharded)", "flux": "IRC"}


def size_from_environment(quick: bool) -> Size:
    """FULL or QUICK; BENCH_SHARED_SCALE (e.g. 0.4) scales FULL's counts, BENCH_STEADY_SECONDS its phase."""
    base = QUICK if quick else FULL
    scale = float(os.environ.get("BENCH_SHARED_SCALE", "1"))
    steady = int(os.environ.get("BENCH_STEADY_SECONDS", str(base.steady_seconds)))
    if scale == 1:
        return Size(base.namespaces, base.per_namespace, base.images, base.differing, steady)
    return Size(
        max(1, round(FULL.namespaces * scale)), FULL.per_namespace, max(10, round(FULL.images * scale)),
        max(10, round(FULL.differing * scale)), steady,
    )


# -- the objects ---------------------------------------------------------------------------------------


def image_of(registries: list[BenchRegistry], index: int) -> tuple[str, BenchRegistry]:
    """Image `index`: registry index % 10, repository index // 10 (token registries come first)."""
    registry = registries[index % len(registries)]
    return f"{registry.host}/bench/r{index // len(registries):03d}", registry


def token_images(size: Size, registries: list[BenchRegistry]) -> list[int]:
    return [i for i in range(size.images) if image_of(registries, i)[1].token]


def differing_account(n: int) -> tuple[str, str]:
    return f"tenant-{n:03d}", f"secret-{n:03d}-e41c"


def dockerconfig(registries: list[BenchRegistry], user: str, password: str) -> dict[str, Any]:
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    auths = {r.host: {"username": user, "password": password, "auth": auth} for r in registries if r.token}
    body = json.dumps({"auths": auths}).encode()
    return {".dockerconfigjson": base64.b64encode(body).decode()}


def namespace_of(side: str, k: int) -> str:
    return f"{side}-{k:02d}"


def object_specs(size: Size, registries: list[BenchRegistry], side: str) -> list[tuple[str, dict[str, Any]]]:
    """(collection path, body) of every Secret and ImageRepository of one side, Secrets first."""
    secrets: list[tuple[str, dict[str, Any]]] = []
    repositories: list[tuple[str, dict[str, Any]]] = []
    tokened = token_images(size, registries)

    def secret(namespace: str, name: str, data: dict[str, Any]) -> None:
        secrets.append((f"/api/v1/namespaces/{namespace}/secrets", {
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
            "type": "kubernetes.io/dockerconfigjson", "data": data,
        }))

    def repository(namespace: str, name: str, index: int, secret_name: str | None) -> None:
        image, registry = image_of(registries, index)
        spec: dict[str, Any] = {"image": image, "interval": INTERVAL, "insecure": True}
        if registry.token and secret_name:
            spec["secretRef"] = {"name": secret_name}
        labels = {"bench-side": side, "bench-shard": str(index % REPLICAS)}
        repositories.append((f"{GROUP_PATH}/namespaces/{namespace}/imagerepositories", {
            "apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageRepository",
            "metadata": {"name": name, "labels": labels}, "spec": spec,
        }))

    for k in range(size.namespaces):
        namespace = namespace_of(side, k)
        secret(namespace, "registry-auth", dockerconfig(registries, USER, PASSWORD))
        for m in range(size.per_namespace):
            repository(namespace, f"s{m:03d}", (k * size.per_namespace + m) % size.images, "registry-auth")
    for n in range(size.differing):
        namespace = namespace_of(side, n % size.namespaces)
        secret(namespace, f"auth-d{n:03d}", dockerconfig(registries, *differing_account(n)))
        repository(namespace, f"d{n:03d}", tokened[n % len(tokened)], f"auth-d{n:03d}")
    return secrets + repositories


def create_side(env: Environment, size: Size, registries: list[BenchRegistry], side: str) -> None:
    """The side's namespaces, Secrets and ImageRepositories, posted by a few threads."""
    for k in range(size.namespaces):
        env.plane.create_namespace(namespace_of(side, k))
    local = threading.local()

    def post(item: tuple[str, dict[str, Any]]) -> None:
        if not hasattr(local, "session"):
            local.session = env.plane.session()
            local.session.headers["Content-Type"] = "application/json"
        path, body = item
        answer = local.session.post(env.plane.url + path, data=json.dumps(body), timeout=60)
        if answer.status_code != 201:
            raise RuntimeError(f"POST {path}: {answer.status_code} {answer.text}")

    specs = object_specs(size, registries, side)
    secrets = [s for s in specs if s[1]["kind"] == "Secret"]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(post, secrets))
        list(pool.map(post, [s for s in specs if s[1]["kind"] != "Secret"]))


# -- the steady phase ----------------------------------------------------------------------------------


def listings_metric(addresses: list[str]) -> dict[str, float]:
    """`kubectl_imagerepo_registry_listings` by outcome, summed over `run` processes' metrics."""
    totals: dict[str, float] = {}
    for address in addresses:
        with urllib.request.urlopen(f"http://{address}/metrics", timeout=30) as answer:
            text = answer.read().decode()
        for line in text.splitlines():
            if line.startswith("kubectl_imagerepo_registry_listings{"):
                labels, _, value = line.rpartition(" ")
                outcome = labels.split('outcome="', 1)[1].split('"', 1)[0]
                totals[outcome] = totals.get(outcome, 0.0) + float(value)
    return totals


def steady(registries: list[BenchRegistry], seconds: int, metrics: list[str]) -> dict[str, Any]:
    """Registry requests and tag listings in each minute of a `seconds` long phase (the last one partial
    minutes scaled to a minute), and `run`'s own listing counters over the phase."""
    before_metrics = listings_metric(metrics) if metrics else {}
    requests_per_minute: list[float] = []
    listings_per_minute: list[float] = []
    remaining = float(seconds)
    while remaining > 0:
        span = min(60.0, remaining)
        requests = sum(r.requests_so_far() for r in registries)
        listings = sum(r.listings_so_far() for r in registries)
        time.sleep(span)
        requests_per_minute.append((sum(r.requests_so_far() for r in registries) - requests) * 60 / span)
        listings_per_minute.append((sum(r.listings_so_far() for r in registries) - listings) * 60 / span)
        remaining -= span
    after_metrics = listings_metric(metrics) if metrics else {}
    return {
        "requests_per_minute": requests_per_minute,
        "listings_per_minute": listings_per_minute,
        "run_listings": {k: after_metrics[k] - before_metrics.get(k, 0.0) for k in after_metrics},
    }


# -- statuses ------------------------------------------------------------------------------------------


def comparable(status: dict[str, Any]) -> dict[str, Any]:
    """A status without the times a second scan cannot repeat: `scanTime`, `lastTransitionTime`."""
    copy = json.loads(json.dumps(status))
    copy.get("lastScanResult", {}).pop("scanTime", None)
    for condition in copy.get("conditions") or []:
        condition.pop("lastTransitionTime", None)
    return copy


def compare_statuses(env: Environment, size: Size, side: str, reference: str) -> dict[str, Any]:
    """How many of a sample of objects have the same status on `side` as on `reference`."""
    names = [(k, f"s{m:03d}") for k in range(size.namespaces) for m in range(size.per_namespace)]
    names = names[:: max(1, len(names) // SAMPLE)]
    step = max(1, size.differing // 10)
    names += [(n % size.namespaces, f"d{n:03d}") for n in range(0, size.differing, step)]
    equal = 0
    differences: list[str] = []
    with env.plane.session() as s:
        for k, name in names:
            statuses = []
            for which in (side, reference):
                path = f"{GROUP_PATH}/namespaces/{namespace_of(which, k)}/imagerepositories/{name}"
                statuses.append(comparable(s.get(env.plane.url + path, timeout=60).json().get("status", {})))
            if statuses[0] == statuses[1]:
                equal += 1
            elif len(differences) < 3:
                differences.append(f"{k}/{name}: {json.dumps(statuses[0])} != {json.dumps(statuses[1])}")
    return {"sampled": len(names), "equal": equal, "differences": differences}


# -- the run -------------------------------------------------------------------------------------------


def main(quick: bool = False) -> tuple[list[Row], dict[str, Any]]:
    size = size_from_environment(quick)
    tools = benchbin()
    module_dir = Path((tools / "irc-module-dir").read_text().strip())
    plugin = Path(sys.executable).parent / "kubectl-imagerepo"
    outcomes: dict[str, Outcome] = {}
    extra: dict[str, Any] = {"size": vars(size), "identities": size.identities, "load_before": load_average()}

    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        env = start_environment(work)
        tokens: TokenServer | None = None
        registries: list[BenchRegistry] = []
        try:
            policy_crd = flux_crds(module_dir) / "image.toolkit.fluxcd.io_imagepolicies.yaml"
            env.plane.install_crd(yaml.safe_load(policy_crd.read_text()))
            ca = CertificateAuthority(work / "bench-pki")
            tokens = token_server = TokenServer(
                ca, lifetime=300, accounts=dict(map(differing_account, range(size.differing)))
            )
            repositories = -(-size.images // REGISTRIES)
            storage = seed_storage(env.binaries.registry, work, repositories, TAGS_PER_REPOSITORY)
            registries = start_registries(
                env.binaries.registry, work, storage, ca, tokens, REGISTRIES, TOKEN_REGISTRIES
            )
            run_env = {**env.path_env(), "KUBECONFIG": str(env.plane.admin_kubeconfig)}
            for side in SIDES:
                started = time.monotonic()
                create_side(env, size, registries, side)
                print(f"shared: created {size.total} objects for {side} in {time.monotonic() - started:.0f}s",
                      flush=True)

            def plugin_side(side: str, replicas: int) -> Outcome:
                addresses: list[str] = []

                def launch() -> Launched:
                    launched = []
                    for shard in range(replicas):
                        address = f"127.0.0.1:{free_port()}"
                        addresses.append(address)
                        selector = f"bench-side={side}" + (f",bench-shard={shard}" if replicas > 1 else "")
                        argv = [str(plugin), "run", "-A", "--concurrent", str(CONCURRENCY),
                                "--watch-label-selector", selector, "--metrics-addr", address,
                                "--log-level", "error", "--database", str(work / f"{side}-{shard}.sqlite3")]
                        launched.append(start_timed(f"{side}-{shard}", argv, work, run_env))
                    return launched

                return measure_side(
                    env, SIDES[side], watch(side), registries, token_server, launch, TIMEOUT,
                    lambda: steady(registries, size.steady_seconds, addresses),
                )

            def watch(side: str) -> ReadyWatch:
                return ReadyWatch(env, f"{GROUP_PATH}/imagerepositories", size.total, f"bench-side={side}")

            for side, replicas in (("run", 1), ("sharded", REPLICAS)):
                outcomes[side] = plugin_side(side, replicas)
                print(f"shared: {side}: {outcomes[side]}", flush=True)

            def flux() -> Launched:
                argv = irc_argv(tools, "bench-side=flux", CONCURRENCY, work, "irc")
                return [start_timed("image-reflector-controller", argv, work, run_env)]

            outcomes["flux"] = measure_side(
                env, SIDES["flux"], watch("flux"), registries, tokens, flux, TIMEOUT,
                lambda: steady(registries, size.steady_seconds, []),
            )
            print(f"shared: flux: {outcomes['flux']}", flush=True)
            extra["statuses"] = {
                side: compare_statuses(env, size, side, "flux") for side in ("run", "sharded")
            }
        finally:
            for registry in registries:
                registry.server.stop()
            if tokens is not None:
                tokens.stop()
            env.stop()
    extra["load_after"] = load_average()
    rows = rows_of(size, outcomes)
    extra["goals"] = goals(size, outcomes)
    extra["outcomes"] = {k: vars(v) for k, v in outcomes.items()}
    write_results("shared-quick" if quick else "shared", rows, **extra)
    return rows, extra


def per_minute(outcome: Outcome | None, key: str) -> float | None:
    values = (outcome.extra if outcome else {}).get(key)
    return statistics.median(values) if values else None


def rows_of(size: Size, outcomes: dict[str, Outcome]) -> list[Row]:
    section = (f"{size.total:,} ImageRepositories over {size.images} images, {REGISTRIES} registries, "
               f"{CONCURRENCY} workers a process")
    flux = outcomes["flux"]
    rows: list[Row] = []
    for key in ("run", "sharded"):
        ours = outcomes.get(key)
        label = SIDES[key]
        note = "; ".join(n for n in (ours.note if ours else "n/a", flux.note) if n)
        mem_note = ("memory: sum of the replicas " + ", ".join(f"{p or 0:.0f}" for p in ours.peaks_mb)
                    if ours and len(ours.peaks_mb) > 1 else "")
        rows += [
            Row(section, f"time until all Ready: {label} vs IRC", label, ours.ready_seconds if ours else None,
                "IRC", flux.ready_seconds, ours_mb=ours.peak_mb if ours else None, reference_mb=flux.peak_mb,
                note="; ".join(n for n in (note, mem_note) if n)),
            Row(section, f"registry requests: {label} vs IRC", label,
                ours.registry_requests if ours else None, "IRC", flux.registry_requests, unit="req",
                note=f"tag lists: {ours.registry_listings if ours else 'n/a'} vs {flux.registry_listings}"),
            Row(section, f"token requests: {label} vs IRC", label, ours.token_requests if ours else None,
                "IRC", flux.token_requests, unit="req"),
            Row(section, f"API requests: {label} vs IRC", label, ours.api_requests if ours else None,
                "IRC", flux.api_requests, unit="req"),
            Row(section, f"steady, registry req/min: {label} vs IRC", label,
                per_minute(ours, "requests_per_minute"), "IRC", per_minute(flux, "requests_per_minute"),
                unit="req"),
            Row(section, f"steady, listings/min: {label} vs IRC", label,
                per_minute(ours, "listings_per_minute"), "IRC", per_minute(flux, "listings_per_minute"),
                unit="req", note=f"{size.identities} identities, reuse window 1m"),
        ]
    return rows


def goals(size: Size, outcomes: dict[str, Outcome]) -> list[str]:
    """Each goal of issue 21 with the measured ratio and whether it is met."""
    flux = outcomes["flux"]
    lines = []
    for key in ("run", "sharded"):
        ours = outcomes.get(key)
        if ours is None:
            continue

        def ratio(a: float | None, b: float | None) -> float | None:
            return None if a is None or not b else a / b

        checks = [
            ("registry requests", ratio(ours.registry_requests, flux.registry_requests), 0.12),
            ("time until all Ready", ratio(ours.ready_seconds, flux.ready_seconds), 0.3),
            ("peak memory", ratio(ours.peak_mb, flux.peak_mb), 0.5),
            ("steady listings per identity per minute", ratio(per_minute(ours, "listings_per_minute"),
                                                              size.identities), 1.0),
        ]
        for name, value, goal in checks:
            shown = "n/a" if value is None else f"{value:.2f}x"
            verdict = "n/a" if value is None else "met" if value <= goal else f"missed: {value / goal:.2f}x"
            lines.append(f"{SIDES[key]}: {name} {shown} (goal <= {goal}x): {verdict}")
    return lines


if __name__ == "__main__":
    table_rows, details = main(quick="--quick" in sys.argv[1:])
    print(render(table_rows))
    print("\n".join(details["goals"]))
    print(f"statuses equal to the controller's (sample): {details.get('statuses')}")
    print(f"before: {details['load_before']}; after: {details['load_after']}")
