"""The owner's daily budget: twenty clicks at once with room for three, a restart on the same history,
when it frees up, and the runs it must keep counting (an uncertain submit) or never count (a visitor's
own key). Whole runs go through ``admit`` and ``LiveJob`` against the stand-in over real HTTP."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from client.dreamina import build_job
from client.history import LOCAL_OWNER, JobFiles, JobStore, NullStore
from client.jobs import Connection, DailyBudget, LiveJob, PriceBook, Refused, Registry, Route, admit
from client.runcomfy import Secret, SubmitUncertain
from tests.client.runs import make_client, run
from tests.samples import photo

IMAGE = photo(960, 540)
DAY = 24 * 3600.0


def registry_at(store: JobStore, tmp_path: Path) -> Registry:
    return Registry(store, JobFiles.under(tmp_path / "outputs", tmp_path / "data", 5000))


async def attempt(route: Route, prices: PriceBook, budget: DailyBudget | None,
                  registry: Registry | None = None) -> LiveJob | Refused:
    """One click: admitted and run to its end, or refused before anything is sent."""
    try:
        admission = await admit(route, 121, prices=prices, budget=budget)
    except Refused as exc:
        return exc
    live = LiveJob(route, build_job("A slow dolly-in", image=IMAGE, seed=7), registry=registry,
                   admission=admission)
    await live.task
    return live


async def clicks(conn: Connection, store: JobStore, tmp_path: Path, count: int) -> list[LiveJob | Refused]:
    budget, prices, registry = DailyBudget(store, 0.75), PriceBook(), registry_at(store, tmp_path)
    route = Route(conn, None, "server")
    return list(await asyncio.gather(*(attempt(route, prices, budget, registry) for _ in range(count))))


def test_twenty_clicks_with_room_for_three_make_three_jobs_and_a_restart_makes_none(standin, tmp_path):
    standin.configure(queue_s=0.1, run_s=0.2)  # 5 s at $0.05 a second: $0.25 a run, $0.75 = 3 runs
    db = tmp_path / "data"
    started = time.time()

    async def first_process():
        with JobStore.open(db) as store:
            async with make_client(standin, tmp_path) as conn:
                outcomes = await clicks(conn, store, tmp_path, 20)
            return outcomes, store.spending(since=started, owner=LOCAL_OWNER)

    outcomes, today = run(first_process())
    ran = [o for o in outcomes if isinstance(o, LiveJob)]
    refused = [o for o in outcomes if isinstance(o, Refused)]
    assert len(ran) == 3 and len(refused) == 17
    assert all(live.error is None for live in ran)
    assert standin.stats()["submissions"] == 3
    assert {r.reason for r in refused} == {"budget"}
    # At least the three let through: a receipt written a moment before its share is settled counts twice.
    assert all(r.limit_usd == 0.75 and r.estimate_usd == 0.25 and r.spent_usd >= 0.75 for r in refused)
    assert all(started + DAY <= r.frees_at <= time.time() + DAY for r in refused)
    assert (today.jobs, today.videos, today.cost_usd, today.pending_usd) == (3, 3, 0.75, 0.0)

    async def after_restart():
        with JobStore.open(db) as store:
            rows = store.list_jobs()
            async with make_client(standin, tmp_path) as conn:
                return rows, await clicks(conn, store, tmp_path, 20)

    rows, again = run(after_restart())
    assert all(isinstance(o, Refused) and o.reason == "budget" for o in again)
    assert standin.stats()["submissions"] == 3
    assert {(r.paid_by, r.estimate, r.cost) for r in rows} == {("server", 0.25, 0.25)}
    assert {o.frees_at for o in again} == {min(r.created_at for r in rows) + DAY}


def test_when_it_frees_up_is_when_enough_of_the_oldest_runs_leave_the_day(tmp_path):
    now = [3000.0]
    with JobStore.open(tmp_path) as store:
        for rid, at, cost in (("a", 1000.0, 0.5), ("b", 2000.0, 0.25)):
            store.add_submitted(rid, model="m", prompt="p", seed=1, frames=121, at=at, estimate=cost,
                                paid_by="server")
            store.add_event(rid, "succeeded", at + 60, cost=cost)
        budget = DailyBudget(store, 1.0, clock=lambda: now[0])
        frees = {}
        for usd in (0.5, 0.75, 1.0, 1.5):
            with pytest.raises(Refused) as info:
                budget.reserve_now(usd)
            frees[usd] = info.value.frees_at
        assert frees == {0.5: 1000.0 + DAY, 0.75: 1000.0 + DAY, 1.0: 2000.0 + DAY, 1.5: None}
        share = budget.reserve_now(0.25)  # $0.75 + $0.25 = the whole dollar: fits
        assert budget.status_now().spent_usd == 1.0
        share.release()  # nothing was sent after all
        now[0] = 1000.0 + DAY + 1  # "a" has left the day, "b" has not
        assert budget.status_now().spent_usd == 0.25 and budget.reserve_now(0.75).usd == 0.75


def test_a_submit_whose_fate_is_unknown_keeps_counting_without_a_receipt(standin, tmp_path):
    standin.configure(faults=[{"endpoint": "submit", "kind": "drop_after_submit", "times": 1}])

    async def go():
        with JobStore.open(tmp_path / "data") as store:
            budget = DailyBudget(store, 1.0)
            async with make_client(standin, tmp_path) as conn:
                registry = registry_at(store, tmp_path)
                live = await attempt(Route(conn, None, "server"), PriceBook(), budget, registry)
            return live, store.count(), budget.status_now()

    live, rows, status = run(go())
    assert isinstance(live, LiveJob) and isinstance(live.error, SubmitUncertain)
    assert rows == 0 and standin.stats()["submissions"] == 1  # billed, perhaps; never on record
    assert status.spent_usd == 0.25  # held for the day all the same


def test_a_refused_submit_gives_its_share_back(standin, tmp_path):
    standin.configure(balance_usd=0.1)  # RunComfy answers 402: nothing was accepted

    async def go():
        with JobStore.open(tmp_path / "data") as store:
            budget = DailyBudget(store, 1.0)
            async with make_client(standin, tmp_path) as conn:
                registry = registry_at(store, tmp_path)
                live = await attempt(Route(conn, None, "server"), PriceBook(), budget, registry)
            return live, budget.status_now()

    live, status = run(go())
    assert isinstance(live, LiveJob) and live.error.reason == "balance" and live.request_id is None
    assert status.spent_usd == 0.0 and status.left_usd == 1.0
    assert standin.stats()["calls"]["submit"] == 1  # never sent again


def test_visitors_keys_are_never_counted_nor_refused_by_the_owners_budget(standin, tmp_path):
    standin.configure(queue_s=0.05, run_s=0.05)

    async def go():
        with JobStore.open(tmp_path / "data") as store:
            budget = DailyBudget(store, 0.0)
            async with make_client(standin, tmp_path) as conn:
                route = Route(conn, Secret("fake-visitor-key-0001"), "byo")
                live = await attempt(route, PriceBook(), budget, registry_at(store, tmp_path))
            return live, store.list_jobs(), budget.status_now()

    live, rows, status = run(go())
    assert isinstance(live, LiveJob) and live.error is None
    assert rows[0].paid_by == "byo" and rows[0].estimate == 0.25 and rows[0].cost == 0.25
    assert status.spent_usd == 0.0


def test_a_budget_on_a_history_that_cannot_be_read_refuses(standin, tmp_path):
    async def go():
        async with make_client(standin, tmp_path) as conn:
            budget = DailyBudget(NullStore("broken"), 5.0)
            return await attempt(Route(conn, None, "server"), PriceBook(), budget)

    refused = run(go())
    assert isinstance(refused, Refused) and refused.reason == "budget_unavailable"
    assert standin.stats()["calls"]["submit"] == 0
