"""ImagePolicies: 1000 policies over 100 ImageRepositories, `run` against image-reflector-controller.

The registries, the API request count and the controller's CRDs are bench/manyrepos.py's: 10 registries
(half behind token authentication), each serving the same seeded repositories of a few dozen tags
(semver releases, pre-releases, `build-N` and a few names). Every repository gets 10 ImagePolicies, a
mix of semver ranges, alphabetical and numerical orders, `filterTags` with `extract`, and one
`digestReflectionPolicy: IfNotPresent` (so policies also reach the registry).

Each side owns its own copy of the objects, in its own namespace with its own `bench-side` label:
`kubectl-imagerepo run` (which reconciles both kinds) and image-reflector-controller (built by
hack/benchbin.sh, run outside the cluster with `--watch-label-selector`). They run one after the other
with the same concurrency, in rounds (3 by default; the side going first alternates), each round on
fresh objects and fresh tag storage; for each: the time from its start until every ImageRepository, then
every ImagePolicy, is Ready (seen through watches), its peak memory, its API requests and its registry
and token requests. The table gives medians over the rounds. The tags both sides chose are compared
with the expected ones and with each other, policy by policy.

Run: python bench/policies.py [--quick | --repositories N] [--runs N]   (make bench runs the full
size; writes bench/results/policies.json)
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    GROUP_PATH,
    BenchRegistry,
    Row,
    api_requests,
    benchbin,
    flux_crds,
    is_ready,
    peak_mb_from,
    render,
    run_available,
    start_registries,
    timed_argv,
    write_results,
)
from bench.manyrepos import REGISTRIES, TOKEN_REGISTRIES  # noqa: E402
from tests.harness.environment import Environment, start_environment  # noqa: E402
from tests.harness.pki import CertificateAuthority  # noqa: E402
from tests.harness.processes import free_port, start  # noqa: E402
from tests.harness.registry import start_registry  # noqa: E402
from tests.harness.secure_registries import PASSWORD, USER, TokenServer  # noqa: E402

REPOSITORIES = int(os.environ.get("BENCH_POLICY_REPOSITORIES", "100"))
QUICK_REPOSITORIES = REGISTRIES
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
TIMEOUT = float(os.environ.get("BENCH_READY_TIMEOUT", "600"))
RUNS = int(os.environ.get("BENCH_POLICY_RUNS", "3"))

#: The tags of every repository: semver releases (one with a `v`), pre-releases, builds and names.
TAGS = (
    ["0.9.0", "1.3.0", "v1.4.0", "2.0.0-rc.1", "2.0.0-rc.2", "latest", "main"]
    + [f"1.{minor}.{patch}" for minor in range(3) for patch in range(5)]
    + [f"build-{n}" for n in range(1, 13)]
)
BUILD_NUMBER = {"pattern": "^build-(?P<n>[0-9]+)$", "extract": "$n"}

#: The 10 policies of every repository: name suffix, spec (without `imageRepositoryRef`), expected tag.
POLICIES: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("semver-any", {"policy": {"semver": {"range": ">=1.0.0"}}, "digestReflectionPolicy": "IfNotPresent"},
     "v1.4.0"),
    ("semver-tilde", {"policy": {"semver": {"range": "~1.2"}}}, "1.2.4"),
    ("semver-caret", {"policy": {"semver": {"range": "^1.0.0"}}}, "v1.4.0"),
    ("semver-pre", {"policy": {"semver": {"range": ">=2.0.0-0"}}}, "2.0.0-rc.2"),
    ("semver-below", {"policy": {"semver": {"range": "<1.1.0"}}}, "1.0.4"),
    ("semver-filtered", {"policy": {"semver": {"range": "*"}}, "filterTags": {"pattern": "^1\\.1\\."}},
     "1.1.4"),
    ("alpha-asc", {"policy": {"alphabetical": {"order": "asc"}}}, "v1.4.0"),
    ("alpha-desc-filtered",
     {"policy": {"alphabetical": {"order": "desc"}}, "filterTags": {"pattern": "^build-"}}, "build-1"),
    ("numerical-asc", {"policy": {"numerical": {"order": "asc"}}, "filterTags": BUILD_NUMBER}, "build-12"),
    ("numerical-desc", {"policy": {"numerical": {"order": "desc"}}, "filterTags": BUILD_NUMBER}, "build-1"),
)


@dataclass
class Outcome:
    """What one side cost: seconds until all of each kind were Ready (None: not all got there), counts."""

    name: str
    repositories_seconds: float | None
    policies_seconds: float | None
    repositories_ready: int
    policies_ready: int
    peak_mb: float | None
    api_requests: int
    registry_requests: int
    token_requests: int
    note: str = ""
    api_by_verb: dict[str, int] = field(default_factory=dict)
    latest: dict[str, str] = field(default_factory=dict)


# -- the registries and the objects --------------------------------------------------------------------


def seed_storage(binary: Path, work: Path, repositories: int) -> Path:
    """One storage directory holding `bench/p000`... with TAGS each, served by every registry."""
    seeding = start_registry("seeding-policies", binary, work, legacy=False, max_tags=1000)
    try:
        seeding.seed("bench/p000", TAGS)
    finally:
        seeding.stop()
    base = seeding.root / "docker" / "registry" / "v2" / "repositories" / "bench"
    for j in range(1, repositories):
        shutil.copytree(base / "p000", base / f"p{j:03d}")
    return seeding.root


def repository_body(name: str, side: str, registry: BenchRegistry, j: int) -> dict[str, Any]:
    spec: dict[str, Any] = {"image": f"{registry.host}/bench/p{j:03d}", "interval": "60m", "insecure": True}
    if registry.token:
        spec["secretRef"] = {"name": "registry-auth"}
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImageRepository",
        "metadata": {"name": name, "labels": {"bench-side": side}},
        "spec": spec,
    }


def policy_body(repository: str, suffix: str, spec: Mapping[str, Any], side: str) -> dict[str, Any]:
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": f"{repository}-{suffix}", "labels": {"bench-side": side}},
        "spec": {"imageRepositoryRef": {"name": repository}, **spec},
    }


def create_objects(
    env: Environment, namespace: str, side: str, registries: list[BenchRegistry], repositories: int
) -> None:
    """The side's namespace, its registry Secret, its ImageRepositories and 10 ImagePolicies for each.

    The Secret is manyrepos's: the same credentials for every token registry.
    """
    env.plane.create_namespace(namespace)
    auths = {
        r.host: {"username": USER, "password": PASSWORD} for r in registries if r.token
    }
    env.plane.request(
        "POST",
        f"/api/v1/namespaces/{namespace}/secrets",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "registry-auth"},
            "type": "kubernetes.io/dockerconfigjson",
            "stringData": {".dockerconfigjson": json.dumps({"auths": auths})},
        },
    )
    base = f"{env.plane.url}{GROUP_PATH}/namespaces/{namespace}"
    with env.plane.session() as s:
        s.headers["Content-Type"] = "application/json"

        def post(plural: str, body: dict[str, Any]) -> None:
            answer = s.post(f"{base}/{plural}", data=json.dumps(body), timeout=30)
            if answer.status_code != 201:
                raise RuntimeError(f"POST {plural}: {answer.status_code} {answer.text}")

        for i, registry in enumerate(registries):
            for j in range(repositories // len(registries)):
                name = f"r{i:02d}-{j:03d}"
                post("imagerepositories", repository_body(name, side, registry, j))
                for suffix, spec, _ in POLICIES:
                    post("imagepolicies", policy_body(name, suffix, spec, side))


# -- watching ------------------------------------------------------------------------------------------


def policy_ready(obj: dict[str, Any]) -> bool:
    """Ready=True for the current generation, with a latest image."""
    status = obj.get("status") or {}
    generation = obj["metadata"].get("generation")
    return any(
        c.get("type") == "Ready"
        and c.get("status") == "True"
        and c.get("observedGeneration", generation) == generation
        and bool(status.get("latestRef"))
        for c in status.get("conditions") or []
    )


class KindWatch:
    """Watches one kind in a namespace from a thread; records when `expected` objects were all Ready.

    `requests_made` counts the API requests the watch itself sent, to subtract them; `latest` holds each
    Ready policy's chosen tag.
    """

    def __init__(
        self, env: Environment, namespace: str, plural: str, expected: int,
        ready: Callable[[dict[str, Any]], bool],
    ) -> None:
        self.path = f"{env.plane.url}{GROUP_PATH}/namespaces/{namespace}/{plural}"
        self.env, self.expected, self.is_ready = env, expected, ready
        self.ready: set[str] = set()
        self.messages: dict[str, str] = {}
        self.latest: dict[str, str] = {}
        self.all_ready_at: float | None = None
        self.requests_made = 0
        self.done = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=120)

    def waiting(self) -> str:
        """The first object not Ready, with its Ready message (or '')."""
        waiting = sorted(set(self.messages) - self.ready)
        return f"{waiting[0]}: {self.messages[waiting[0]][:300]}" if waiting else ""

    def _note(self, obj: dict[str, Any]) -> None:
        name = obj["metadata"]["name"]
        status = obj.get("status") or {}
        self.messages.setdefault(name, "")
        for condition in status.get("conditions") or []:
            if condition.get("type") == "Ready":
                self.messages[name] = str(condition.get("message", ""))
        if self.is_ready(obj):
            self.ready.add(name)
            if status.get("latestRef"):
                self.latest[name] = str(status["latestRef"].get("tag", ""))
        else:
            self.ready.discard(name)
        if self.all_ready_at is None and len(self.ready) == self.expected:
            self.all_ready_at = time.perf_counter()
            self.done.set()

    def _run(self) -> None:
        with self.env.plane.session() as s:
            listed = s.get(self.path, timeout=60)
            self.requests_made += 1
            listed.raise_for_status()
            body = listed.json()
            for obj in body["items"]:
                self._note(obj)
            version = body["metadata"]["resourceVersion"]
            while not self._stop.is_set() and not self.done.is_set():
                self.requests_made += 1
                params = {"watch": "1", "resourceVersion": version, "timeoutSeconds": "30",
                          "allowWatchBookmarks": "true"}
                with s.get(self.path, params=params, stream=True, timeout=90) as answer:
                    answer.raise_for_status()
                    for line in answer.iter_lines():
                        if not line:
                            continue
                        event = json.loads(line)
                        obj = event["object"]
                        version = obj["metadata"].get("resourceVersion", version)
                        if event["type"] in ("ADDED", "MODIFIED"):
                            self._note(obj)
                        if self.done.is_set() or self._stop.is_set():
                            break


# -- the sides -----------------------------------------------------------------------------------------


def terminate_under_time(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the command GNU time runs; GNU time then writes its peak memory and exits."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    for child in children:
        os.kill(int(child), signal.SIGTERM)


def measure_side(
    env: Environment,
    name: str,
    namespace: str,
    repositories: int,
    registries: list[BenchRegistry],
    tokens: TokenServer,
    launch: Callable[[], tuple[subprocess.Popen[bytes], Path]],
) -> Outcome:
    """Start a long-running side with `launch` (under GNU time) and measure it until all is Ready."""
    registry_before = sum(r.requests_so_far() for r in registries)
    tokens_before = len(tokens.requests)
    api_before = api_requests(env)
    repos = KindWatch(env, namespace, "imagerepositories", repositories, is_ready)
    policies = KindWatch(env, namespace, "imagepolicies", repositories * len(POLICIES), policy_ready)
    repos.start()
    policies.start()
    started = time.perf_counter()
    process, peak_file = launch()
    deadline = time.monotonic() + TIMEOUT
    for watch in (repos, policies):
        while not watch.done.wait(timeout=1) and time.monotonic() < deadline:
            if process.poll() is not None:
                break
    note = ""
    if process.poll() is not None:
        note = f"exited {process.returncode} before every object was Ready"
    else:
        terminate_under_time(process)
    process.wait(timeout=60)
    repos.stop()
    policies.stop()
    api_after = api_requests(env)
    # The bench's own requests: its two watches (list + watches) and the first /metrics scrape.
    own = repos.requests_made + policies.requests_made + 1
    delta = {k: api_after.get(k, 0) - api_before.get(k, 0) for k in api_after}
    delta = {k: v for k, v in delta.items() if v}

    def since_start(watch: KindWatch) -> float | None:
        return None if watch.all_ready_at is None else watch.all_ready_at - started

    for watch, kind in ((repos, "ImageRepositories"), (policies, "ImagePolicies")):
        if watch.all_ready_at is None:
            note = "; ".join(n for n in (
                note, f"{len(watch.ready)} of {watch.expected} {kind} Ready", watch.waiting()
            ) if n)
    return Outcome(
        name=name,
        repositories_seconds=since_start(repos),
        policies_seconds=since_start(policies),
        repositories_ready=len(repos.ready),
        policies_ready=len(policies.ready),
        peak_mb=peak_mb_from(peak_file),
        api_requests=sum(delta.values()) - own,
        registry_requests=sum(r.requests_so_far() for r in registries) - registry_before,
        token_requests=len(tokens.requests) - tokens_before,
        note=note,
        api_by_verb=delta,
        latest=policies.latest,
    )


def agreement(rounds: list[dict[str, Outcome]]) -> dict[str, Any]:
    """How many policies chose the expected tag on each side, and where the sides chose differently,
    over every round."""
    expected = {suffix: tag for suffix, _, tag in POLICIES}

    def as_expected(latest: Mapping[str, str]) -> int:
        return sum(1 for name, tag in latest.items() if expected[name.split("-", 2)[2]] == tag)

    result: dict[str, Any] = {"policies": sum(len(r["flux"].latest) for r in rounds if "flux" in r)}
    for side in ("run", "flux"):
        result[f"{side}_as_expected"] = sum(as_expected(r[side].latest) for r in rounds if side in r)
    differ: dict[str, list[str]] = {}
    for outcomes in rounds:
        if "run" in outcomes and "flux" in outcomes:
            ours, theirs = outcomes["run"].latest, outcomes["flux"].latest
            differ |= {n: [ours[n], theirs[n]] for n in set(ours) & set(theirs) if ours[n] != theirs[n]}
    result["differ"] = len(differ)
    result["differ_examples"] = dict(sorted(differ.items())[:5])
    return result


def median_of(values: list[float | None]) -> float | None:
    """The median, or None when any round did not get there."""
    return None if not values or any(v is None for v in values) else statistics.median(
        v for v in values if v is not None
    )


def summary(name: str, rounds: list[Outcome]) -> Outcome:
    """One side over every round: medians of the times and counts, the largest peak memory, every note."""
    peaks = [o.peak_mb for o in rounds if o.peak_mb is not None]
    return Outcome(
        name=name,
        repositories_seconds=median_of([o.repositories_seconds for o in rounds]),
        policies_seconds=median_of([o.policies_seconds for o in rounds]),
        repositories_ready=min(o.repositories_ready for o in rounds),
        policies_ready=min(o.policies_ready for o in rounds),
        peak_mb=max(peaks) if peaks else None,
        api_requests=round(statistics.median(o.api_requests for o in rounds)),
        registry_requests=round(statistics.median(o.registry_requests for o in rounds)),
        token_requests=round(statistics.median(o.token_requests for o in rounds)),
        note="; ".join(sorted({o.note for o in rounds if o.note})),
    )


def main(repositories: int = REPOSITORIES, runs: int = RUNS) -> tuple[list[Row], dict[str, Any]]:
    """`runs` rounds; each gives both sides fresh objects (own namespace and label) and fresh storage."""
    if repositories <= 0 or repositories % REGISTRIES:
        raise SystemExit(f"error: --repositories must be a positive multiple of {REGISTRIES}")
    if runs <= 0:
        raise SystemExit("error: --runs must be positive")
    tools = benchbin()
    module_dir = Path((tools / "irc-module-dir").read_text().strip())
    plugin = Path(sys.executable).parent / "kubectl-imagerepo"
    rounds: list[dict[str, Outcome]] = []
    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        env = start_environment(work)
        tokens: TokenServer | None = None
        registries: list[BenchRegistry] = []
        try:
            policy_crd = flux_crds(module_dir) / "image.toolkit.fluxcd.io_imagepolicies.yaml"
            env.plane.install_crd(yaml.safe_load(policy_crd.read_text()))
            ca = CertificateAuthority(work / "bench-pki")
            tokens = TokenServer(ca, lifetime=300)
            storage = seed_storage(env.binaries.registry, work, repositories // REGISTRIES)
            registries = start_registries(
                env.binaries.registry, work, storage, ca, tokens, REGISTRIES, TOKEN_REGISTRIES
            )
            run_env = {**env.path_env(), "KUBECONFIG": str(env.plane.admin_kubeconfig)}
            sides = ["run", "flux"] if run_available(plugin, run_env) else ["flux"]
            for n in range(runs):
                for side in sides:
                    create_objects(env, f"bench-policies-{side}-{n}", f"{side}-{n}", registries, repositories)

            def run_controller(n: int) -> tuple[subprocess.Popen[bytes], Path]:
                argv = [str(plugin), "run", "-n", f"bench-policies-run-{n}", "--concurrent", str(CONCURRENCY),
                        "--watch-label-selector", f"bench-side=run-{n}", "--log-level", "error",
                        "--database", str(work / f"run-{n}.sqlite3")]
                peak = work / f"run-{n}.peak"
                server = start(f"run-policies-{n}", timed_argv(argv, peak), work, env=run_env)
                return server.process, peak

            def flux(n: int) -> tuple[subprocess.Popen[bytes], Path]:
                storage_path = work / f"irc-storage-{n}"
                storage_path.mkdir()
                argv = [
                    str(tools / "image-reflector-controller"),
                    "--watch-label-selector", f"bench-side=flux-{n}",
                    "--concurrent", str(CONCURRENCY),
                    "--storage-path", str(storage_path),
                    "--metrics-addr", f"127.0.0.1:{free_port()}",
                    "--health-addr", f"127.0.0.1:{free_port()}",
                    "--enable-leader-election=false",
                    "--log-level", "error",
                ]
                peak = work / f"irc-{n}.peak"
                server = start(f"irc-policies-{n}", timed_argv(argv, peak), work, env=run_env)
                return server.process, peak

            launchers = {"run": ("run", run_controller), "flux": ("image-reflector-controller", flux)}
            for n in range(runs):
                outcomes: dict[str, Outcome] = {}
                # Rotate which side goes first, so that a drifting machine load favours neither.
                for side in sides[n % len(sides):] + sides[:n % len(sides)]:
                    name, launch = launchers[side]
                    outcomes[side] = measure_side(
                        env, name, f"bench-policies-{side}-{n}", repositories, registries, tokens,
                        functools.partial(launch, n),
                    )
                rounds.append(outcomes)
        finally:
            for registry in registries:
                registry.server.stop()
            if tokens is not None:
                tokens.stop()
            env.stop()
    summaries = {side: summary(rounds[0][side].name, [r[side] for r in rounds]) for side in rounds[0]}
    rows = rows_of(summaries, repositories, runs)
    extra: dict[str, Any] = {
        "agreement": agreement(rounds),
        "rounds": [{k: vars(v) for k, v in r.items()} for r in rounds],
    }
    write_results(
        "policies", rows, concurrency=CONCURRENCY, repositories=repositories,
        policies=repositories * len(POLICIES), runs=runs, **extra,
    )
    return rows, extra


def rows_of(outcomes: Mapping[str, Outcome], repositories: int, runs: int) -> list[Row]:
    """The table's rows: medians over the rounds (the peak memory is the largest)."""
    section = (
        f"{repositories * len(POLICIES)} ImagePolicies, {repositories} ImageRepositories, "
        f"concurrency {CONCURRENCY}"
    )
    flux = outcomes["flux"]
    ours = outcomes.get("run")
    missing = "n/a (run not available)" if ours is None else ""
    note = missing or "; ".join(n for n in (ours.note if ours else "", flux.note) if n)

    def row(case: str, value: Callable[[Outcome], float | None], unit: str, memory: bool = False,
            text: str = missing) -> Row:
        return Row(
            section, f"{case}: run vs IRC", "run", value(ours) if ours else None, "IRC", value(flux),
            unit=unit, ours_mb=ours.peak_mb if ours and memory else None,
            reference_mb=flux.peak_mb if memory else None, runs=runs, note=text,
        )

    return [
        row(f"time until {repositories} repos Ready", lambda o: o.repositories_seconds, "s"),
        row(f"time until all {repositories * len(POLICIES)} policies Ready", lambda o: o.policies_seconds,
            "s", memory=True, text=note),
        row("API requests", lambda o: o.api_requests, "req"),
        row("registry requests", lambda o: o.registry_requests, "req"),
        row("token requests", lambda o: o.token_requests, "req"),
    ]


def arguments(argv: list[str]) -> tuple[int, int]:
    """The number of repositories (`--quick`: one per registry) and of rounds asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    size = parser.add_mutually_exclusive_group()
    quick = f"{QUICK_REPOSITORIES} repositories, {QUICK_REPOSITORIES * len(POLICIES)} policies"
    size.add_argument("--quick", action="store_true", help=quick)
    size.add_argument("--repositories", type=int, default=REPOSITORIES,
                      help=f"ImageRepositories, a multiple of {REGISTRIES}; 10 policies each "
                      f"(default {REPOSITORIES}, or $BENCH_POLICY_REPOSITORIES)")
    parser.add_argument("--runs", type=int, default=RUNS,
                        help=f"rounds of both sides, for medians (default {RUNS}, or $BENCH_POLICY_RUNS)")
    parsed = parser.parse_args(argv)
    return (QUICK_REPOSITORIES if parsed.quick else int(parsed.repositories)), int(parsed.runs)


if __name__ == "__main__":
    size, rounds = arguments(sys.argv[1:])
    table_rows, details = main(size, rounds)
    print(render(table_rows))
    print(f"policies as expected and sides differing, over every round: {json.dumps(details['agreement'])}")
