"""`kubectl imagerepo run`: keep ImageRepositories and ImagePolicies reconciled, as the controller does."""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.commands.cmdutil.scan_flags import scan_options
from kubectl_imagerepo.model.errors import InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.controller.leader import LeaderElector
    from kubectl_imagerepo.controller.logs import Logger
    from kubectl_imagerepo.controller.manager import Controller, ControllerConfig
    from kubectl_imagerepo.controller.metrics import Metrics
    from kubectl_imagerepo.controller.notification import EventPoster
    from kubectl_imagerepo.controller.policies import PolicyController
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.reconcile.reconciler import Options

DEFAULT_LEASE = "kubectl-imagerepo-leader-election"


def seconds(flag: str, text: str) -> float:
    """A Go duration flag in seconds; a one-line error naming the flag when it is not one."""
    from kubectl_imagerepo.gocompat.durations import parse_go_duration

    try:
        value = parse_go_duration(text) / 1e9
    except ValueError as bad:
        raise InputError(f"error: invalid value {text!r} for {flag}: {bad}") from None
    if value < 0:
        raise InputError(f"error: invalid value {text!r} for {flag}: must not be negative")
    return value


def combine_selectors(*selectors: str | None) -> str | None:
    """`-l` and `--watch-label-selector` together: both must match."""
    parts = [s.strip() for s in selectors if s and s.strip()]
    return ",".join(parts) or None


def go_bool(**attrs: Any) -> dict[str, Any]:
    """A Go (pflag) boolean flag: `--flag` is true, `--flag=false` false."""
    return {"type": click.BOOL, "is_flag": False, "flag_value": True, "metavar": "[=true|false]", **attrs}


@click.command("run")
@click.option("-A", "--all-namespaces", is_flag=True, help="Watch every namespace (default: the current).")
@click.option("--watch-all-namespaces", **go_bool(default=False, show_default=True,
              help="Flux's name for -A (Flux defaults to true; here the kubeconfig's namespace is watched "
              "unless asked)."))
@click.option("-l", "--selector",
              help="Watch only the ImageRepositories and ImagePolicies matching this label selector.")
