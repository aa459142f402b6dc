"""The stand-in's money: the model card with its price, the account host's balance, and what a job costs.

- ``GET /v1/models/{model_id}``: the card, ``base_price_usd`` per ``price_unit`` (knobs ``price_usd``,
  ``price_unit``); ``price_fails`` makes it answer 500.
- ``GET /prod/v2/balance``: what is left of ``balance_usd`` for the calling key (each key has its own
  wallet). ASSUMED billing, for honest figures: a job is charged its cost when it is accepted and
  given it back when it fails or is cancelled. With ``balance_usd`` None no balance is served (404)
  and no submit is ever refused for money.
- A submit whose cost is more than the wallet holds gets 402 with ``error_code`` 400002.

Outages cut these calls too; injected faults do not (they target the job calls by name).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from client.dreamina import SCHEMA
from client.offline import faults
from client.offline.config import OfflineConfig
from client.offline.state import OfflineState, caller, error, state_of, unauthorized

UNBILLED = ("failed", "cancelled")
Handler = Callable[[Request, OfflineState], Awaitable[Response]]


def job_cost(config: OfflineConfig, frames: int) -> float:
    """USD for one job: price x seconds when priced by the second, else the price per video."""
    per = SCHEMA.seconds_for(frames) if config.price_unit.lower() == "second" else 1
    return round(float(config.price_usd) * per, 6)


def left(st: OfflineState, token_fp: str) -> float | None:
    """What the key's wallet holds now (None: no balance is served)."""
    start = st.config.balance_usd
    if start is None:
        return None
    now = st.clock()
    charged = sum(job.cost for job in st.store.jobs() if job.token_fp == token_fp
                  and job.state(now) not in UNBILLED)
    return round(start - charged, 6)


def short_of(st: OfflineState, token_fp: str, cost: float) -> Response | None:
    """The 402 a submit gets when the key's wallet cannot pay ``cost``; None when it can."""
    remaining = left(st, token_fp)
    if remaining is None or remaining >= cost:
        return None
    return error(402, 400002, f"insufficient balance: ${remaining:.2f} left, this job costs ${cost:.2f}")


def _money_call(name: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Count the call, drop it during an outage, and refuse a missing or unknown token."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def route(request: Request) -> Response:
            st = state_of(request)
            st.calls[name] += 1
            if st.in_outage():
                return faults.DroppedResponse(request)
            if caller(request, st) is None:
                return unauthorized()
            return await handler(request, st)

        return route

    return wrap


@_money_call("model")
async def model_card(request: Request, st: OfflineState) -> Response:
    """GET /v1/models/{model}: the model's card with its price."""
    model = request.path_params["model"]
    if model != SCHEMA.model:
        return error(404, 400001, f"unknown model id {model[:200]!r}")
    if st.config.price_fails:
        return error(500, 500001, "internal error (the price_fails knob); retry with exponential backoff")
    return JSONResponse({
        "model_id": SCHEMA.model,
        "display_name": "Dreamina 3.0 Pro image-to-video (offline stand-in)",
        "base_price_usd": st.config.price_usd,
        "price_unit": st.config.price_unit,
        "pricing_note": "set by the offline stand-in's price knobs, not RunComfy's price",
        "input_schema": SCHEMA.input,
    })


@_money_call("balance")
async def balance(request: Request, st: OfflineState) -> Response:
    """GET /prod/v2/balance: the calling key's wallet."""
    token_fp = caller(request, st)
    remaining = left(st, token_fp) if token_fp is not None else None
    if remaining is None:
        return error(404, 404000, "this stand-in serves no balance (set its balance_usd knob)")
    return JSONResponse({"balance_usd": remaining, "balance_microdollars": round(remaining * 1_000_000),
                         "currency": "USD"})
