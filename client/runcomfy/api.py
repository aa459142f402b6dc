"""The thin HTTP client of RunComfy's queue API: submit, status, result, cancel, download, and the
two money calls: the model's live price (its card) and the wallet's balance (on the account host).

One ``httpx.AsyncClient`` (with :class:`~client.runcomfy.retry.RetryTransport`) is shared by every
call; the token is sent per request, so one client serves visitors who bring their own keys. The
transport is injectable (replicate-python's seam): the offline stand-in is reached through
``httpx.ASGITransport``. It knows one model id and nothing else: no schema, no file naming, no poll
schedule (``client.jobs`` runs whole jobs on top of it).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from client.runcomfy.download import download_to
from client.runcomfy.errors import AuthError, ConnectionFailed, SubmitUncertain
from client.runcomfy.http_errors import json_or_error
from client.runcomfy.parse import (
    CancelOutcome,
    JobResult,
    JobStatus,
    Submission,
    parse_result,
    parse_state,
    parse_status,
    parse_submission,
)
from client.runcomfy.pricing import Balance, Price, account_url_for, parse_balance, parse_price
from client.runcomfy.retry import NOT_SENT_ERRORS, RetryPolicy, RetryTransport
from client.runcomfy.secret import Secret

DEFAULT_BASE_URL = "https://model-api.runcomfy.net/v1"
# Said whenever a submit's fate is unknown: the job may exist and be billed, and only its id can fetch it.
RECOVER_HINT = ("Check your RunComfy requests list before trying again: if the job is there, fetch it by its "
                "request id (python -m client recover REQUEST_ID) instead of generating it twice.")
# Tries for the price and balance reads: they come before a submit, where a slow failure holds a person.
MONEY_ATTEMPTS = 2


class RunComfyClient:
    """Async client for one RunComfy model. Use as ``async with RunComfyClient(...) as api:``."""

    def __init__(
        self,
        token: Secret | str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        model: str,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        max_video_bytes: int = 500_000_000,
        timeout: httpx.Timeout | None = None,
        account_url: str | None = None,
    ) -> None:
        self._token = Secret(token) if isinstance(token, str) else token
        self.base_url = base_url.rstrip("/")
        # The balance lives on another host; by default RunComfy's own, or the base URL's origin.
        self.account_url = (account_url or account_url_for(self.base_url)).rstrip("/")
        self.model = model
        self.max_video_bytes = max_video_bytes
        self.retry_policy = retry or RetryPolicy()
        self.transport = RetryTransport(transport or httpx.AsyncHTTPTransport(), self.retry_policy)
        self._http = httpx.AsyncClient(
            transport=self.transport,
            timeout=timeout or httpx.Timeout(30.0, connect=10.0),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"RunComfyClient(base_url={self.base_url!r}, model={self.model!r}, token=***)"

    async def __aenter__(self) -> RunComfyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close connections."""
        await self._http.aclose()

    @property
    def has_token(self) -> bool:
        """True when a default token is configured."""
        return bool(self._token)

    def _secret(self, token: Secret | str | None) -> Secret:
        secret = Secret(token) if isinstance(token, str) else (token or self._token)
        if not secret:
            raise AuthError("No RunComfy API token: set RUNCOMFY_API_TOKEN (or RUNCOMFY_TOKEN) "
                            "or enter a key.", reason="auth")
        return secret

    async def _call(
        self,
        method: str,
        path: str,
        token: Secret | str | None,
        *,
        request_id: str | None = None,
        json: Mapping[str, Any] | None = None,
        params: dict[str, str] | None = None,
        submit: bool = False,
        account: bool = False,
        quick: bool = False,
    ) -> dict[str, Any]:
        secret = self._secret(token)
        headers = {"Authorization": f"Bearer {secret.reveal()}", "Accept": "application/json"}
        extensions: dict[str, Any] = {} if submit or method == "GET" else {"retry_safe": True}
        base, setting = (self.account_url, "RUNCOMFY_ACCOUNT_URL") if account else (self.base_url,
                                                                                    "RUNCOMFY_BASE_URL")
        if quick:
            extensions["attempts"] = MONEY_ATTEMPTS
        try:
            response = await self._http.request(
                method, f"{base}{path}", headers=headers, json=json, params=params, extensions=extensions)
        except NOT_SENT_ERRORS as exc:
            raise ConnectionFailed(
                f"Could not connect to RunComfy at {base} ({type(exc).__name__}): check your "
                f"network and {setting}.", request_id=request_id) from None
        except httpx.HTTPError as exc:
            if submit:
                raise SubmitUncertain(
                    f"The connection broke after the job was sent ({type(exc).__name__}), so RunComfy may "
                    "have received it. It was NOT sent again (that would be a second paid job). "
                    + RECOVER_HINT) from None
            raise ConnectionFailed(
                f"Lost the connection to RunComfy ({type(exc).__name__}); it will be retried.",
                request_id=request_id) from None
        return json_or_error(response, request_id=request_id, secret=secret.reveal())

    async def submit(self, payload: Mapping[str, Any], *, token: Secret | str | None = None) -> Submission:
        """Submit one paid job (``payload``: the model's input). Never resent once it may have arrived."""
        body = await self._call("POST", f"/models/{self.model}", token, json=payload, submit=True)
        try:
            return parse_submission(body)
        except ValueError:
            raise SubmitUncertain(
                "RunComfy accepted the job but its answer had no request id; it was NOT sent again. "
                + RECOVER_HINT) from None

    async def status(self, request_id: str, *, token: Secret | str | None = None) -> JobStatus:
        """The job's current state and queue position."""
        body = await self._call("GET", f"/requests/{request_id}/status", token, request_id=request_id)
        return parse_status(body, request_id)

    async def result(
        self, request_id: str, *, token: Secret | str | None = None, include_cost: bool = True
    ) -> JobResult:
        """The job's result (or its current state when not finished)."""
        params = {"include_cost": "true"} if include_cost else None
        body = await self._call("GET", f"/requests/{request_id}/result", token, request_id=request_id,
                                params=params)
        return parse_result(body, request_id)

    async def cancel(self, request_id: str, *, token: Secret | str | None = None) -> CancelOutcome:
        """Ask to cancel; only a queued job can be cancelled."""
        body = await self._call("POST", f"/requests/{request_id}/cancel", token, request_id=request_id)
        outcome = str(body.get("outcome") or body.get("status") or "").lower()
        if outcome in ("cancelled", "canceled"):
            return CancelOutcome(request_id, True, outcome, "Cancelled while queued: nothing is billed.")
        state = parse_state(body.get("status"))
        if state.ended:  # asked too late: the job is over, whichever way it went
            return CancelOutcome(request_id, False, "ended",
                                 f"The job has already ended ({state.value}): there is nothing to cancel.")
        if outcome == "not_cancellable":
            return CancelOutcome(request_id, False, outcome,
                                 "Already running: RunComfy cannot stop it; it will finish and be billed.")
        return CancelOutcome(request_id, False, outcome or "unknown",
                             f"RunComfy answered '{outcome or 'nothing'}' to the cancel; the job may go on.")

    async def price(self, *, token: Secret | str | None = None) -> Price:
        """The model's live price from its card (``base_price_usd`` per ``price_unit``)."""
        body = await self._call("GET", f"/models/{self.model}", token, quick=True)
        return parse_price(body, self.model)

    async def balance(self, *, token: Secret | str | None = None) -> Balance:
        """What is left in the key's RunComfy wallet (``GET {account_url}/balance``)."""
        body = await self._call("GET", "/balance", token, account=True, quick=True)
        return parse_balance(body)

    async def download(self, request_id: str, url: str, dest: Path) -> Path:
        """Fetch a finished job's video to ``dest`` (streamed, capped, allowed hosts only); ``dest``."""
        return await download_to(self._http, url, dest, base_url=self.base_url,
                                 max_bytes=self.max_video_bytes, request_id=request_id)
