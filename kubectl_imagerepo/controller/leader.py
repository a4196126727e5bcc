"""Leader election through a `coordination.k8s.io/v1` Lease, as client-go's leaderelection.

Expiry is judged by this process's own clock: a Lease whose record has not changed for
`lease_duration` since this process first saw it is free to take, whatever its timestamps say,
so clocks need not agree. Every write carries the resourceVersion read, so two candidates
never both win.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube

LEASES = "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases"


@dataclass(frozen=True)
class LeaseRecord:
    """The fields of a Lease's spec that election looks at."""

    holder: str
    duration: float
    renew_time: str
    transitions: int

    @classmethod
    def from_lease(cls, lease: Mapping[str, Any]) -> LeaseRecord:
        spec = lease.get("spec") or {}
        return cls(
            holder=str(spec.get("holderIdentity") or ""),
            duration=float(spec.get("leaseDurationSeconds") or 0),
            renew_time=str(spec.get("renewTime") or ""),
            transitions=int(spec.get("leaseTransitions") or 0),
        )


@dataclass(frozen=True)
class Observation:
    """A Lease record as this process last saw it, and when (its monotonic clock)."""

    record: LeaseRecord
    seen_at: float


def may_take(
    record: LeaseRecord, previous: Observation | None, identity: str, now: float, lease_duration: float
) -> tuple[bool, Observation]:
    """Whether `identity` may write the Lease now; and the observation to keep.

    Free when nobody holds it, when we do, or when its record has stayed the same for the
    lease's duration (ours when it names none) as measured by this process.
    """
    observation = (
        previous
        if previous is not None and previous.record == record
        else Observation(record=record, seen_at=now)
    )
    if not record.holder or record.holder == identity:
        return True, observation
    duration = record.duration or lease_duration
    return now - observation.seen_at >= duration, observation


def micro_time(moment: datetime) -> str:
    """A Kubernetes MicroTime: RFC 3339 with microseconds, UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def default_identity() -> str:
    """`<hostname>_<uuid>`, as controller-runtime names a candidate."""
    return f"{socket.gethostname()}_{uuid.uuid4()}"


@dataclass(frozen=True)
class ElectionConfig:
    namespace: str
    name: str
    identity: str
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0


class LeaderElector:
    """Acquires the Lease, keeps renewing it, and says when leadership starts and ends."""

    def __init__(
        self,
        kube: Kube,
        config: ElectionConfig,
        stop: threading.Event,
        log: Callable[..., None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.kube, self.config, self.stop, self.log, self.clock = kube, config, stop, log, clock
        self._observed: Observation | None = None
        self.leading = False

    @property
    def _path(self) -> str:
        return LEASES.format(namespace=self.config.namespace) + "/" + self.config.name

    def acquire(self) -> bool:
        """Wait until this process leads (True), or until `stop` is set (False)."""
        self.log("info", "attempting to acquire leader lease", lease=self._lease_name())
        while not self.stop.is_set():
            if self._try():
                self.leading = True
                self.log("info", "successfully acquired lease", lease=self._lease_name())
                return True
            self.stop.wait(self.config.retry_period)
        return False

    def keep(self) -> None:
        """Renew until `stop` is set or renewal fails for `renew_deadline`.

        Releasing the Lease on a stop is the caller's decision (`--leader-election-release-on-cancel`),
        made after the reconciles in flight have finished.
        """
        last = self.clock()
        while not self.stop.wait(self.config.retry_period):
            if self._try():
                last = self.clock()
            elif self.clock() - last > self.config.renew_deadline:
                self.leading = False
                self.log("error", "leader election lost", lease=self._lease_name())
                return

    def release(self) -> None:
        """Give the Lease up so that a standby takes over without waiting for it to expire."""
        from kubectl_imagerepo.model.errors import CommandError

        if not self.leading:
            return
        self.leading = False
        try:
            lease = self.kube.get(self._path)
            if LeaseRecord.from_lease(lease).holder != self.config.identity:
                return
            now = micro_time(datetime.now(UTC))
            spec = dict(lease.get("spec") or {})
            spec.update(holderIdentity=None, leaseDurationSeconds=1, renewTime=now, acquireTime=now)
            self.kube.put(self._path, {**lease, "spec": spec})
            self.log("info", "released leader lease", lease=self._lease_name())
        except CommandError as failure:
            self.log("error", "could not release the leader lease", error=str(failure))

    def _lease_name(self) -> str:
        return f"{self.config.namespace}/{self.config.name}"

    def _try(self) -> bool:
        """One attempt to acquire or renew; False on any refusal or failure."""
        from kubectl_imagerepo.kube.client import ApiError
        from kubectl_imagerepo.model.errors import CommandError

        now_wall = micro_time(datetime.now(UTC))
        mine = {
            "holderIdentity": self.config.identity,
            "leaseDurationSeconds": max(1, round(self.config.lease_duration)),
            "acquireTime": now_wall,
            "renewTime": now_wall,
            "leaseTransitions": 0,
        }
        try:
            try:
                lease = self.kube.get(self._path)
            except ApiError as missing:
                if not missing.not_found:
                    raise
                body = {
                    "apiVersion": "coordination.k8s.io/v1",
                    "kind": "Lease",
                    "metadata": {"name": self.config.name, "namespace": self.config.namespace},
                    "spec": mine,
                }
                self.kube.post(LEASES.format(namespace=self.config.namespace), body)
                return True
            record = LeaseRecord.from_lease(lease)
            allowed, self._observed = may_take(
                record, self._observed, self.config.identity, self.clock(), self.config.lease_duration
            )
            if not allowed:
                return False
            spec = dict(lease.get("spec") or {})
            if record.holder == self.config.identity:
                spec.update(renewTime=now_wall, leaseDurationSeconds=mine["leaseDurationSeconds"])
            else:
                spec.update(mine, leaseTransitions=record.transitions + 1)
            updated = self.kube.put(self._path, {**lease, "spec": spec})
            self._observed = Observation(LeaseRecord.from_lease(updated), self.clock())
            return True
        except ApiError as failure:
            if failure.status != 409:
                self.log("error", "error retrieving or updating the leader lease", error=failure.message)
            return False
        except CommandError as failure:
            self.log("error", "error retrieving or updating the leader lease", error=str(failure))
            return False

