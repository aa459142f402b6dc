"""The spend queries on a real SQLite file: what the daily budget counts, and a person's day in figures."""

from __future__ import annotations

from client.history import JobStore, NullStore, Spending


def job(store: JobStore, rid: str, at: float, *, state: str | None = None, cost: float | None = None,
        estimate: float | None = 0.25, paid_by: str = "server", owner: str = "alice",
        offline: bool = False) -> None:
    store.add_submitted(rid, owner=owner, model="m", prompt="p", seed=1, frames=121, at=at, estimate=estimate,
                        paid_by=paid_by, offline=offline)
    if state is not None:
        store.add_event(rid, state, at + 1, cost=cost)


def test_the_budget_counts_costs_then_estimates_never_cancels_nor_other_payers(tmp_path):
    with JobStore.open(tmp_path) as store:
        job(store, "old", 100.0, state="succeeded", cost=0.5)  # before the window
        job(store, "done", 1000.0, state="succeeded", cost=0.3)
        job(store, "running", 1001.0, state="running")
        job(store, "failed", 1002.0, state="failed")  # no cost said: its estimate keeps counting
        job(store, "cancelled", 1003.0, state="cancelled")
        job(store, "byo", 1004.0, state="succeeded", cost=0.4, paid_by="byo")
        job(store, "offline", 1005.0, state="succeeded", cost=0.4, paid_by="offline", offline=True)
        job(store, "no-price", 1006.0, estimate=None)
        assert store.spend_items(since=500.0) == [(1000.0, 0.3), (1001.0, 0.25), (1002.0, 0.25)]
        assert store.spend_items(since=500.0, paid_by="byo") == [(1004.0, 0.4)]


def test_a_persons_day_in_figures(tmp_path):
    with JobStore.open(tmp_path) as store:
        job(store, "a", 1000.0, state="succeeded", cost=0.25)
        job(store, "b", 1001.0, state="succeeded", cost=0.5, paid_by="byo")
        job(store, "c", 1002.0, state="queued", estimate=0.5)
        job(store, "d", 1003.0, state="failed")
        job(store, "e", 1004.0, state="cancelled")
        job(store, "f", 1005.0, state="succeeded", cost=9.0, owner="bob")
        job(store, "g", 1006.0, state="succeeded", paid_by="offline", offline=True)
        job(store, "h", 10.0, state="succeeded", cost=9.0)  # yesterday
        alice = store.spending(since=900.0, owner="alice")
        everyone = store.spending(since=900.0)
    assert alice == Spending(jobs=5, videos=2, cost_usd=0.75, pending_usd=0.5, uncosted=1)
    assert alice.total_usd == 1.25
    assert everyone.jobs == 6 and everyone.cost_usd == 9.75


def test_a_store_that_remembers_nothing_spent_nothing():
    store = NullStore("off")
    assert store.spend_items(since=0.0) == [] and store.spending(since=0.0) == Spending()
