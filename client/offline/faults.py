"""Injected faults: the ways a real API and its network let a client down, on demand.

A :class:`FaultRule` says which endpoint misbehaves, how, and how often; a :class:`FaultPlan`
holds the rules with a seeded RNG and picks the fault (if any) for each call.

How "drop" reaches the client: the answer starts (status 200, a ``Content-Length``, part of
the body) and then the app raises :class:`ConnectionDropped`.

- On a uvicorn server the exception makes uvicorn close the socket mid-body, so httpx raises
  ``httpx.RemoteProtocolError`` ("peer closed connection without sending complete message
  body"), a real transport-level failure. uvicorn's traceback for it is silenced by
  :class:`HideDeliberateDrops`.
- In-process, ``httpx.ASGITransport`` re-raises the app's exception to the caller, and
  :class:`ConnectionDropped` *is* an ``httpx.RemoteProtocolError``, so the client sees the
  same exception type in both setups.
"""

from __future__ import annotations

import logging
import random
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

import httpx
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send

Endpoint = Literal["submit", "status", "result", "cancel", "video", "any"]
Kind = Literal[
    "500", "html502", "503", "504", "429", "drop", "drop_after_submit",
    "malformed", "error200", "404", "403",
]  # fmt: skip
ENDPOINTS: tuple[str, ...] = tuple(e for e in get_args(Endpoint) if e != "any")
KINDS: tuple[str, ...] = get_args(Kind)
AFTER_HANDLING = "drop_after_submit"
"""The one kind applied after the call was handled (the job exists, the answer is lost)."""

logger = logging.getLogger("client.offline")


@dataclass(frozen=True)
class FaultRule:
    """One fault to inject.

    ``endpoint``: which calls it hits ("any" = all five). ``kind``: what happens (see the module
    doc and :func:`fault_response`). ``times``: only the first N matching calls; ``rate``:
    probability per matching call (seeded RNG); both None = every matching call.
    ``retry_after``: seconds sent in the ``Retry-After`` header of a "429" (None = no header).
    """

    endpoint: Endpoint
    kind: Kind
    times: int | None = None
    rate: float | None = None
    retry_after: float | None = 1.0

    def __post_init__(self) -> None:
        if self.endpoint not in (*ENDPOINTS, "any"):
            raise ValueError(f"unknown fault endpoint {self.endpoint!r}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}")
        if self.times is not None and (type(self.times) is not int or self.times < 0):
            raise ValueError("times must be a non-negative integer")
        if self.rate is not None and not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if self.retry_after is not None and not self.retry_after >= 0:
            raise ValueError("retry_after must not be negative")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        """Build from a JSON object (as posted to ``/_offline/config``)."""
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        """The JSON object form."""
        return asdict(self)


class FaultPlan:
    """The active rules, their use counts and the seeded RNG behind ``rate``."""

    def __init__(self, rules: list[FaultRule], seed: int = 0) -> None:
        self.rules = list(rules)
        self._fired = [0] * len(self.rules)
        self._rng = random.Random(seed)  # noqa: S311 - reproducible fault timing, not security

    def pick(self, endpoint: str) -> FaultRule | None:
        """The fault for this call, or None. The first rule that fires wins."""
        for i, rule in enumerate(self.rules):
            if rule.endpoint not in (endpoint, "any"):
                continue
            if rule.times is not None and self._fired[i] >= rule.times:
                continue
            if rule.rate is not None and self._rng.random() >= rule.rate:
                continue
            self._fired[i] += 1
            return rule
        return None


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised by the app to cut an answer mid-body (see the module doc)."""


class HideDeliberateDrops(logging.Filter):
    """Keeps uvicorn from logging a traceback for a drop we asked for."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for uvicorn's "Exception in ASGI application" record about a deliberate drop."""
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def install_drop_filter() -> None:
    """Attach :class:`HideDeliberateDrops` to uvicorn's error logger (once)."""
    target = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, HideDeliberateDrops) for f in target.filters):
        target.addFilter(HideDeliberateDrops())


class DroppedResponse(Response):
    """Starts an answer, sends part of it, then cuts the connection."""

    def __init__(self, request: Request, media_type: str = "application/json") -> None:
        super().__init__(status_code=200, media_type=media_type)
        self._method, self._url = request.method, str(request.url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send headers promising 4096 bytes and 16 of them, then raise."""
        partial = b'{"request_id": "'
        headers = [(b"content-type", self.media_type.encode()), (b"content-length", b"4096")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": partial, "more_body": True})
        logger.info("offline stand-in: dropping the answer to %s %s on purpose", self._method, self._url)
        raise ConnectionDropped(
            "peer closed connection without sending complete message body "
            f"(received {len(partial)} bytes, expected 4096; dropped on purpose by the offline stand-in)",
            request=httpx.Request(self._method, self._url),
        )


def _error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error_code": code, "error_message": message}, status_code=status, headers=headers)


_BAD_GATEWAY = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
    "<center><h1>502 Bad Gateway</h1></center><hr><center>offline stand-in</center></body></html>"
)


def fault_response(rule: FaultRule, request: Request) -> Response:
    """The answer a fault gives instead of the real one (``drop_after_submit`` is the caller's)."""
    kind = rule.kind
    if kind in ("drop", AFTER_HANDLING):
        return DroppedResponse(request)
    if kind == "500":
        return _error(500, 500001, "internal error (injected fault); retry with exponential backoff")
    if kind == "html502":
        return HTMLResponse(_BAD_GATEWAY, status_code=502)
    if kind == "503":
        return _error(503, 500001, "service temporarily unavailable (injected fault)")
    if kind == "504":
        return _error(504, 500001, "gateway timeout (injected fault)")
    if kind == "429":
        headers = None
        if rule.retry_after is not None:
            # Whole seconds are sent as an integer (the standard form); fractions as given.
            ra = rule.retry_after
            headers = {"Retry-After": str(int(ra)) if float(ra).is_integer() else str(ra)}
        return _error(429, 429001, "too many requests (injected fault)", headers)
    if kind == "malformed":
        return Response(b'{"status": "in_progr<html>', status_code=200, media_type="application/json")
    if kind == "error200":
        return _error(200, 500001, "internal error reported with status 200 (injected fault)")
    if kind == "404":
        return _error(404, 404001, "request not found (injected fault)")
    return _error(403, 403001, "access denied (injected fault)")