@click.option(
    "--watch-label-selector",
    help="Flux's sharding selector (e.g. sharding.fluxcd.io/key=shard1); combined with -l.",
)
@click.option("--concurrent", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Objects reconciled at once.")
@click.option("--enable-leader-election", **go_bool(default=False, show_default=True,
              help="Reconcile only while holding a coordination.k8s.io Lease (for several replicas)."))
@click.option("--leader-elect", "leader_elect_alias", is_flag=True, hidden=True)
@click.option("--leader-election-namespace", help="Namespace of the Lease (default: the current one).")
@click.option("--leader-election-id", default=DEFAULT_LEASE, show_default=True, help="Name of the Lease.")
@click.option("--leader-election-lease-duration", default="35s", show_default=True,
              help="How long a standby waits before taking an unrenewed Lease.")
@click.option("--leader-election-renew-deadline", default="30s", show_default=True,
              help="How long the leader retries renewing before it gives up leading.")
@click.option("--leader-election-retry-period", default="5s", show_default=True,
              help="Time between attempts to acquire or renew the Lease.")
@click.option("--leader-election-release-on-cancel", **go_bool(default=True, show_default=True,
              help="Release the Lease when stopped, so that a standby takes over at once."))
@click.option("--events-addr", default="",
              help="Post the controller's Normal and Warning events to this notification-controller URL.")
@click.option("--requeue-dependency", default="30s", show_default=True,
              help="How soon an ImagePolicy whose ImageRepository has no tags yet is tried again.")
@click.option("--no-cross-namespace-refs", **go_bool(default=False, show_default=True,
              help="Refuse ImagePolicies referring to an ImageRepository of another namespace."))
@click.option("--default-service-account", default="",
              help="ServiceAccount for cloud-provider workload identity of objects that name none.")
@click.option("--token-cache-max-size", default=100, show_default=True, type=click.IntRange(min=0),
              help="Flux's registry token cache size (0 disables it there; tokens are cached per scan here).")
@click.option("--metrics-addr", default="", help="Serve Prometheus metrics on host:port or :port (/metrics).")
@click.option("--health-addr", default="", help="Serve /healthz and /readyz on host:port or :port.")
@click.option("--log-format", "--log-encoding", "log_format", default="text", show_default=True,
              type=click.Choice(["text", "json", "console"]), help="Log lines as text or JSON (stderr).")
@click.option("--log-level", default="info", show_default=True, type=click.Choice(["debug", "info", "error"]))
@click.option("--min-retry-delay", default="750ms", show_default=True, help="First delay after a failure.")
@click.option("--max-retry-delay", default="15m", show_default=True, help="Longest delay after failures.")
@click.option("--graceful-shutdown-timeout", default="30s", show_default=True,
              help="On SIGINT/SIGTERM, how long to let reconciles in flight finish.")
@click.option("--listing-reuse-window", default="1m", show_default=True,
              help="How long a registry listing serves other objects of the same image and access "
                   "(never longer than an object's interval; 0s: only listings in flight are shared).")
@scan_options
def command(ctx: click.Context, **flags: Any) -> None:
    """Watch ImageRepositories and ImagePolicies and keep them reconciled, like image-reflector-controller,
    until stopped.

    Objects are reconciled when created, when their spec changes, when `flux reconcile image repository`
    (or `policy`) or `kubectl annotate` sets `reconcile.fluxcd.io/requestedAt`, and again after their
    interval. A policy is also reconciled when its ImageRepository's scan finds other tags. Failures are
    retried with growing delays. SIGINT or SIGTERM lets reconciles in flight finish. Without the
    ImagePolicy CRD, only ImageRepositories are reconciled.
    """
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    execute(RunOptions.complete(factory, Flags(**flags)), factory)


@dataclass(frozen=True)
class Flags:
    """`run`'s flags as click parsed them (strings for the Go durations)."""

    all_namespaces: bool = False
    watch_all_namespaces: bool = False
    selector: str | None = None
    watch_label_selector: str | None = None
    concurrent: int = 4
    enable_leader_election: bool = False
    leader_elect_alias: bool = False
    leader_election_namespace: str | None = None
    leader_election_id: str = DEFAULT_LEASE
    leader_election_lease_duration: str = "35s"
    leader_election_renew_deadline: str = "30s"
    leader_election_retry_period: str = "5s"
    leader_election_release_on_cancel: bool = True
    events_addr: str = ""
    requeue_dependency: str = "30s"
    no_cross_namespace_refs: bool = False
    default_service_account: str = ""
    token_cache_max_size: int = 100
    metrics_addr: str = ""
    health_addr: str = ""
    log_format: str = "text"
    log_level: str = "info"
    min_retry_delay: str = "750ms"
    max_retry_delay: str = "15m"
    graceful_shutdown_timeout: str = "30s"
    listing_reuse_window: str = "1m"
    database: Path | None = None
    feature_gates: str = ""


@dataclass(frozen=True)
class RunOptions:
    """Everything `run` was asked for, parsed: durations in seconds, selectors combined."""

    namespace: str | None
    selector: str | None
    concurrent: int
    database: Path | None
    gates: frozenset[str]
    leader_elect: bool
    lease_namespace: str | None
    lease_name: str
    lease_duration: float
    renew_deadline: float
    retry_period: float
    metrics_addr: str
    health_addr: str
    log_format: str
    log_level: str
    min_retry_delay: float
    max_retry_delay: float
    shutdown_timeout: float
    release_on_cancel: bool = True
    events_addr: str = ""
    requeue_dependency: float = 30.0
    default_service_account: str | None = None
    token_cache_max_size: int = 100
    no_cross_namespace_refs: bool = False
    listing_reuse_window: float = 60.0

    @classmethod
    def complete(cls, factory: Factory, flags: Flags) -> RunOptions:
        """Parse the durations and gates (their errors name the flag); the namespace unless -A."""
        from kubectl_imagerepo.commands.cmdutil.scan_flags import parse_feature_gates

        every = flags.all_namespaces or flags.watch_all_namespaces
        parsed = cls(
            namespace=None,
            selector=combine_selectors(flags.selector, flags.watch_label_selector),
            concurrent=flags.concurrent,
            database=flags.database,
            gates=parse_feature_gates(flags.feature_gates),
            leader_elect=flags.enable_leader_election or flags.leader_elect_alias,
            lease_namespace=flags.leader_election_namespace,
            lease_name=flags.leader_election_id,
            lease_duration=seconds("--leader-election-lease-duration", flags.leader_election_lease_duration),
            renew_deadline=seconds("--leader-election-renew-deadline", flags.leader_election_renew_deadline),
            retry_period=seconds("--leader-election-retry-period", flags.leader_election_retry_period),
            metrics_addr=flags.metrics_addr,
            health_addr=flags.health_addr,
            log_format="text" if flags.log_format == "console" else flags.log_format,
            log_level=flags.log_level,
            min_retry_delay=seconds("--min-retry-delay", flags.min_retry_delay),
            max_retry_delay=seconds("--max-retry-delay", flags.max_retry_delay),
            shutdown_timeout=seconds("--graceful-shutdown-timeout", flags.graceful_shutdown_timeout),
            release_on_cancel=flags.leader_election_release_on_cancel,
            events_addr=flags.events_addr,
            requeue_dependency=seconds("--requeue-dependency", flags.requeue_dependency),
            default_service_account=flags.default_service_account or None,
            token_cache_max_size=flags.token_cache_max_size,
            no_cross_namespace_refs=flags.no_cross_namespace_refs,
            listing_reuse_window=seconds("--listing-reuse-window", flags.listing_reuse_window),
        )
        if every:
            return parsed
        return dataclasses.replace(parsed, namespace=factory.client().namespace)

    def validate(self) -> None:
        """The listen addresses, the events URL, and a renew deadline shorter than the lease."""
        from kubectl_imagerepo.controller.metrics import parse_address

        for flag, value in (("--metrics-addr", self.metrics_addr), ("--health-addr", self.health_addr)):
            if value:
                try:
                    parse_address(value)
                except ValueError as bad:
                    raise InputError(f"error: {flag}: {bad}") from None
        if self.events_addr:
            from urllib.parse import urlparse

            parsed = urlparse(self.events_addr)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise InputError(
                    f"error: invalid value {self.events_addr!r} for --events-addr: not an http(s) URL"
                )
        if self.leader_elect and not self.renew_deadline < self.lease_duration:
            raise InputError("error: --leader-election-renew-deadline must be less than the lease duration")

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Run until a signal (0) or the loss of the leader Lease (1); logs go to `err`."""
        from kubectl_imagerepo.controller.logbridge import bridge_to_run_log
        from kubectl_imagerepo.controller.logs import Logger

        log = Logger(self.log_format, self.log_level, stream=streams.err)
        bridge_to_run_log(log, self.log_level)  # library records become log lines too
        stop = threading.Event()
        _handle_signals(stop, log)
        from kubectl_imagerepo.commands.cmdutil.command import as_kube

        return _Run(as_kube(kube), self, log, stop).main()


class _Run:
    def __init__(self, kube: Kube, options: RunOptions, log: Logger, stop: threading.Event) -> None:
        self.kube, self.options, self.log, self.stop = kube, options, log, stop
        self.lost = False
        self.elector: LeaderElector | None = None
        #: Why ImagePolicies are not reconciled (a log message and the API server's error), if so.
        self.skipped: tuple[str, str] | None = None

    def main(self) -> int:
        from kubectl_imagerepo.controller.manager import Controller, ControllerConfig
        from kubectl_imagerepo.controller.metrics import CONTROLLER
        from kubectl_imagerepo.reconcile.reconciler import Options
        from kubectl_imagerepo.registry.access import ClusterSecrets
        from kubectl_imagerepo.store.database import default_path

        options, kube = self.options, self.kube
        namespace = options.namespace
        kube.preferred_version()  # fails early, with kubectl's words, when the CRD is missing
        config = ControllerConfig(
            namespace=namespace,
            selector=options.selector,
            concurrent=options.concurrent,
            database=options.database or default_path(),
            min_retry_delay=options.min_retry_delay,
            max_retry_delay=options.max_retry_delay,
            default_service_account=options.default_service_account,
            listing_reuse_window=options.listing_reuse_window,
        )
        secrets = ClusterSecrets(kube)
        reconcile_options = Options(feature_gates=options.gates, secrets=secrets)
        metrics = None
        if options.metrics_addr:
            from kubectl_imagerepo.controller.metrics import Metrics

            metrics = Metrics()
        poster = None
        if options.events_addr:
            from kubectl_imagerepo.controller.notification import EventPoster

            poster = EventPoster(
                options.events_addr, lambda error: self.log("error", "unable to record event", error=error)
            )
        controller = Controller(kube, config, reconcile_options, self.log, metrics, poster)
        if metrics is not None:
            metrics.depth.labels(CONTROLLER).set_function(lambda: float(controller.queue.depth()))
        policies = self._policies(controller, config, reconcile_options, metrics, poster)
        controllers: list[Controller | PolicyController] = [controller] if policies is None else [
            controller, policies
        ]
        endpoints = self._endpoints(controllers, metrics)
        self.log(
            "info",
            "starting kubectl-imagerepo run",
            namespace=namespace or "*",
            selector=options.selector or "",
            database=str(config.database),
            leaderElection=options.leader_elect,
        )
        if self.skipped is not None:
            self.log("info", self.skipped[0], error=self.skipped[1])
        try:
            if options.leader_elect and not self._lead(metrics):
                return 0
            if self.stop.is_set():
                return 0
            for each in controllers:
                each.start()
            while not self.stop.wait(1.0):
                pass
            in_flight = sum(each.in_flight for each in controllers)
            self.log("info", "stopping; waiting for reconciles in flight", inFlight=in_flight,
                     timeout=f"{options.shutdown_timeout:g}s")
            for each in controllers:
                each.halt_work()
            deadline = time.monotonic() + options.shutdown_timeout
            if not all([each.workers.join(deadline) for each in controllers]):
                self.log("error", "reconciles still running at the end of the graceful shutdown timeout")
            return 1 if self.lost else 0
        finally:
            if self.elector is not None and options.release_on_cancel:
                self.elector.release()
            for endpoint in endpoints:
                endpoint.stop()
            self.log("info", "stopped")

    def _policies(
        self,
        controller: Controller,
        config: ControllerConfig,
        reconcile_options: Options,
        metrics: Metrics | None,
        poster: EventPoster | None,
    ) -> PolicyController | None:
        """The ImagePolicy controller, fed by `controller`'s repository events; None when policies are
        unavailable (`self.skipped` says why)."""
        from kubectl_imagerepo.controller.metrics import POLICY_CONTROLLER
        from kubectl_imagerepo.controller.policies import PolicyController, policies_unavailable
        from kubectl_imagerepo.reconcile.policy_reconciler import EMPTY_TAG_RETRIES, PolicyOptions

        self.skipped = policies_unavailable(self.kube, config.namespace)
        if self.skipped is not None:
            return None
        policy_options = PolicyOptions(
            scope=reconcile_options.scope,
            feature_gates=reconcile_options.feature_gates,
            secrets=reconcile_options.secrets,
            no_cross_namespace_refs=self.options.no_cross_namespace_refs,
            dependency_requeue_ns=round(self.options.requeue_dependency * 1e9),
            tag_retries=EMPTY_TAG_RETRIES,
        )
        policies = PolicyController(
            self.kube, config, policy_options, self.log, controller.informer, metrics, poster
        )
        controller.observers.append(policies.repository_events)
        if metrics is not None:
            metrics.series(POLICY_CONTROLLER)
            metrics.depth.labels(POLICY_CONTROLLER).set_function(lambda: float(policies.queue.depth()))
        return policies

    def _lead(self, metrics: Any) -> bool:
        """Wait for the Lease; keep it renewed in a thread that stops everything when it is lost."""
        from kubectl_imagerepo.controller.leader import ElectionConfig, LeaderElector, default_identity

        options = self.options
        config = ElectionConfig(
            namespace=options.lease_namespace or self.kube.namespace,
            name=options.lease_name,
            identity=default_identity(),
            lease_duration=options.lease_duration,
            renew_deadline=options.renew_deadline,
            retry_period=options.retry_period,
        )
        elector = self.elector = LeaderElector(self.kube, config, self.stop, self.log)
        if not elector.acquire():
            return False
        if metrics is not None:
            metrics.leader.labels(options.lease_name).set(1)

        def keep() -> None:
            elector.keep()
            if not self.stop.is_set():  # lost, not asked to stop
                self.lost = True
                if metrics is not None:
                    metrics.leader.labels(options.lease_name).set(0)
                self.stop.set()

        threading.Thread(target=keep, name="leader-election", daemon=True).start()
        return True

    def _endpoints(self, controllers: list[Any], metrics: Any) -> list[Any]:
        from kubectl_imagerepo.controller.metrics import Endpoint, check

        endpoints = []
        if metrics is not None:
            def exposition() -> tuple[int, bytes, str]:
                body, content_type = metrics.exposition()
                return 200, body, content_type

            endpoints.append(Endpoint(self.options.metrics_addr, {"/metrics": exposition}).start())
        if self.options.health_addr:
            alive = check(lambda: True, "ping")
            # Ready once the objects of every kind are listed, or while standing by for the Lease.
            ready = check(
                lambda: all(each.informer.synced.is_set() for each in controllers)
                or (self.elector is not None and not self.elector.leading),
                "informer-synced",
            )
            endpoints.append(
                Endpoint(self.options.health_addr, {"/healthz": alive, "/readyz": ready}).start()
            )
        for endpoint in endpoints:
            self.log("info", "serving", address=endpoint.address)
        return endpoints


def _handle_signals(stop: threading.Event, log: Logger) -> None:
    """The first SIGINT/SIGTERM stops gracefully; a second one exits at once."""

    def handle(signum: int, _frame: object) -> None:
        if stop.is_set():
            log("error", "second signal; exiting now", signal=signal.Signals(signum).name)
            os._exit(1)
        log("info", "received signal; shutting down", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
