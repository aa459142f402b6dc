"""Who a visitor is, and how many generations they may spend on the server's key per hour.

The limiter is an ordinary object created by ``build_demo`` and held by that demo's handlers: two
demos (or two tests) never share counters, and nothing lives at module level.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass


def signed_in_user(request: object) -> str | None:
    """The Hugging Face user signed in with the page's "Sign in" button, if any.

    Gradio keeps the OAuth answer in the Starlette session (only installed on a Space with
    ``hf_oauth: true``); the profile's ``preferred_username`` names the person. Expired: nobody.
    """
    try:
        session = _as_mapping(getattr(request, "session", None))
    except (AssertionError, AttributeError):  # no SessionMiddleware: no OAuth on this server
        return None
    info = _as_mapping(session.get("oauth_info")) if session is not None else None
    if info is None:
        return None
    expires = info.get("expires_at")
    if isinstance(expires, (int, float)) and expires < time.time():
        return None
    user = _as_mapping(info.get("userinfo"))
    name = user.get("preferred_username") if user is not None else None
    return name if isinstance(name, str) and name else None


def _as_mapping(value: object) -> Mapping[str, object] | None:
    """``value`` as a mapping: gr.Request hands dicts over as its own objects, which turn back into one."""
    if value is None or isinstance(value, Mapping):
        return value
    try:
        return dict(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def visitor_id(headers: Mapping[str, str] | None, client_host: str | None, *, behind_proxy: bool) -> str:
    """A stable name for a visitor: their IP address.

    Behind a proxy (a Hugging Face Space) every connection comes from the proxy, so the first
    ``X-Forwarded-For`` hop (the address the proxy saw) names the visitor. Locally the header is
    ignored: anyone could send one, and the socket's address is the truth.
    """
    if behind_proxy and headers is not None:
        forwarded = headers.get("x-forwarded-for", "")
        first = forwarded.split(",")[0].strip()
        if first:
            return first
    return client_host or "unknown"


@dataclass(frozen=True)
class Verdict:
    """The limiter's answer: allowed, or how long until the oldest use leaves the window."""

    allowed: bool
    limit: int
    retry_after_s: float = 0.0

    @property
    def retry_after_min(self) -> int:
        """Minutes to wait, rounded up (at least 1), for people."""
        return max(1, int(-(-self.retry_after_s // 60)))


class HourlyLimit:
    """At most ``limit`` uses per visitor in any sliding window of ``window_s`` seconds.

    A sliding window (timestamps, not a counter reset on the hour) so a visitor cannot spend the
    whole allowance at 10:59 and again at 11:00. Thread-safe: Gradio may call from worker threads.
    """

    def __init__(
        self, limit: int, *, window_s: float = 3600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._uses: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, visitor: str, now: float) -> deque[float]:
        uses = self._uses.setdefault(visitor, deque())
        while uses and now - uses[0] >= self.window_s:
            uses.popleft()
        return uses

    def take(self, visitor: str) -> Verdict:
        """Count one use for ``visitor`` if the window has room; otherwise say when it will."""
        with self._lock:
            now = self._clock()
            uses = self._recent(visitor, now)
            if len(uses) >= self.limit:
                return Verdict(False, self.limit, self.window_s - (now - uses[0]))
            uses.append(now)
            self._forget_idle(now)
            return Verdict(True, self.limit)

    def give_back(self, visitor: str) -> None:
        """Return the latest use (the job never reached RunComfy, so it cost nothing)."""
        with self._lock:
            uses = self._uses.get(visitor)
            if uses:
                uses.pop()

    def _forget_idle(self, now: float) -> None:
        # Keep memory bounded on a long-running Space: drop visitors with no use left in the window.
        if len(self._uses) > 1024:
            for name in [v for v, uses in self._uses.items() if not uses or now - uses[-1] >= self.window_s]:
                del self._uses[name]
