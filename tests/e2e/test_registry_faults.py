"""Registry faults: a real registry behind the tests' fault-injecting proxy.

Each test reconciles one ImageRepository whose image points at a `FaultProxy` in front of the
harness's registry, then checks the controller's outcome (docs/behaviour.md, Scanning:
`ReadOperationFailed` with `scan failed: <error>`, or Ready), how long the plugin ran against
`spec.timeout`, how many requests reached the proxy, and where credentials went. The plugin runs
as its own process; its peak RSS is read from `wait4`.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Result, create, image_repository
from tests.e2e.test_reconcile import condition, fetch
from tests.harness import faults
from tests.harness.environment import Environment
from tests.harness.faults import FaultProxy
from tests.harness.pki import CertificateAuthority
from tests.harness.processes import Server
from tests.harness.secure_registries import TokenServer, htpasswd_auth, seed_storage, start_configured

pytestmark = pytest.mark.e2e

REPOSITORY = "faults/app"
TAGS = [f"1.{i // 100}.{i % 100}" for i in range(150)]  # two pages on the harness registry (100 per page)
FIRST_PAGE = f"/v2/{REPOSITORY}/tags/list?n=1000"
# Plugin start-up, API reads and the status write on a shared 2-core machine, measured at 1.5-3 s.
SLACK = 6.0
USER = "robot"
CANARY = f"canary-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Run:
    """One plugin process: its output, wall time and peak resident set size."""

    result: Result
    elapsed: float
    peak_rss_mb: float


@pytest.fixture(scope="module")
def seeded(env: Environment) -> str:
    env.registry.seed(REPOSITORY, TAGS)
    return env.registry.host


@pytest.fixture
def reconcile(env: Environment, namespace: str, tmp_path: Path) -> Iterator[Any]:
    def run(name: str = "app", limit: float = 120) -> Run:
        out, err = tmp_path / f"{name}.out", tmp_path / f"{name}.err"
        argv = [sys.executable, "-m", "kubectl_imagerepo", "reconcile", "-n", namespace,
                "--database", str(tmp_path / "tags.sqlite3"), name]
        with out.open("wb") as stdout, err.open("wb") as stderr:
            started = time.monotonic()
            process = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=env.path_env())
            killer = threading.Timer(limit, process.kill)
            killer.start()
            try:
                _, status, usage = os.wait4(process.pid, 0)
            finally:
                killer.cancel()
            elapsed = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        result = Result(process.returncode, out.read_text(), err.read_text())
        return Run(result, elapsed, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux

    yield run


def scan_failed(env: Environment, namespace: str, run: Run) -> str:
    """Assert a failed scan as the controller reports it (ReadOperationFailed, retried); give its message."""
    assert run.result.code == 1, run.result.stderr
    obj = fetch(env, namespace, "app")
    ready, reconciling = condition(obj, "Ready"), condition(obj, "Reconciling")
    assert ready is not None and reconciling is not None
    assert (ready["status"], ready["reason"]) == ("False", "ReadOperationFailed")
    assert (reconciling["status"], reconciling["reason"]) == ("True", "ProgressingWithRetry")
    assert condition(obj, "Stalled") is None
    message: str = ready["message"]
    assert message.startswith("scan failed: ")
    return message


def scanned(env: Environment, namespace: str, run: Run) -> int:
    """Assert a successful scan and return the stored tag count."""
    assert run.result.code == 0, run.result.stderr
    obj = fetch(env, namespace, "app")
    ready = condition(obj, "Ready")
    assert ready is not None and (ready["status"], ready["reason"]) == ("True", "Succeeded")
    count: int = obj["status"]["lastScanResult"]["tagCount"]
    return count


def behind(env: Environment, namespace: str, proxy: FaultProxy, **spec: Any) -> None:
    create(env, image_repository(namespace, "app", f"{proxy.host}/{REPOSITORY}", insecure=True, **spec))


def gaps(proxy: FaultProxy) -> list[float]:
    """Seconds between consecutive requests the proxy received."""
    return [later.at - earlier.at for earlier, later in zip(proxy.seen, proxy.seen[1:], strict=False)]


def url(proxy: FaultProxy, path: str = FIRST_PAGE) -> str:
    """The request as ggcr names it in a registry's answer: `GET <url>`."""
    return f"GET http://{proxy.host}{path}"


def go_url(proxy: FaultProxy, path: str = FIRST_PAGE) -> str:
    """The request as Go names one that got no answer: `Get "<url>"`."""
    return f'Get "http://{proxy.host}{path}"'


