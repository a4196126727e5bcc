"""`run --events-addr`: the controller's events posted to notification-controller, as Flux's recorder.

Flux's event recorder (fluxcd/pkg/runtime/events) POSTs each Normal and Warning event as JSON to the
address; Trace events stay Kubernetes Events only. The payload is Flux's event/v1beta1 `Event`:
`involvedObject`, `severity` (`info` for Normal, `error` for Warning), `timestamp` (RFC 3339,
seconds), `message`, `reason`, `metadata` (the object's `event.toolkit.fluxcd.io/` annotations,
omitted when none), `reportingController` and `reportingInstance` (the host name).

Delivery follows the recorder's retrying HTTP client: a 5-second timeout per request; connection
errors and 5xx answers (but 501) are retried up to 4 times after 1, 2, 4 and 8 seconds (a
`Retry-After` of a 503 is honoured, up to 30 seconds); a 429 means notification-controller saw the
event already and is not retried. Posting happens in the worker that recorded the event, as in Flux.
See docs/behaviour.md, The controller: `run`.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kubectl_imagerepo.model import api

EVENT_ANNOTATION_PREFIX = "event.toolkit.fluxcd.io/"
SEVERITIES = {"Normal": "info", "Warning": "error"}
TIMEOUT = 5.0
RETRY_MAX = 4
RETRY_WAIT_MIN = 1.0
RETRY_WAIT_MAX = 30.0


def payload(
    obj: Mapping[str, Any],
    event_type: str,
    reason: str,
    message: str,
    now: datetime,
    *,
    controller: str = api.FIELD_MANAGER,
    instance: str | None = None,
) -> dict[str, Any] | None:
    """The JSON body for one event, or None for what is never forwarded (Trace, an unnamed object)."""
    severity = SEVERITIES.get(event_type)
    meta = obj.get("metadata") or {}
    if severity is None or not meta.get("name") or not meta.get("namespace"):
        return None
    reference = {
        "kind": obj.get("kind") or api.KIND,
        "namespace": meta.get("namespace"),
        "name": meta.get("name"),
        "uid": meta.get("uid"),
        "apiVersion": obj.get("apiVersion") or f"{api.GROUP}/{api.VERSIONS[0]}",
        "resourceVersion": meta.get("resourceVersion"),
    }
    body: dict[str, Any] = {
        "involvedObject": {k: v for k, v in reference.items() if v},
        "severity": severity,
        "timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "message": message,
        "reason": reason,
    }
    annotations = {
        str(k): str(v)
        for k, v in (meta.get("annotations") or {}).items()
        if str(k).startswith(EVENT_ANNOTATION_PREFIX)
    }
    if annotations:
        body["metadata"] = annotations
    body["reportingController"] = controller
    reporter = socket.gethostname() if instance is None else instance
    if reporter:
        body["reportingInstance"] = reporter
    return body


def retry_delay(attempt: int, retry_after: str | None = None) -> float:
    """The wait before retry number `attempt` (0-based): 1s doubling, or the server's Retry-After."""
    if retry_after is not None and retry_after.strip().isdigit():
        return min(float(retry_after.strip()), RETRY_WAIT_MAX)
    return float(min(RETRY_WAIT_MIN * (2**attempt), RETRY_WAIT_MAX))


def should_retry(status: int | None) -> bool:
    """A connection error (None) or a 5xx but 501; never a 429 (a duplicate) nor another answer."""
    if status is None:
        return True
    return status >= 500 and status != 501


@dataclass
class EventPoster:
    """Posts event payloads to `address`; failures go to `on_error`, never to the reconcile."""

    address: str
    on_error: Callable[[str], None]
    sleep: Callable[[float], None] = time.sleep
    timeout: float = TIMEOUT
    attempts: list[int] = field(default_factory=list)  # the status of each try, for tests and logs

    def post(self, body: Mapping[str, Any]) -> bool:
        """POST `body` as JSON with the retries above; whether a 2xx (or a 429: a duplicate) answered.

        Another 4xx ends it silently, as the recorder's client returns such answers without an error.
        """
        data = json.dumps(body, separators=(",", ":")).encode()
        last = ""
        for attempt in range(RETRY_MAX + 1):
            status, retry_after, last = self._send(data)
            self.attempts.append(status or 0)
            if status is not None and not should_retry(status):
                return 200 <= status < 300 or status == 429
            if attempt == RETRY_MAX:
                break
            self.sleep(retry_delay(attempt, retry_after if status == 503 else None))
        self.on_error(f"POST {self.address} giving up after {RETRY_MAX + 1} attempt(s): {last}")
        return False

    def _send(self, data: bytes) -> tuple[int | None, str | None, str]:
        request = urllib.request.Request(
            self.address, data=data, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return int(answer.status), None, f"{answer.status}"
        except urllib.error.HTTPError as failure:
            return int(failure.code), failure.headers.get("Retry-After"), f"{failure.code} {failure.reason}"
        except (urllib.error.URLError, OSError) as failure:
            reason = getattr(failure, "reason", failure)
            return None, None, str(reason)
