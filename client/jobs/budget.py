"""The owner's daily budget: what the server's key may spend over any 24 hours (RUNCOMFY_DAILY_BUDGET_USD).

    budget = DailyBudget(store, 5.00)
    reservation = await budget.reserve(0.25)   # or Refused("budget", ..., frees_at=...)
    ...submit; the receipt row carries estimate=0.25...
    reservation.settle(request_id)             # from now on the store counts it
    # or reservation.release() when nothing was sent

What is counted: the jobs the store says the server's key paid in the last 24 h (their recorded
cost, else their estimate while it is not known: see ``client.history.spending``), plus what this
process has let through but the store does not show yet. That second part is why the budget holds
against twenty clicks at once: between the check and the receipt row there is a network round trip,
so each admitted run is kept here as *pending* until its row is written. The check and the pending
entry happen under one lock, so two runs can never both pass the last dollar. It holds across
restarts because everything that was sent is on record: a run whose receipt could not be written (a
submit whose answer was lost, or a history that failed mid-run) is *held* here for the day instead.

Not covered: two processes (the app and a CLI) spending from one store at the same instant; each
sees the other's runs once their receipts are written.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from client.history import AnyStore, StoreUnavailable

DAY_S = 24 * 3600.0
PENDING_TTL_S = 900.0  # a reservation never settled nor released (a bug upstream) stops counting after this
EPSILON = 1e-9  # float sums: $0.75 of $0.75 fits


class Refused(Exception):
    """A run refused before anything was sent, for money: a reason code and the figures behind it.

    ``reason``: ``budget`` (the owner's daily budget; ``frees_at`` is the Unix time enough of it is
    free again, None when this run alone is over it), ``budget_unavailable`` (a budget is set but
    the history that keeps it cannot be used), ``price_unavailable`` (a budget or a cost cap applies
    and the price cannot be read as a figure), ``max_cost`` (over the caller's cap, ``limit_usd``),
    ``balance`` (over the key's balance; the same code as RunComfy's 402 on submit).
    The page words each reason in its own language from these fields.
    """

    def __init__(
        self,
        reason: str,
        *,
        estimate_usd: float | None = None,
        limit_usd: float | None = None,
        spent_usd: float | None = None,
        balance_usd: float | None = None,
        frees_at: float | None = None,
    ) -> None:
        self.reason = reason
        self.estimate_usd = estimate_usd
        self.limit_usd = limit_usd
        self.spent_usd = spent_usd
        self.balance_usd = balance_usd
        self.frees_at = frees_at
        figures = {k: v for k, v in (("estimate", estimate_usd), ("limit", limit_usd), ("spent", spent_usd),
                                     ("balance", balance_usd), ("frees_at", frees_at)) if v is not None}
        super().__init__(f"refused ({reason}): {figures}")


@dataclass(frozen=True)
class BudgetStatus:
    """Where the budget stands: ``spent_usd`` of ``limit_usd`` over the last 24 h."""

    limit_usd: float
    spent_usd: float

    @property
    def left_usd(self) -> float:
        """What may still be spent now (never below zero)."""
        return max(0.0, self.limit_usd - self.spent_usd)


class Reservation:
    """One admitted run's share of the budget, from the check until its receipt is on record."""

    def __init__(self, budget: DailyBudget, key: int, usd: float) -> None:
        self.budget = budget
        self.key = key
        self.usd = usd

    def settle(self, request_id: str | None) -> None:
        """The run was sent: its receipt now counts it; without one (no id, history off) it is held a day.

        Reads the store: call it off the event loop.
        """
        self.budget._settle(self.key, self.budget.on_record(request_id))

    def release(self) -> None:
        """Nothing was sent: give the share back. Harmless after ``settle`` or a second time."""
        self.budget._drop(self.key)


class DailyBudget:
    """The server key's spending limit over any 24 hours, kept from the job store (see the module doc)."""

    def __init__(
        self,
        store: AnyStore,
        limit_usd: float,
        *,
        clock: Callable[[], float] = time.time,
        window_s: float = DAY_S,
    ) -> None:
        self.store = store
        self.limit_usd = float(limit_usd)
        self.window_s = window_s
        self._clock = clock
        self._lock = threading.Lock()  # the page's loop, worker threads and tests alike
        self._ids = itertools.count()
        self._pending: dict[int, tuple[float, float]] = {}  # key -> (when, usd): let through, not on record
        self._held: dict[int, tuple[float, float]] = {}  # sent but never on record: counted for the day

    def __repr__(self) -> str:
        return f"DailyBudget(limit_usd={self.limit_usd})"

    def _items(self, now: float) -> list[tuple[float, float]]:
        """Everything counted now, ``(when, usd)`` oldest first. Call under the lock."""
        if not self.store.available:
            raise StoreUnavailable(self.store.problem or "the job history is off")
        since = now - self.window_s
        self._pending = {k: v for k, v in self._pending.items() if v[0] > now - PENDING_TTL_S}
        self._held = {k: v for k, v in self._held.items() if v[0] > since}
        items = [*self.store.spend_items(since=since), *self._held.values(), *self._pending.values()]
        return sorted(items)

    def status_now(self) -> BudgetStatus:
        """Where the budget stands (a store read: call it off the event loop, or use :meth:`status`)."""
        with self._lock:
            items = self._items(self._clock())
        return BudgetStatus(self.limit_usd, sum(usd for _, usd in items))

    async def status(self) -> BudgetStatus:
        """Where the budget stands."""
        return await asyncio.to_thread(self.status_now)

    def reserve_now(self, usd: float) -> Reservation:
        """Let a run of ``usd`` through if it fits, else raise :class:`Refused` (reads the store)."""
        with self._lock:
            now = self._clock()
            try:
                items = self._items(now)
            except StoreUnavailable:
                raise Refused("budget_unavailable", estimate_usd=usd, limit_usd=self.limit_usd) from None
            spent = sum(amount for _, amount in items)
            if spent + usd > self.limit_usd + EPSILON:
                raise Refused("budget", estimate_usd=usd, limit_usd=self.limit_usd, spent_usd=round(spent, 6),
                              frees_at=self._frees_at(items, spent + usd - self.limit_usd, usd))
            key = next(self._ids)
            self._pending[key] = (now, usd)
        return Reservation(self, key, usd)

    async def reserve(self, usd: float) -> Reservation:
        """:meth:`reserve_now` off the event loop."""
        return await asyncio.to_thread(self.reserve_now, usd)

    def _frees_at(self, items: list[tuple[float, float]], excess: float, usd: float) -> float | None:
        """When the oldest counted runs have left the window enough for ``usd`` to fit (None: never)."""
        if usd > self.limit_usd + EPSILON:
            return None
        freed = 0.0
        for when, amount in items:
            freed += amount
            if freed + EPSILON >= excess:
                return when + self.window_s
        return None

    def on_record(self, request_id: str | None) -> bool:
        """True when the store counts this run: its receipt, paid by the server, with an estimate or cost."""
        if request_id is None or not self.store.available:
            return False
        try:
            row = self.store.get(request_id)
        except StoreUnavailable:
            return False
        return row is not None and row.paid_by == "server" and (row.estimate, row.cost) != (None, None)

    def _settle(self, key: int, recorded: bool) -> None:
        with self._lock:
            share = self._pending.pop(key, None)
            if share is not None and not recorded:
                self._held[key] = (self._clock(), share[1])

    def _drop(self, key: int) -> None:
        with self._lock:
            self._pending.pop(key, None)
