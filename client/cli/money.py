"""Money on the command line: the estimate before a run, refusals in plain English, ``balance`` and ``price``.

    python -m client balance [--json]          # the key's RunComfy balance (and the daily budget, if set)
    python -m client price [--frames N] [--json]

The CLI uses the server's key, so the owner's daily budget (``RUNCOMFY_DAILY_BUDGET_USD``) applies to
it too, and it reads the balance before each run. The offline preview has no price and no balance.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime

from client import (
    Admission,
    AnyStore,
    BudgetStatus,
    Connection,
    DailyBudget,
    Estimate,
    PriceBook,
    Refused,
    Route,
    Settings,
    admit,
    connect,
    open_store,
    read_balance,
)
from client.cli.say import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, say

_NO_KEY = ("No RunComfy API token: the offline preview has no {what} (nothing is billed). "
           "Set RUNCOMFY_API_TOKEN (or RUNCOMFY_TOKEN) to see RunComfy's.")


def usd(amount: float) -> str:
    """'$0.25' (cents), '$0.0125' (below a cent, so a tiny price is not shown as $0.00)."""
    return f"${amount:,.2f}" if amount == 0 or abs(amount) >= 0.01 else f"${amount:.4g}"


def estimate_line(estimate: Estimate) -> str:
    """The line printed before a run is sent."""
    seconds = f"{estimate.seconds} s"
    if estimate.has_figure and estimate.price is not None:
        per = estimate.price.per_second or 0.0
        return (f"estimate: {usd(estimate.usd or 0.0)} for {seconds} "
                f"(RunComfy's live price: {usd(per)} per second)")
    if estimate.kind == "words":
        return f"estimate: not computed for {seconds}; RunComfy prices this model as: {estimate.words}"
    return "estimate: price unavailable (RunComfy's price could not be read)"


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def refusal_line(exc: Refused) -> str:
    """One sentence for a run refused for money (nothing was sent)."""
    cost = usd(exc.estimate_usd) if exc.estimate_usd is not None else "?"
    limit = usd(exc.limit_usd) if exc.limit_usd is not None else "?"
    if exc.reason == "max_cost":
        text = f"this run is estimated at {cost}, above --max-cost {limit}"
    elif exc.reason == "balance":
        text = (f"this run is estimated at {cost} but the RunComfy balance is {usd(exc.balance_usd or 0.0)}: "
                "add credit, then try again")
    elif exc.reason == "price_unavailable":
        text = f"RunComfy's price cannot be read, so the limit of {limit} cannot be kept"
    elif exc.reason == "budget_unavailable":
        text = "the job history that keeps the daily budget cannot be used, so the budget cannot be kept"
    elif exc.frees_at is None:
        text = f"this run alone ({cost}) is over the daily budget of {limit} (RUNCOMFY_DAILY_BUDGET_USD)"
    else:
        spent = usd(exc.spent_usd or 0.0)
        text = (f"the daily budget of {limit} would be passed ({spent} spent in the last 24 h, this run "
                f"{cost}); enough of it frees up at {_when(exc.frees_at)}")
    return f"refused: {text}. Nothing was sent."


def budget_of(settings: Settings, store: AnyStore) -> DailyBudget | None:
    """The owner's daily budget on ``store``, when one is set."""
    return DailyBudget(store, settings.daily_budget_usd) if settings.daily_budget_usd is not None else None


def balance(args: argparse.Namespace, settings: Settings) -> int:
    """``balance``: the key's balance (stdout), and the daily budget when one is set."""
    if settings.offline:
        say(_NO_KEY.format(what="balance"))
        return EXIT_REFUSED
    return asyncio.run(_balance(args, settings))


async def _balance(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings, offline=False) as conn:
        wallet = await read_balance(Route(conn, None, "server"))
        where = conn.account_url
    budget = await _budget_status(settings)
    amount = wallet.usd if wallet is not None else None
    if args.json:
        print(json.dumps({
            "balance_usd": amount, "currency": wallet.currency if wallet else None, "account_url": where,
            "daily_budget": None if budget is None else {
                "limit_usd": budget.limit_usd, "spent_usd": round(budget.spent_usd, 6),
                "left_usd": round(budget.left_usd, 6)}}))
    elif wallet is not None and amount is not None:
        print(f"balance: {usd(amount)} {wallet.currency}")
    else:
        print("balance: unknown")
    if amount is None:
        say(f"the balance could not be read from {where} (RUNCOMFY_ACCOUNT_URL)")
    if budget is not None:
        say(f"daily budget: {usd(budget.spent_usd)} of {usd(budget.limit_usd)} spent in the last 24 h "
            f"({usd(budget.left_usd)} left)")
    return EXIT_OK if amount is not None else EXIT_FAILED


async def _budget_status(settings: Settings) -> BudgetStatus | None:
    """Where the daily budget stands (None: no budget, or no history to read it from)."""
    if settings.daily_budget_usd is None:
        return None
    store = open_store(settings.data_dir)
    try:
        return await DailyBudget(store, settings.daily_budget_usd).status() if store.available else None
    finally:
        store.close()


def price(args: argparse.Namespace, settings: Settings) -> int:
    """``price``: what a run of ``--frames`` would cost at RunComfy's live price."""
    if settings.offline:
        say(_NO_KEY.format(what="price"))
        return EXIT_REFUSED
    return asyncio.run(_price(args, settings))


async def _price(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings, offline=False) as conn:
        estimate = await PriceBook().estimate(Route(conn, None, "server"), args.frames)
    if args.json:
        card = estimate.price
        print(json.dumps({
            "frames": estimate.frames, "seconds": estimate.seconds, "kind": estimate.kind,
            "estimate_usd": estimate.usd, "price_usd": card.usd if card else None,
            "price_unit": card.unit if card else None, "pricing_note": card.note if card else None}))
    else:
        print(estimate_line(estimate))
    if estimate.kind == "unavailable":
        say(f"the model's card could not be read from {settings.base_url}")
        return EXIT_FAILED
    return EXIT_OK


async def admit_run(conn: Connection, settings: Settings, store: AnyStore, frames: int,
                    max_cost: float | None) -> Admission | None:
    """Before ``generate`` sends anything: print the estimate, check cap, balance and budget.

    None (after saying why) when the run is refused; the offline preview is let through unpriced.
    """
    route = Route(conn, None, "offline" if conn.offline else "server")
    try:
        admission = await admit(route, frames, prices=PriceBook(), budget=budget_of(settings, store),
                                check_balance=True, max_cost=max_cost)
    except Refused as exc:
        say(refusal_line(exc))
        return None
    if not conn.offline:
        say(estimate_line(admission.estimate))
        if admission.balance is None or admission.balance.usd is None:
            say("balance: unknown (it could not be read; the run goes on)")
    return admission
