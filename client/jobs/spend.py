"""Before a paid run is sent: its price, the key's balance, the owner's budget, the caller's cap.

The one entry the page and the CLI both call::

    admission = await admit(route, frames, prices=prices, budget=budget)   # or raises Refused
    events = admission.watch(record(store, run_job(...), ..., estimate=admission.estimate_usd, ...))

:func:`admit` never sends a job. It reads the live price (kept a minute by the
:class:`~client.jobs.pricing.PriceBook`) and, for a visitor's own key or when asked (the CLI), the
balance, at the same time; then checks, in this order: a figure is needed (a budget or a cap applies
and the price cannot be read as one), the cap, the balance (a balance that cannot be read does not
block), the daily budget (server key only; the last, since it reserves). Offline: nothing is read,
nothing checked. :meth:`Admission.watch` hands the budget's share over to the receipt once it is
written, or gives it back if nothing was sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from client.jobs.budget import EPSILON, DailyBudget, Refused, Reservation
from client.jobs.connect import Route
from client.jobs.events import Event, Submitted
from client.jobs.pricing import Estimate, PriceBook, estimate_from
from client.runcomfy import Balance, RunComfyError, SubmitUncertain

log = logging.getLogger(__name__)


async def read_balance(route: Route) -> Balance | None:
    """The route's RunComfy balance, or None when it cannot be read (or offline: nothing is billed)."""
    if route.offline:
        return None
    try:
        return await route.conn.api.balance(token=route.token)
    except RunComfyError as exc:
        log.info("balance unavailable: %s", type(exc).__name__)
        return None


@dataclass
class Admission:
    """A run let through: its estimate, the balance read for it, and its share of the budget."""

    route: Route
    estimate: Estimate
    balance: Balance | None = None  # None: not asked, or could not be read (see ``balance_asked``)
    balance_asked: bool = False
    reservation: Reservation | None = field(default=None, repr=False)

    @property
    def estimate_usd(self) -> float | None:
        """The figure to record with the receipt (None: offline, or no figure)."""
        return self.estimate.usd if self.estimate.has_figure else None

    def release(self) -> None:
        """Nothing will be sent after all (the hourly limit said no, the visitor stopped): give it back."""
        if self.reservation is not None:
            self.reservation.release()

    async def watch(self, events: AsyncIterator[Event]) -> AsyncIterator[Event]:
        """Pass ``events`` on (a recorded run: the receipt is written before ``Submitted`` arrives here).

        At ``Submitted`` the budget's share is settled (the receipt counts it now); a submit whose fate
        is unknown keeps it for the day; a run that ends before any receipt gives it back.
        """
        share = self.reservation
        try:
            async for event in events:
                if share is not None and isinstance(event, Submitted):
                    await asyncio.to_thread(share.settle, event.request_id)
                    share = None
                yield event
        except SubmitUncertain:
            if share is not None:  # it may have been accepted and billed: keep counting it
                await asyncio.to_thread(share.settle, None)
                share = None
            raise
        finally:
            if share is not None:
                share.release()
            aclose = getattr(events, "aclose", None)
            if aclose is not None:
                await aclose()


async def admit(
    route: Route,
    frames: int,
    *,
    prices: PriceBook,
    budget: DailyBudget | None = None,
    check_balance: bool | None = None,
    max_cost: float | None = None,
) -> Admission:
    """Let a run of ``frames`` through on ``route``, or raise :class:`Refused` (nothing is sent either way).

    ``budget`` applies to the server's key only; ``check_balance`` defaults to a visitor's own key;
    ``max_cost`` (USD) is the caller's cap.
    """
    if route.offline:
        return Admission(route, estimate_from(None, frames, offline=True))
    asked = route.mode == "byo" if check_balance is None else check_balance
    if asked:
        estimate, balance = await asyncio.gather(prices.estimate(route, frames), read_balance(route))
    else:
        estimate, balance = await prices.estimate(route, frames), None
    kept = budget if route.mode == "server" else None  # visitors' own keys are never counted
    usd = estimate.usd if estimate.has_figure else None
    if usd is None and (kept is not None or max_cost is not None):
        raise Refused("price_unavailable", limit_usd=kept.limit_usd if kept is not None else max_cost)
    if usd is not None and max_cost is not None and usd > max_cost + EPSILON:
        raise Refused("max_cost", estimate_usd=usd, limit_usd=max_cost)
    if usd is not None and balance is not None and balance.usd is not None and usd > balance.usd + EPSILON:
        raise Refused("balance", estimate_usd=usd, balance_usd=balance.usd)
    reservation = await kept.reserve(usd) if kept is not None and usd is not None else None
    return Admission(route, estimate, balance, asked, reservation)
