"""Money on the page: the estimate beside Generate, today's spend, the balance of a visitor's key, and
the sentences for a run refused before it was sent (budget, balance, price, cap).

The figures come from ``client`` (the live price, the recorded costs, the budget); this module only
says them, in the visitor's language. Offline nothing is priced, so nothing here shows at all.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from client import Admission, DailyBudget, Estimate, PriceBook, Refused, Registry, Route, admit, read_balance
from ui.messages import msg


def usd(amount: float, lang: str) -> str:
    """Dollars as a person of ``lang`` writes them: "$0.70" / "0,70 $"."""
    figure = f"{amount:,.2f}"
    if lang == "fr":
        return figure.replace(",", "\u202f").replace(".", ",") + "\u00a0$"
    return f"${figure}"


def _wait(seconds: float, lang: str) -> str:
    """A wait rounded up to the minute: "2 h 05 min", "12 min"."""
    minutes = max(1, math.ceil(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _midnight(now: float) -> float:
    """The start of today, in the server's local time."""
    day = time.localtime(now)
    return time.mktime((day.tm_year, day.tm_mon, day.tm_mday, 0, 0, 0, 0, 0, -1))


class Money:
    """One page's price book and budget, and the sentences that say them."""

    def __init__(self, *, prices: PriceBook, budget: DailyBudget | None, registry: Registry | None) -> None:
        self.prices = prices
        self.budget = budget
        self.registry = registry

    async def admit(self, route: Route, frames: int) -> Admission:
        """Let a run through, or raise :class:`Refused` before anything is sent."""
        return await admit(route, frames, prices=self.prices, budget=self.budget if route.limited else None)

    def refusal(self, exc: Refused, lang: str) -> str:
        """The sentence for a run refused before it was sent, with its figures."""
        figures: dict[str, Any] = {
            "estimate": usd(exc.estimate_usd, lang) if exc.estimate_usd is not None else "?",
            "limit": usd(exc.limit_usd, lang) if exc.limit_usd is not None else "?",
            "spent": usd(exc.spent_usd, lang) if exc.spent_usd is not None else "?",
            "balance": usd(exc.balance_usd, lang) if exc.balance_usd is not None else "?",
            "wait": _wait(exc.frees_at - time.time(), lang) if exc.frees_at else "?",
        }
        return msg(lang, _REFUSALS.get(exc.reason, "money_refused"), **figures)

    async def estimate_line(self, route: Route, frames: Any, owner: Any, lang: str) -> str:
        """ "≈ $0.70 for 5 s · today: 3 videos, $2.10" (nothing offline)."""
        if route.offline:
            return ""
        try:
            estimate = await self.prices.estimate(route, frames)
        except ValueError:
            return ""
        parts = [self._estimate_text(estimate, lang)]
        today = await self.today_text(owner, lang)
        if today:
            parts.append(today)
        return " · ".join(parts)

    def _estimate_text(self, estimate: Estimate, lang: str) -> str:
        if estimate.has_figure and estimate.usd is not None:
            return msg(lang, "money_estimate", amount=usd(estimate.usd, lang), seconds=estimate.seconds)
        if estimate.kind == "words":
            return msg(lang, "money_words", words=estimate.words)
        return msg(lang, "money_unavailable")

    async def today_text(self, owner: Any, lang: str) -> str:
        """What this browser's jobs cost today ("" before the first paid video)."""
        if self.registry is None or not self.registry.available:
            return ""
        store, who = self.registry.store, self.registry.listing_owner(owner)
        spent = await asyncio.to_thread(store.spending, since=_midnight(time.time()), owner=who)
        if not spent.videos and not spent.total_usd:
            return ""
        return msg(lang, "money_today", videos=spent.videos, amount=usd(spent.total_usd, lang))

    async def balance_text(self, route: Route, lang: str) -> str:
        """A visitor's balance, for the key panel ("" offline)."""
        if route.offline:
            return ""
        balance = await read_balance(route)
        if balance is None:
            return msg(lang, "money_balance_unknown")
        return msg(lang, "money_balance", amount=usd(balance.usd, lang))


_REFUSALS = {"budget": "money_budget", "budget_unavailable": "money_budget_unavailable",
             "price_unavailable": "money_price_unavailable", "max_cost": "money_max_cost",
             "balance": "money_balance_low"}
