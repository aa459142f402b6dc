"""Money through the page's own handlers and ``/generate``, on the loopback stand-in over HTTP: the
estimate line in both languages, the owner's budget under 20 concurrent calls and after a restart,
a visitor's balance, a price that cannot be read, and 402 on submit. (The client's own rules are
tested in tests/client/jobs/test_budget.py and test_spend.py.)"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from starlette.requests import Request as StarletteRequest

from client import DailyBudget, PriceBook, Registry, Routes, Settings
from client.history import JobStore
from tests.ui.test_handlers import (
    EXAMPLE,
    PROMPT,
    SERVER_KEY,
    VISITOR_KEY,
    client_for,
    form,
    request,
    run_all,
)
from ui.endpoint import ApiEndpoint
from ui.handlers import Playground
from ui.money import Money, usd
from ui.session import VisitorSession
from ui.visitors import HourlyLimit

pytestmark = pytest.mark.timeout(120)
PRICE = 0.05  # the stand-in's price per second: 5 s = $0.25, 10 s = $0.50


def page(standin: Any, tmp_path: Path, *, budget_usd: float | None = None,
         server_key: str | None = SERVER_KEY, limit: int = 100) -> Playground:
    """A Playground with a history at ``tmp_path`` and its money, as build_app makes them."""
    main = client_for(standin, tmp_path, server_key or "offline", offline=server_key is None)
    real = main if server_key else client_for(standin, tmp_path, None)
    store = JobStore.open(tmp_path / "data")
    registry = Registry(store, Settings.load(env={}, dotenv_path=None, outputs_dir=tmp_path).files())
    budget = DailyBudget(store, budget_usd) if budget_usd is not None else None
    money = Money(prices=PriceBook(), budget=budget, registry=registry)
    return Playground(Routes(main, real), limiter=HourlyLimit(limit), tick_s=0.2, registry=registry,
                      money=money)


def test_money_reads_as_each_language_writes_it() -> None:
    assert (usd(0.7, "en"), usd(0.7, "fr")) == ("$0.70", "0,70\u00a0$")
    assert (usd(1234.5, "en"), usd(1234.5, "fr")) == ("$1,234.50", "1\u202f234,50\u00a0$")


def test_the_estimate_line_follows_the_length_and_the_language(standin: Any, tmp_path: Path) -> None:
    async def go() -> list[str]:
        play = page(standin, tmp_path)
        route = play.route(None)
        assert play.money is not None
        return [await play.money.estimate_line(route, frames, None, lang)
                for frames, lang in ((121, "en"), (241, "en"), (121, "fr"), (241, "fr"))]

    assert asyncio.run(go()) == ["≈ $0.25 for 5 s", "≈ $0.50 for 10 s", "≈ 0,25\u00a0$ pour 5 s",
                                 "≈ 0,50\u00a0$ pour 10 s"]


def test_offline_shows_no_price_at_all(standin: Any, tmp_path: Path) -> None:
    async def go() -> str:
        play = page(standin, tmp_path, server_key=None)
        assert play.money is not None
        return await play.money.estimate_line(play.route(None), 121, None, "en")

    assert asyncio.run(go()) == ""


async def _generate(play: Playground, frames: int = 121) -> Any:
    """One /generate call to the end: its last output, or the gr.Error it raised."""
    try:
        outputs = [out async for out in ApiEndpoint(play).generate(PROMPT, EXAMPLE, -1, frames,
                                                                   request=request())]
    except gr.Error as exc:
        return exc
    return outputs[-1]


def test_a_budget_of_three_runs_lets_exactly_three_of_twenty_through_and_holds_after_a_restart(
    standin: Any, tmp_path: Path
) -> None:
    standin.configure(queue_s=0.2, run_s=0.3)

    async def crowd() -> list[Any]:
        play = page(standin, tmp_path, budget_usd=3 * 0.25 + 0.01)
        return await asyncio.gather(*(_generate(play) for _ in range(20)))

    results = asyncio.run(crowd())
    refused = [r for r in results if isinstance(r, gr.Error)]
    assert standin.stats()["submissions"] == 3 and len(refused) == 17
    assert all("daily budget is spent" in r.message and "$0.76" in r.message for r in refused), refused[0]
    again = asyncio.run(_generate(page(standin, tmp_path, budget_usd=3 * 0.25 + 0.01)))  # a restart
    assert isinstance(again, gr.Error) and standin.stats()["submissions"] == 3


def test_a_visitors_balance_too_low_is_refused_before_sending_with_both_figures(
    standin: Any, tmp_path: Path
) -> None:
    standin.configure(balance_usd=0.3)

    async def go() -> list[Any]:
        play = page(standin, tmp_path)
        session = VisitorSession()
        session.key = None
        from ui.key_panel import KeyHandlers

        _, said = await KeyHandlers(play).set_key(VISITOR_KEY, session, request("fr-FR"))
        screens = await run_all(play.generate(**form(frames=241), session=session, request=request("fr-FR")))
        return [said, screens[-1]]

    said, last = asyncio.run(go())
    assert "0,30\u00a0$" in said  # the balance, beside the key's status
    assert last.kind == "failed" and "0,50\u00a0$" in last.status and "0,30\u00a0$" in last.status
    assert standin.stats()["submissions"] == 0


def test_a_price_that_cannot_be_read_blocks_only_where_a_budget_applies(standin: Any, tmp_path: Path) -> None:
    standin.configure(price_fails=True, queue_s=0.1, run_s=0.1)

    async def go() -> tuple[str, Any, Any]:
        free, kept = page(standin, tmp_path / "a"), page(standin, tmp_path / "b", budget_usd=5.0)
        assert free.money is not None
        line = await free.money.estimate_line(free.route(None), 121, None, "en")
        return line, await _generate(free), await _generate(kept)

    line, free_run, budgeted = asyncio.run(go())
    assert line == "price unavailable"
    assert not isinstance(free_run, gr.Error)
    assert isinstance(budgeted, gr.Error) and "price could not be read" in budgeted.message
    assert standin.stats()["submissions"] == 1


def test_402_on_submit_is_the_clear_message_and_is_never_resent(standin: Any, tmp_path: Path) -> None:
    standin.configure(balance_usd=0.1)  # the server key is not asked its balance first: RunComfy says 402
    result = asyncio.run(_generate(page(standin, tmp_path)))
    assert isinstance(result, gr.Error) and "no balance left" in result.message
    stats = standin.stats()
    assert stats["calls"]["submit"] == 1 and stats["submissions"] == 0


def signed_in(name: str | None) -> gr.Request:
    """A request from one address, signed in as ``name`` the way Gradio's OAuth keeps it: in the
    Starlette session its SessionMiddleware fills (mocked, as Gradio's own OAuth tests do)."""
    session = {} if name is None else {"oauth_info": {"userinfo": {"preferred_username": name},
                                                      "expires_at": time.time() + 3600}}
    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"accept-language", b"en-US")],
             "client": ("10.9.9.9", 5000), "session": session, "query_string": b""}
    return gr.Request(request=StarletteRequest(scope))


def test_with_sign_in_the_hourly_limit_counts_per_person_and_the_anonymous_share_a_lower_one(
    standin: Any, tmp_path: Path
) -> None:
    standin.configure(queue_s=0.05, run_s=0.05)

    async def go() -> dict[str, list[bool]]:
        play = page(standin, tmp_path, limit=2)
        play.anon_limiter = HourlyLimit(1)  # as build_app(sign_in=True) sets it, with a small limit
        outcome: dict[str, list[bool]] = {}
        for who in ("alice", "alice", "alice", "bob", None, None):
            try:
                async for _ in ApiEndpoint(play).generate(PROMPT, EXAMPLE, -1, 121, request=signed_in(who)):
                    pass
                outcome.setdefault(str(who), []).append(True)
            except gr.Error:
                outcome.setdefault(str(who), []).append(False)
        return outcome

    # All from one address: Alice gets her 2, Bob his own, the not signed in share 1.
    assert asyncio.run(go()) == {"alice": [True, True, False], "bob": [True], "None": [True, False]}
