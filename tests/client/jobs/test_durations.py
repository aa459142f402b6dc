"""Polling that learns: the expectation from the history, the schedule that leans on it, the tally.

The schedule is checked as the pure function it is; the whole loop against the loopback stand-in
with a run-time spread, the history written by ``record`` and read back by ``expect``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from client.dreamina import build_job
from client.history import JobStore, NullStore, PollTally, StoreUnavailable
from client.jobs import (
    MIN_JOBS,
    Completed,
    Connection,
    Expectation,
    InProgress,
    PollPlan,
    expect,
    learn,
    record,
    run_job,
)
from client.runcomfy import State
from tests.samples import photo

RUNNING = State.RUNNING
KIND = {"base_url": "http://api.test/v1", "model": "m", "frames": 121}


def test_nothing_is_learned_from_fewer_than_five_jobs():
    assert MIN_JOBS == 5 and learn([50.0, 51.0, 49.0, 50.5]) is None
    five = learn([50.0, 51.0, 49.0, 50.5, 49.5])
    assert five is not None and five.jobs == 5 and 49.0 <= five.median_s <= 51.0
    assert five.low_s < 49.0 and five.high_s > 51.0  # the window is padded beyond what was seen


def test_outliers_do_not_poison_it_and_recent_jobs_weigh_more():
    steady = [50.0, 50.5, 49.5, 50.2, 49.8, 50.1]
    with_stall = learn([*steady, 600.0])  # one job stuck for ten minutes
    assert with_stall is not None and with_stall.jobs == 6 and with_stall.high_s < 53
    # Newest first: the service got faster; the recent half decides the median.
    faster = learn([40.0, 40.5, 39.8, 40.2, 40.1, 50.0, 50.2, 49.9, 50.1])
    assert faster is not None and faster.median_s < 45


def test_the_schedule_is_sparse_far_from_the_end_dense_near_it_and_as_before_past_it():
    plan, known = PollPlan(), Expectation(median_s=48.0, low_s=45.0, high_s=51.0, jobs=8)
    steps, running = [], 0.0
    while running < known.low_s:
        step = plan.next_delay(RUNNING, 1.0, running, known)
        steps.append(step)
        running += step
    assert len(steps) == 2 and max(steps) <= plan.sparse_max_s == 25 and running == pytest.approx(45.0)
    assert plan.next_delay(RUNNING, 1.0, 46.0, known) == plan.dense_s == 0.5
    # Outlived the window: a little denser than before while the calls saved above last, then as before.
    assert plan.next_delay(RUNNING, 1.0, 52.0, known) == plan.overdue_s == 1.4
    assert 120 < plan.overdue_until(known) < 150
    assert plan.next_delay(RUNNING, 1.0, 150.0, known) == plan.running_s
    assert plan.next_delay(RUNNING, 1.0, 200.0, known) == plan.running_slow_s
    # The queued phase and the first poll never change: refusals show at once, positions every 4 s.
    assert plan.next_delay(State.QUEUED, None, 0.0, known) == 0.5
    assert plan.next_delay(State.QUEUED, 4.0, 0.0, known) == plan.queued_max_s == 4.0
    # Nothing learned, or a fixed grid: the same plan as always.
    assert plan.next_delay(RUNNING, 1.0, 10.0, None) == 1.75
    assert PollPlan.fixed(2.0).next_delay(RUNNING, 2.0, 46.0, known) == 2.0


def add_job(store: JobStore, rid: str, *, run_s: float, state: str = "succeeded", frames: int = 121,
            finished: bool = True) -> None:
    """A job of KIND first seen running at t=1000+..., ended ``run_s`` later (RunComfy's time or ours)."""
    start = 1000.0 + len(store.list_jobs()) * 100
    store.add_submitted(rid, model=KIND["model"], prompt="p", seed=1, frames=frames,
                        base_url=KIND["base_url"], at=start - 10)
    store.add_event(rid, "running", start)
    if finished:
        store.add_event(rid, state, start + run_s + 0.4, tally=PollTally(12, start + run_s, 0.4))
    else:
        store.add_event(rid, "downloading", start + run_s)
        store.add_event(rid, state, start + run_s + 1)


def test_expect_reads_only_succeeded_jobs_of_the_same_kind_from_the_store(tmp_path: Path):
    with JobStore.open(tmp_path) as store:
        for i, run_s in enumerate([50.0, 51.0, 49.0, 50.5]):
            add_job(store, f"ok{i}", run_s=run_s)
        add_job(store, "failed", run_s=5.0, state="failed")
        add_job(store, "cancelled", run_s=1.0, state="cancelled")
        add_job(store, "long-clip", run_s=100.0, frames=241)
        assert expect(store, **KIND) is None  # four of this kind: not enough
        add_job(store, "ok-our-sight", run_s=49.5, finished=False)  # no finished_at: our own sight counts
        assert sorted(store.run_times(**KIND)) == [49.0, 49.5, 50.0, 50.5, 51.0]
        known = expect(store, **KIND)
        assert known is not None and known.jobs == 5 and 49.0 <= known.median_s <= 51.0
        (job,) = [j for j in store.list_jobs() if j.request_id == "ok0"]
        assert (job.calls, job.seen_after_s, job.finished_at) == (12, 0.4, job.finished_at)
    assert expect(NullStore("off"), **KIND) is None


def test_a_damaged_store_means_the_plan_as_before(tmp_path: Path):
    with JobStore.open(tmp_path) as store:
        store.close()  # every read now fails as a damaged or vanished database would
        with pytest.raises(StoreUnavailable):
            store.run_times(**KIND)
        assert expect(store, **KIND) is None


VERSION_1 = """
CREATE TABLE jobs (request_id TEXT PRIMARY KEY, owner TEXT NOT NULL, model TEXT NOT NULL,
  prompt TEXT NOT NULL DEFAULT '', seed INTEGER, frames INTEGER, image_thumb BLOB, image_url TEXT,
  state TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL, video_url TEXT, video_path TEXT,
  video_pruned INTEGER NOT NULL DEFAULT 0, duration_s REAL, video_frames INTEGER, fps REAL, width INTEGER,
  height INTEGER, size_bytes INTEGER, error TEXT, cost REAL, offline INTEGER NOT NULL DEFAULT 0,
  base_url TEXT NOT NULL DEFAULT '');
CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL REFERENCES jobs (request_id) ON DELETE CASCADE, state TEXT NOT NULL,
  at REAL NOT NULL, detail TEXT);
"""


def test_a_history_of_the_first_version_is_migrated_keeping_its_jobs(tmp_path: Path):
    path = tmp_path / "jobs.db"
    db = sqlite3.connect(path)
    db.executescript(VERSION_1 + "INSERT INTO jobs (request_id, owner, model, state, created_at, "
                     "updated_at) VALUES ('old', 'local', 'm', 'succeeded', 1, 2); PRAGMA user_version = 1;")
    db.close()
    with JobStore.open(path) as store:
        old = store.get("old")
        assert old is not None and old.state == "succeeded" and old.calls is None
        assert (old.estimate, old.parent_id, old.paid_by) == (None, None, None)
        store.add_event("old", "note", note="still writable")
        store.add_submitted("new", model="m", prompt="p", seed=1, frames=121, estimate=3.15,
                            parent_id="old", paid_by="server")
        new = store.get("new")
        assert new is not None and (new.estimate, new.parent_id, new.paid_by) == (3.15, "old", "server")
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 3


def test_a_learned_job_is_seen_as_soon_with_fewer_calls_and_tallied(standin, tmp_path: Path):
    """Five jobs teach the store; the sixth is followed with the learned plan and tallied in its row."""
    standin.configure(queue_s=0.3, run_s=8.0, run_spread=0.05, start_position=1)
    image = photo(640, 360)

    async def go() -> tuple[list[object], Expectation | None]:
        with JobStore.open(tmp_path / "data") as store:
            async with Connection("fake-token", standin.base_url, outputs_dir=tmp_path / "out") as conn:

                async def one(expected: Expectation | None) -> list[object]:
                    job = build_job("learning", image=image, seed=5, frames=121)
                    run = run_job(conn, job.request, expected=expected)
                    return [e async for e in record(store, run, conn=conn, job=job)]

                await asyncio.gather(*(one(None) for _ in range(5)))
                known = expect(store, base_url=conn.base_url, model=conn.model, frames=121)
                return await one(known), known

    events, known = asyncio.run(asyncio.wait_for(go(), 60))
    assert known is not None and known.jobs == 5 and 7.0 < known.median_s < 8.5
    running = next(e for e in events if isinstance(e, InProgress))
    assert running.usual_s == known.median_s and running.late_s == known.high_s
    done = events[-1]
    assert isinstance(done, Completed) and done.tally is not None
    assert done.tally.finished_at is not None and 0 <= done.tally.seen_after_s < 1.0
    # Queued (first poll, then doubling), sparse steps to the window, 0.5 s inside it, one result.
    assert done.tally.calls <= 12
    with JobStore.open(tmp_path / "data") as store:
        row = store.get(done.request_id)
        assert row is not None and row.calls == done.tally.calls
        assert row.seen_after_s == done.tally.seen_after_s


def polls_until_seen(plan: PollPlan, expected: Expectation | None, queue_s: float, run_s: float) -> int:
    """Status calls a job of ``queue_s`` + ``run_s`` gets under ``plan`` until its end is seen."""
    now, previous, calls, state, since = 0.0, None, 0, State.QUEUED, None
    while now < queue_s + run_s:
        running = now - since if since is not None else 0.0
        previous = plan.next_delay(state, previous, running, expected)
        now += previous
        calls += 1
        if state is State.QUEUED and now >= queue_s:
            state, since = RUNNING, now
    return calls


@pytest.mark.parametrize("usual_s", [4, 12, 50, 100, 400])
@pytest.mark.parametrize("spread", [0.02, 0.1, 0.2])
def test_however_long_a_job_takes_learning_never_costs_more_calls(usual_s, spread):
    """Short or long, narrow or wide, on time or ten times late: at most the steady grid's calls (+1)."""
    known = Expectation(usual_s, usual_s * (1 - spread) - 0.3, usual_s * (1 + spread) + 0.3, 5)
    for factor in (0.8, 1.0, 1.05, 1.5, 3, 10):
        for queue_s in (0.0, 10.0):
            learned = polls_until_seen(PollPlan(), known, queue_s, factor * usual_s)
            before = polls_until_seen(PollPlan(), None, queue_s, factor * usual_s)
            assert learned <= before + 1, (factor, queue_s, learned, before)
