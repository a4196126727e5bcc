"""When ggcr retries a request and how long it waits first, bounded by the scan's deadline; the retry layer.

The decisions are pure functions (docs/behaviour.md, Scanning): at most 3 attempts, 1s then 3s with up
to 10% jitter, a `Retry-After` replacing the backoff, and no wait that would reach the deadline.
`Retrying` is the layer of the request path that applies them, as ggcr's `retryTransport` does.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kubectl_imagerepo.registry.errors import RegistryError, redact_url, scrub
from kubectl_imagerepo.registry.neterrors import describe_network_error
from kubectl_imagerepo.registry.roundtrip import NoResponse, Request, RoundTripper

if TYPE_CHECKING:
    import requests

__all__ = [
    "MAX_ATTEMPTS",
    "RETRY_BACKOFF",
    "RETRY_JITTER",
    "RETRY_STATUSES",
    "Retrying",
    "parse_retry_after",
    "retry_delay",
    "should_retry_status",
]

logger = logging.getLogger(__name__)

#: ggcr's retried statuses (transport/retry.go and remote/options.go).
RETRY_STATUSES = frozenset({408, 429, 499, 500, 502, 503, 504, 522})
#: Attempts per request in all (so at most 2 retries), and the waits before the 2nd and 3rd attempts.
MAX_ATTEMPTS = 3
RETRY_BACKOFF = (1.0, 3.0)
RETRY_JITTER = 0.1


def should_retry_status(status: int) -> bool:
    """Whether ggcr retries a response with this status: 408, 429, 499, 500, 502, 503, 504, 522."""
    return status in RETRY_STATUSES


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value (delta seconds or an HTTP date); None if absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retry_delay(
    attempts: int,
    *,
    now: float,
    deadline: float,
    retry_after: str | None = None,
    jitter: float = 0.0,
    wall_clock: datetime | None = None,
) -> float | None:
    """How long to wait before trying again, or None to give up now.

    After the 1st attempt the wait is 1s, after the 2nd 3s (each stretched by `jitter`, a fraction),
    and there is no 4th attempt. A valid `Retry-After` replaces the backoff. A wait that would reach
    the deadline gives up instead, so the caller reports the registry's answer rather than a timeout.

    Args:
        attempts: How many attempts were made so far (1 after the first).
        now: The current `time.monotonic()`.
        deadline: The `time.monotonic()` value the whole listing must end by.
        retry_after: The response's `Retry-After` header, if any.
        jitter: Extra fraction of the backoff, drawn by the caller in [0, RETRY_JITTER).
        wall_clock: The current time, for an HTTP-date `Retry-After`.
    """
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = RETRY_BACKOFF[min(attempts, len(RETRY_BACKOFF)) - 1] * (1.0 + jitter)
    hinted = parse_retry_after(retry_after, wall_clock)
    if hinted is not None:
        delay = hinted
    if now + delay >= deadline:
        return None
    return delay



class Retrying:
    """Sends through `inner` again after a retried status or a transient network error, within the deadline.

    Args:
        inner: The layer below (the deadline layer).
        deadline: The `time.monotonic()` value no wait may reach.
        proxy_for: The proxy a URL goes through, named in network errors.
        secrets: Texts scrubbed from errors and log lines.
        sleep: Waits between attempts (replaceable in tests).

    Raises:
        RegistryError: Go's text for a network error that is not retried, or retried too often.
    """

    def __init__(
        self,
        inner: RoundTripper,
        *,
        deadline: Callable[[], float],
        proxy_for: Callable[[str], str | None],
        secrets: set[str],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._inner = inner
        self._deadline = deadline
        self._proxy_for = proxy_for
        self._secrets = secrets
        self._sleep = sleep

    def __call__(self, request: Request) -> requests.Response:
        attempts = 0
        while True:
            attempts += 1
            try:
                response = self._inner(request)
            except NoResponse as failure:
                detail, retryable = describe_network_error(
                    failure.error, failure.url, self._proxy_for(failure.url))
                delay = self._delay(attempts) if retryable else None
                if delay is None:
                    raise RegistryError(
                        detail, method=failure.method, url=failure.url, secrets=self._secrets) from None
                logger.info("retrying %s %s in %.1fs: %s", failure.method, redact_url(failure.url), delay,
                            scrub(detail, self._secrets))
                self._sleep(delay)
                continue
            if should_retry_status(response.status_code):
                delay = self._delay(attempts, response.headers.get("Retry-After"))
                if delay is not None:
                    logger.info("retrying %s %s in %.1fs: status %d", request.method,
                                redact_url(response.url), delay, response.status_code)
                    self._sleep(delay)
                    continue
            return response

    def _delay(self, attempts: int, retry_after: str | None = None) -> float | None:
        return retry_delay(attempts, now=time.monotonic(), deadline=self._deadline(),
                           retry_after=retry_after, jitter=random.random() * RETRY_JITTER)
