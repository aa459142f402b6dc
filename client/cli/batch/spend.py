"""Money for a whole batch: the estimate and the limits checked once before anything is sent, then each row
admitted on its own right before its submit (the same ``admit`` as ``generate``).

Before: the estimate of every row to send, summed, is held against ``--max-cost`` (for the whole run),
the key's balance and what is left of the daily budget; any of them refuses the run with nothing sent.
Then, per row: ``admit`` reads the price again (kept a minute by the book), reserves the row's share of
the daily budget and keeps the run under what is left of ``--max-cost``; a row it refuses is not sent
(the page or another CLI may have spent meanwhile). Followed rows were paid already: not counted.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from client import (
    Admission,
    AnyStore,
    Estimate,
    PriceBook,
    Refused,
    Route,
    Settings,
    StoreUnavailable,
    admit,
    read_balance,
)
from client.cli.money import budget_of, estimate_line, refusal_line, usd
from client.cli.say import say

_EPSILON = 1e-9


class Purse:
    """The money side of one batch run, on one route (the server's key, or the offline preview)."""

    def __init__(self, route: Route, settings: Settings, store: AnyStore, max_cost: float | None) -> None:
        self.route = route
        self.book = PriceBook()
        self.budget = budget_of(settings, store)
        self.max_cost = max_cost
        self.cap_left = max_cost  # what --max-cost still allows in this run
        self._lock = asyncio.Lock()

    async def check_all(self, frames: list[int]) -> str | None:
        """Print the estimate of the rows to send; the refusal line when the run must not start, else None."""
        if self.route.offline or not frames:
            return None
        counts = Counter(frames)
        estimates: dict[int, Estimate] = {}
        for length in sorted(counts):
            estimates[length] = await self.book.estimate(self.route, length)
            plural = "s" if counts[length] > 1 else ""
            say(f"{estimate_line(estimates[length])}; {counts[length]} row{plural}")
        priced = all(e.has_figure for e in estimates.values())
        total = sum((e.usd or 0.0) * counts[n] for n, e in estimates.items()) if priced else None
        try:
            await self._hold(total, len(frames))
        except Refused as exc:
            return refusal_line(exc)
        except _OverBudget as exc:
            return str(exc)
        return None

    async def _hold(self, total: float | None, rows: int) -> None:
        """Raise when the whole run breaks a limit: the price, --max-cost, the balance, the daily budget."""
        if total is None:
            say("estimate: no total (RunComfy's price is not a figure per second)")
            if self.budget is not None or self.max_cost is not None:
                limit = self.budget.limit_usd if self.budget is not None else self.max_cost
                raise Refused("price_unavailable", limit_usd=limit)
            return
        say(f"estimate: {usd(total)} for the {rows} row{'s' if rows > 1 else ''} to send")
        if self.max_cost is not None and total > self.max_cost + _EPSILON:
            raise Refused("max_cost", estimate_usd=total, limit_usd=self.max_cost)
        wallet = await read_balance(self.route)
        if wallet is None or wallet.usd is None:
            say("balance: unknown (it could not be read; the batch goes on)")
        elif total > wallet.usd + _EPSILON:
            raise Refused("balance", estimate_usd=total, balance_usd=wallet.usd)
        if self.budget is None:
            return
        try:
            status = await self.budget.status()
        except StoreUnavailable:  # the history that keeps the budget is off: it cannot be kept
            raise Refused("budget_unavailable") from None
        if total > status.left_usd + _EPSILON:
            raise _OverBudget(
                f"refused: the {rows} rows to send are estimated at {usd(total)}, but only "
                f"{usd(status.left_usd)} of the daily budget of {usd(status.limit_usd)} is left "
                f"({usd(status.spent_usd)} spent in the last 24 h; RUNCOMFY_DAILY_BUDGET_USD). "
                "Nothing was sent.")

    async def admit(self, frames: int) -> Admission:
        """Admit one row right before its submit (raises Refused); one row at a time, so the cap holds."""
        async with self._lock:
            admission = await admit(self.route, frames, prices=self.book, budget=self.budget,
                                    check_balance=False, max_cost=self.cap_left)
            if self.cap_left is not None and admission.estimate_usd is not None:
                self.cap_left -= admission.estimate_usd
            return admission

    def refund(self, admission: Admission) -> None:
        """The row was never sent after all: its share goes back to the budget and the cap."""
        admission.release()
        if self.cap_left is not None and admission.estimate_usd is not None:
            self.cap_left += admission.estimate_usd


class _OverBudget(Exception):
    """The whole run would pass the daily budget (its sentence is the message)."""
