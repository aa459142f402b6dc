"""``admit``, the one check before a paid run, against the stand-in over real HTTP (loopback): a price
that cannot be read (with and without a budget), the balance of a visitor's key (too low, unknown),
the caller's cost cap, the offline preview; the estimate it lets through lands on the receipt."""

from __future__ import annotations

import pytest

from client.history import JobStore
from client.jobs import Connection, DailyBudget, LiveJob, PriceBook, Refused, Route, admit, read_balance
from client.runcomfy import Secret
from tests.client.jobs.test_budget import attempt, registry_at
from tests.client.runs import make_client, run

VISITOR = Secret("fake-visitor-key-0002")


def test_a_price_that_cannot_be_read_refuses_under_a_budget_and_goes_on_without_one(standin, tmp_path):
    standin.configure(price_fails=True, queue_s=0.05, run_s=0.05)

    async def go():
        with JobStore.open(tmp_path / "data") as store:
            async with make_client(standin, tmp_path) as conn:
                route, registry = Route(conn, None, "server"), registry_at(store, tmp_path)
                budgeted = await attempt(route, PriceBook(), DailyBudget(store, 5.0), registry)
                sent_after_refusal = standin.stats()["calls"]["submit"]
                free = await attempt(route, PriceBook(), None, registry)
            return budgeted, sent_after_refusal, free, store.list_jobs()

    budgeted, sent_after_refusal, free, rows = run(go())
    assert isinstance(budgeted, Refused) and budgeted.reason == "price_unavailable"
    assert budgeted.limit_usd == 5.0 and sent_after_refusal == 0
    assert isinstance(free, LiveJob) and free.error is None and free.admission.estimate.kind == "unavailable"
    assert len(rows) == 1 and rows[0].estimate is None and rows[0].cost == 0.25


def test_a_visitors_balance_too_low_is_refused_with_both_figures_and_nothing_sent(standin, tmp_path):
    standin.configure(balance_usd=0.2)

    async def go():
        async with make_client(standin, tmp_path) as conn:
            return await attempt(Route(conn, VISITOR, "byo"), PriceBook(), None)

    refused = run(go())
    assert isinstance(refused, Refused) and refused.reason == "balance"
    assert (refused.estimate_usd, refused.balance_usd) == (0.25, 0.2)
    calls = standin.stats()["calls"]
    assert calls["balance"] == 1 and calls["model"] == 1 and calls["submit"] == 0


def test_a_balance_that_cannot_be_read_does_not_block(standin, tmp_path):
    async def go():  # no balance_usd knob: the stand-in serves no balance
        async with make_client(standin, tmp_path) as conn:
            route = Route(conn, VISITOR, "byo")
            return await admit(route, 241, prices=PriceBook()), await read_balance(route)

    admission, balance = run(go())
    assert admission.balance_asked and admission.balance is None and admission.estimate_usd == 0.5
    assert balance is None and admission.reservation is None


def test_the_server_key_reads_the_balance_only_when_asked(standin, tmp_path):
    standin.configure(balance_usd=3.0)

    async def go():
        async with make_client(standin, tmp_path) as conn:
            route = Route(conn, None, "server")
            quiet = await admit(route, 121, prices=PriceBook())
            asked = await admit(route, 121, prices=PriceBook(), check_balance=True)
            return quiet, asked

    quiet, asked = run(go())
    assert not quiet.balance_asked and quiet.balance is None
    assert asked.balance.usd == 3.0 and standin.stats()["calls"]["balance"] == 1


@pytest.mark.parametrize(("cap", "passes"), [(0.25, True), (0.24, False)])
def test_a_cost_cap_refuses_above_it(standin, tmp_path, cap, passes):
    async def go():
        async with make_client(standin, tmp_path) as conn:
            return await admit(Route(conn, None, "server"), 121, prices=PriceBook(), max_cost=cap)

    if passes:
        assert run(go()).estimate_usd == 0.25
    else:
        with pytest.raises(Refused) as info:
            run(go())
        assert (info.value.reason, info.value.estimate_usd, info.value.limit_usd) == ("max_cost", 0.25, 0.24)


def test_the_offline_preview_is_let_through_unpriced_and_uncounted(tmp_path):
    async def go():
        with JobStore.open(tmp_path / "data") as store:
            budget = DailyBudget(store, 0.0)  # even a zero budget never stops the preview
            async with Connection("offline-preview", "http://offline.invalid/v1", offline=True) as conn:
                return await admit(Route(conn, None, "offline"), 121, prices=PriceBook(), budget=budget,
                                   max_cost=0.0, check_balance=True)

    admission = run(go())
    assert admission.estimate.kind == "offline" and admission.estimate_usd is None
    assert admission.reservation is None and admission.balance is None


def test_an_admission_not_used_gives_its_share_back(standin, tmp_path):
    async def go():
        with JobStore.open(tmp_path / "data") as store:
            budget = DailyBudget(store, 0.25)
            async with make_client(standin, tmp_path) as conn:
                route = Route(conn, None, "server")
                first = await admit(route, 121, prices=PriceBook(), budget=budget)
                with pytest.raises(Refused):
                    await admit(route, 121, prices=PriceBook(), budget=budget)
                first.release()  # say the hourly limit said no after all
                return await admit(route, 121, prices=PriceBook(), budget=budget)

    assert run(go()).estimate_usd == 0.25