# -- slow and stalled answers -----------------------------------------------------------------------------


def test_latency_within_the_timeout_only_slows_the_scan(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.latency(0.5)) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scanned(env, namespace, run) == len(TAGS)
    assert run.elapsed >= 1.0  # two pages, each delayed


@pytest.mark.slow
def test_latency_beyond_the_timeout_ends_with_deadline_exceeded_within_the_timeout(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.latency(60)) as proxy:
        behind(env, namespace, proxy, timeout="3s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == f"scan failed: {go_url(proxy)}: context deadline exceeded"
    assert 3.0 <= run.elapsed < 3.0 + SLACK


@pytest.mark.slow
def test_a_page_that_trickles_forever_ends_at_the_timeout(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.trickle(0.1)) as proxy:
        behind(env, namespace, proxy, timeout="3s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == f"scan failed: {go_url(proxy)}: context deadline exceeded"
    assert 3.0 <= run.elapsed < 3.0 + SLACK


@pytest.mark.slow
def test_headers_that_trickle_forever_end_at_the_timeout(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.trickled_headers(0.1)) as proxy:
        behind(env, namespace, proxy, timeout="3s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == f"scan failed: {go_url(proxy)}: context deadline exceeded"
    assert 3.0 <= run.elapsed < 3.0 + SLACK


# -- broken bodies -----------------------------------------------------------------------------------------


def test_a_reset_in_the_middle_of_a_body_is_retried_and_the_scan_recovers(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.reset_mid_body(times=1)) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scanned(env, namespace, run) == len(TAGS)
    assert [s.path for s in proxy.seen][:2] == [FIRST_PAGE, FIRST_PAGE]
    assert len(proxy.seen) == 3  # the first page twice, then the second page


@pytest.mark.slow
def test_resets_on_every_attempt_fail_after_three_attempts(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.reset_mid_body()) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == f"scan failed: {url(proxy)}: read: connection reset by peer"
    assert len(proxy.seen) == 3


def test_a_truncated_json_page_fails_with_unexpected_eof_without_retrying(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.truncated_json()) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == "scan failed: unexpected EOF"
    assert len(proxy.seen) == 1


# -- error statuses and retries ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("code", [500, 502])
def test_a_server_error_on_every_attempt_fails_after_three_attempts_with_backoff(
    env: Environment, seeded: str, namespace: str, reconcile: Any, code: int
) -> None:
    with FaultProxy(seeded, faults.status(code)) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == (
        f"scan failed: {url(proxy)}: UNAVAILABLE: injected {code}")
    assert len(proxy.seen) == 3
    first, second = gaps(proxy)
    assert 1.0 <= first < 1.1 + 0.5 and 3.0 <= second < 3.3 + 0.5  # 1s then 3s, 10% jitter at most


@pytest.mark.slow
def test_503_twice_then_ok_recovers_to_ready(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.status(503, times=2)) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scanned(env, namespace, run) == len(TAGS)
    assert len(proxy.seen) == 4  # three attempts at the first page, one at the second


@pytest.mark.slow
def test_429_without_retry_after_backs_off_then_reports_too_many_requests(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.status(429)) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == (
        f"scan failed: {url(proxy)}: UNAVAILABLE: injected 429")
    first, second = gaps(proxy)
    assert 1.0 <= first < 1.6 and 3.0 <= second < 3.8


@pytest.mark.slow
def test_429_with_retry_after_waits_as_long_as_the_registry_asks(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.status(429, times=1, retry_after="2")) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scanned(env, namespace, run) == len(TAGS)
    assert 2.0 <= gaps(proxy)[0] < 2.8  # not the 1s backoff


def test_a_retry_after_beyond_the_timeout_gives_up_at_once(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.status(429, retry_after="600")) as proxy:
        behind(env, namespace, proxy, timeout="30s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == f"scan failed: {url(proxy)}: UNAVAILABLE: injected 429"
    assert len(proxy.seen) == 1
    assert run.elapsed < SLACK


# -- pagination links ---------------------------------------------------------------------------------------


def test_a_link_back_to_the_same_page_ends_the_listing(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.link(lambda path, index: path)) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scanned(env, namespace, run) == 100  # the first page; its link is never followed twice
    assert len(proxy.seen) == 1


@pytest.mark.slow
def test_a_link_whose_cursor_never_repeats_ends_at_the_timeout(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    cursor = faults.link(lambda path, index: f"/v2/{REPOSITORY}/tags/list?n=1000&last=c{index}")
    with FaultProxy(seeded, cursor) as proxy:
        behind(env, namespace, proxy, timeout="3s")
        run = reconcile()

    message = scan_failed(env, namespace, run)
    assert message.startswith(f'scan failed: Get "http://{proxy.host}/v2/{REPOSITORY}/tags/list?n=1000&last=c')
    assert message.endswith(": context deadline exceeded")
    assert len(proxy.seen) > 10
    assert 3.0 <= run.elapsed < 3.0 + SLACK


def test_a_link_to_another_host_is_refused_and_never_requested(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(None) as other, FaultProxy(
        seeded, faults.link(lambda path, index: f"http://{other.host}{path}")
    ) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == (
        "scan failed: pagination URL host does not match registry host: potential SSRF attack")
    assert other.connections == 0


@pytest.mark.parametrize(
    ("link", "refusal"),
    [
        ("ftp://127.0.0.1:21/v2/faults/app/tags/list?last=x", 'unsupported protocol scheme "ftp"'),
        ("http:///v2/faults/app/tags/list?last=x", "http: no Host in request URL"),
    ],
    ids=["ftp", "no-host"],
)
def test_a_link_gos_http_client_refuses_fails_the_scan_with_the_clients_refusal(
    env: Environment, seeded: str, namespace: str, reconcile: Any, link: str, refusal: str
) -> None:
    with FaultProxy(seeded, faults.link(lambda path, index: link)) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == f'scan failed: Get "{link}": {refusal}'
    assert len(proxy.seen) == 1


def test_a_link_with_a_control_character_fails_the_scan_with_gos_parse_error(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.link(lambda path, index: f"{path}&last=a\x7fb")) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == (
        f'scan failed: parse "{FIRST_PAGE}&last=a\\x7fb": net/url: invalid control character in URL')
    assert len(proxy.seen) == 1


# -- a huge tag list --------------------------------------------------------------------------------------

HUGE_BYTES = 50 * 1024 * 1024
HUGE_TAG_LENGTH = 100
# ~509,000 distinct 100-character tags. The listing alone peaks at ~170 MB (interpreter and imports,
# the body once as text, the decoded tags); the whole reconcile (sorting, the revision digest, the tag
# database) peaks at ~283 MB. 320 MB leaves ~35 MB for allocator and library variation; another full
# copy of the tags anywhere (~75 MB), or a listing that kept every body, bytes and text, fails it.
HUGE_RSS_LIMIT_MB = 320


@pytest.mark.slow
def test_a_50_mb_tag_list_is_scanned_within_bounded_memory(
    env: Environment, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(None, faults.huge_tag_list(HUGE_BYTES, HUGE_TAG_LENGTH)) as proxy:
        behind(env, namespace, proxy, timeout="90s")
        run = reconcile(limit=180)

    expected = (HUGE_BYTES - len('{"name":"app","tags":[]}')) // (HUGE_TAG_LENGTH + 3)
    assert scanned(env, namespace, run) == expected
    print(f"50 MB tag list: {expected} tags, peak RSS {run.peak_rss_mb:.0f} MB, {run.elapsed:.1f} s")
    assert run.peak_rss_mb < HUGE_RSS_LIMIT_MB, f"peak RSS {run.peak_rss_mb:.0f} MB"


# -- credentials in transit ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def basic_registry(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An htpasswd registry over plain HTTP on 127.0.0.1 holding REPOSITORY, with `USER`:`CANARY`."""
    workdir = tmp_path_factory.mktemp("faults-basic")
    seeded = seed_storage(env.binaries.registry, workdir, {REPOSITORY: TAGS})
    server, host = start_configured(env.binaries.registry, workdir, "faults-basic", seeded.root,
                                    htpasswd_auth(workdir, {USER: CANARY}), tls=False,
                                    ca=CertificateAuthority(workdir / "pki"))
    yield host
    server.stop()


def pull_secret(env: Environment, namespace: str, host: str) -> None:
    config = {"auths": {host: {"username": USER, "password": CANARY}}}
    env.plane.apply({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
        "metadata": {"name": "pull", "namespace": namespace},
        "data": {".dockerconfigjson": base64.b64encode(json.dumps(config).encode()).decode()},
    })


def test_credentials_reach_the_registry_through_the_fault_proxy(
    env: Environment, basic_registry: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(basic_registry) as proxy:
        pull_secret(env, namespace, proxy.host)
        behind(env, namespace, proxy, timeout="20s", secretRef={"name": "pull"})
        run = reconcile()

    assert scanned(env, namespace, run) == len(TAGS)
    assert any("Authorization" in s.headers for s in proxy.seen)


def test_a_redirect_to_another_host_never_carries_the_authorization_header(
    env: Environment, basic_registry: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(basic_registry) as other, FaultProxy(basic_registry, faults.redirect(
        lambda path: f"http://{other.host}{path}", with_authorization_only=True)
    ) as proxy:
        pull_secret(env, namespace, proxy.host)
        behind(env, namespace, proxy, timeout="20s", secretRef={"name": "pull"})
        run = reconcile()

    message = scan_failed(env, namespace, run)
    assert message.startswith(f"scan failed: GET http://{other.host}{FIRST_PAGE}: "
                              "UNAUTHORIZED: authentication required")
    assert any("Authorization" in s.headers for s in proxy.seen)  # the registry's origin got credentials
    assert other.seen, "the redirect was not followed"
    assert all("authorization" not in {k.lower() for k in s.headers} for s in other.seen)
    assert CANARY not in run.result.stdout + run.result.stderr + message


def test_a_link_to_another_host_with_credentials_is_never_requested(
    env: Environment, basic_registry: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(None) as other, FaultProxy(
        basic_registry, faults.link(lambda path, index: f"http://{other.host}{path}")
    ) as proxy:
        pull_secret(env, namespace, proxy.host)
        behind(env, namespace, proxy, timeout="20s", secretRef={"name": "pull"})
        run = reconcile()

    assert scan_failed(env, namespace, run) == (
        "scan failed: pagination URL host does not match registry host: potential SSRF attack")
    assert other.connections == 0


# -- TLS verification stays on ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def untrusted_registry(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A TLS registry on ::1 whose certificate comes from a CA nobody trusts, as `[0:0:...:1]:<port>`."""
    workdir = tmp_path_factory.mktemp("faults-tls")
    seeded = seed_storage(env.binaries.registry, workdir, {REPOSITORY: TAGS})
    server: Server
    server, host = start_configured(env.binaries.registry, workdir, "faults-tls", seeded.root, {}, tls=True,
                                    ca=CertificateAuthority(workdir / "pki"), listen="::1")
    yield "[0:0:0:0:0:0:0:1]:" + host.rsplit(":", 1)[1]  # loopback, yet not a name sent over plain HTTP
    server.stop()


def test_a_certificate_from_an_unknown_authority_fails_the_scan(
    env: Environment, untrusted_registry: str, namespace: str, reconcile: Any
) -> None:
    create(env, image_repository(namespace, "app", f"{untrusted_registry}/{REPOSITORY}", timeout="20s"))

    run = reconcile()

    assert scan_failed(env, namespace, run) == (
        f"scan failed: GET https://{untrusted_registry}{FIRST_PAGE}: "
        "tls: failed to verify certificate: x509: certificate signed by unknown authority")


def test_insecure_selects_plain_http_and_does_not_skip_verification(
    env: Environment, untrusted_registry: str, namespace: str, reconcile: Any
) -> None:
    create(env, image_repository(namespace, "app", f"{untrusted_registry}/{REPOSITORY}", timeout="20s",
                                 insecure=True))

    run = reconcile()

    message = scan_failed(env, namespace, run)
    assert message.startswith(f"scan failed: GET http://{untrusted_registry}/v2/{REPOSITORY}/tags/list")
    assert "400 Bad Request" in message


# -- the controller's texts for registry errors (docs/behaviour.md, Scanning) --------------------------------


def test_a_missing_repository_fails_with_the_registrys_name_unknown_error_and_no_status_line(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    create(env, image_repository(namespace, "app", f"{seeded}/faults/nope", insecure=True, timeout="20s"))

    run = reconcile()

    assert scan_failed(env, namespace, run) == (
        f"scan failed: GET http://{seeded}/v2/faults/nope/tags/list?n=1000: "
        "NAME_UNKNOWN: repository name not known to registry; map[name:faults/nope]")


def test_a_403_with_a_json_body_is_the_registrys_error_and_is_not_retried(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.status(403)) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == f"scan failed: {url(proxy)}: UNAVAILABLE: injected 403"
    assert len(proxy.seen) == 1


@pytest.mark.slow
def test_a_server_error_without_a_json_body_is_the_status_line_and_the_body(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.status(503, json_body=False)) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == (
        f"scan failed: {url(proxy)}: unexpected status code 503 Service Unavailable: injected 503")
    assert len(proxy.seen) == 3


def test_a_basic_registry_without_credentials_gives_its_unauthorized_error(
    env: Environment, basic_registry: str, namespace: str, reconcile: Any
) -> None:
    create(env, image_repository(namespace, "app", f"{basic_registry}/{REPOSITORY}", insecure=True,
                                 timeout="20s"))

    run = reconcile()

    assert scan_failed(env, namespace, run) == (
        f"scan failed: GET http://{basic_registry}{FIRST_PAGE}: UNAUTHORIZED: authentication required; "
        f"[map[Action:pull Class: Name:{REPOSITORY} Type:repository]]")


def test_a_basic_registry_with_a_wrong_password_gives_its_unauthorized_error(
    env: Environment, basic_registry: str, namespace: str, reconcile: Any
) -> None:
    config = {"auths": {basic_registry: {"username": USER, "password": "not-the-password"}}}
    env.plane.apply({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
        "metadata": {"name": "pull", "namespace": namespace},
        "data": {".dockerconfigjson": base64.b64encode(json.dumps(config).encode()).decode()},
    })
    create(env, image_repository(namespace, "app", f"{basic_registry}/{REPOSITORY}", insecure=True,
                                 timeout="20s", secretRef={"name": "pull"}))

    run = reconcile()

    assert scan_failed(env, namespace, run) == (
        f"scan failed: GET http://{basic_registry}{FIRST_PAGE}: UNAUTHORIZED: authentication required; "
        f"[map[Action:pull Class: Name:{REPOSITORY} Type:repository]]")


def test_a_link_go_cannot_parse_fails_the_scan_with_gos_parse_error(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.link(lambda path, index: "http://[::1:bad")) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == "scan failed: parse \"http://[::1:bad\": missing ']' in host"


def test_a_link_without_angle_brackets_fails_the_scan_with_ggcrs_error(
    env: Environment, seeded: str, namespace: str, reconcile: Any
) -> None:
    with FaultProxy(seeded, faults.link_header('/v2/faults/app/tags/list?last=a; rel="next"')) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == (
        "scan failed: failed to parse link header: missing '<' in: "
        '/v2/faults/app/tags/list?last=a; rel="next"')


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (b"", "EOF"),
        (b'{"name":"app","tags":["1.0.0","1.', "unexpected EOF"),
        (b"hello", "invalid character 'h' looking for beginning of value"),
        (b'{"name":"app","tags":[1]}',
         "json: cannot unmarshal number into Go struct field Tags.tags of type string"),
    ],
    ids=["empty", "truncated", "not-json", "not-a-tag-list"],
)
def test_a_body_that_is_not_a_tag_list_fails_with_gos_decoder_error_and_no_url(
    env: Environment, seeded: str, namespace: str, reconcile: Any, payload: bytes, error: str
) -> None:
    with FaultProxy(seeded, faults.body(payload)) as proxy:
        behind(env, namespace, proxy, timeout="20s")
        run = reconcile()

    assert scan_failed(env, namespace, run) == f"scan failed: {error}"
    assert len(proxy.seen) == 1


@pytest.fixture(scope="module")
def foreign_realm_registry(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A token-authenticated registry whose realm is a token server on another port of 127.0.0.1."""
    workdir = tmp_path_factory.mktemp("faults-realm")
    ca = CertificateAuthority(workdir / "pki")
    seeded = seed_storage(env.binaries.registry, workdir, {REPOSITORY: TAGS})
    tokens = TokenServer(ca, lifetime=300, realm_host="127.0.0.1")
    auth = {"auth": {"token": {"realm": tokens.realm, "service": tokens.service, "issuer": tokens.issuer,
                               "rootcertbundle": str(ca.pair.cert)}}}
    server, host = start_configured(env.binaries.registry, workdir, "faults-realm", seeded.root, auth,
                                    tls=False, ca=ca)
    yield host
    server.stop()
    tokens.stop()


def test_a_token_realm_on_another_loopback_address_is_refused_as_ggcr_refuses_it(
    env: Environment, foreign_realm_registry: str, namespace: str, reconcile: Any
) -> None:
    create(env, image_repository(namespace, "app", f"{foreign_realm_registry}/{REPOSITORY}", insecure=True,
                                 timeout="20s"))

    run = reconcile()

    assert scan_failed(env, namespace, run) == (
        'scan failed: invalid realm in www-authenticate: realm host "127.0.0.1" is a private or link-local '
        "address")
