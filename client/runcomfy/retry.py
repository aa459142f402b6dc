"""Retries that can never double-bill: an httpx transport wrapper.

Only requests that are safe to repeat are retried on failure: GETs (status, result, video) and
requests marked ``extensions={"retry_safe": True}`` (cancel: asking twice changes nothing).
The submit POST is retried only when the connection failed before a byte was sent
(``ConnectError``/``ConnectTimeout``); once it may have reached the server it is never resent,
because there is no idempotency key and a second submit is a second paid job.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Failures where the request provably never left this machine.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry a safe request: exponential backoff with jitter, capped."""

    attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    max_retry_after_s: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Delay before retry number ``attempt`` (0-based): half fixed, half random ("equal jitter").

        The random half spreads many clients apart after a shared outage; the fixed half keeps a
        retry from firing immediately.
        """
        ceiling = min(self.max_delay_s, self.base_delay_s * (2**attempt))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)

    def retry_after(self, response: httpx.Response) -> float | None:
        """The server's ``Retry-After`` in seconds (number or HTTP date), capped; None if absent."""
        value = response.headers.get("retry-after", "").strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is None:
                return None
            seconds = parsed.timestamp() - time.time()
        return max(0.0, min(seconds, self.max_retry_after_s))


def is_retry_safe(request: httpx.Request) -> bool:
    """True for requests that may be repeated without side effects."""
    return request.method in ("GET", "HEAD") or bool(request.extensions.get("retry_safe"))


class RetryTransport(httpx.AsyncBaseTransport):
    """Wraps another transport and retries what is safe to retry (see module docstring)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._inner = inner
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self.retries = 0  # how many extra requests retries cost (reported by benchmarks)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, retrying safe requests on connection errors and 429/5xx."""
        safe = is_retry_safe(request)
        # A request may ask for fewer tries (``extensions={"attempts": 2}``): a price read before a
        # submit must fail fast rather than hold the visitor for the whole backoff.
        attempts = min(self._policy.attempts, int(request.extensions.get("attempts", self._policy.attempts)))
        attempt = 0
        while True:
            last_try = attempt + 1 >= attempts
            try:
                response = await self._inner.handle_async_request(request)
            except NOT_SENT_ERRORS as exc:
                if last_try:
                    raise
                log.info("retrying %s %s after %s", request.method, request.url.path, type(exc).__name__)
            except httpx.TransportError as exc:
                if not safe or last_try:
                    raise
                log.info("retrying %s %s after %s", request.method, request.url.path, type(exc).__name__)
            else:
                if not safe or last_try or response.status_code not in RETRY_STATUSES:
                    return response
                delay = self._policy.retry_after(response) if response.status_code == 429 else None
                await response.aclose()
                log.info("retrying %s %s after HTTP %s", request.method, request.url.path,
                         response.status_code)
                await self._wait(delay if delay is not None else self._policy.backoff(attempt, self._rng))
                attempt += 1
                continue
            await self._wait(self._policy.backoff(attempt, self._rng))
            attempt += 1

    async def _wait(self, seconds: float) -> None:
        self.retries += 1
        await self._sleep(seconds)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()
