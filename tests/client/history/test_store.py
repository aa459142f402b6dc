"""The job history's SQLite store: real SQLite files in tmp_path, the recorder against the loopback stand-in.

Covers: every state change in order, owners, a damaged or locked database (degraded, generation goes
on), twenty jobs recording at once, and that no token ever reaches the database file. (Deleting a
job's files and the disk budget: test_files; the MP4 tags: tests/client/media/test_tags; the
recorder itself: tests/client/jobs/test_record.)
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest

from client.dreamina import build_job
from client.history import JobStore, NullStore, StoreUnavailable, open_store
from client.jobs import Completed, Connection, PollPlan, record, run_job
from client.media import VideoFacts, read_job_tags
from client.runcomfy import RetryPolicy
from tests.samples import photo

FAKE_TOKEN = "fake-token-STORELEAK-0123456789"
PROMPT = "A slow dolly-in over a sunny street"
IMAGE = photo(960, 540)  # one image for every job: the stand-in renders it once per session


def client(standin, tmp_path: Path, token: str | None = FAKE_TOKEN) -> Connection:
    return Connection(token, standin.base_url, outputs_dir=tmp_path / "outputs", deadline_s=60,
                      poll=PollPlan.fixed(0.05),
                      retry=RetryPolicy(attempts=4, base_delay_s=0.02, max_delay_s=0.1))


def prepared(seed: int = 7):
    return build_job(PROMPT, image=IMAGE, seed=seed, frames=121)


async def recorded_run(store, api: Connection, owner: str = "alice", seed: int = 7) -> list:
    job = prepared(seed)
    return [e async for e in record(store, run_job(api, job.request), conn=api, job=job, owner=owner)]


def add(store: JobStore, rid: str, owner: str = "alice", at: float = 1000.0) -> None:
    store.add_submitted(rid, owner=owner, model="m", prompt=f"prompt {rid}", seed=1, frames=121, at=at)


# -- the store on its own -------------------------------------------------------------------------

def test_open_creates_a_wal_database_with_indexes(tmp_path):
    with JobStore.open(tmp_path / "data") as store:
        assert store.path == tmp_path / "data" / "jobs.db"
    db = sqlite3.connect(tmp_path / "data" / "jobs.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"jobs_owner_created", "jobs_created", "events_request"} <= indexes
    plan = " ".join(str(r) for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM jobs WHERE owner = 'x' ORDER BY created_at DESC LIMIT 10"))
    assert "jobs_owner_created" in plan and "TEMP B-TREE" not in plan


def test_states_fields_and_events_round_trip_in_order(tmp_path):
    with JobStore.open(tmp_path) as store:
        store.add_submitted("r1", owner="alice", model="m", prompt="p", seed=5, frames=241, at=10.0)
        store.add_event("r1", "queued", 11.0, position=2)
        store.add_event("r1", "running", 12.0)
        store.add_event("r1", "downloading", 13.0, video_url="https://x/v.mp4")
        facts = VideoFacts(10.04, 241, 24.0, 1280, 720, 12345)
        store.add_event("r1", "succeeded", 14.0, video_path=tmp_path / "v.mp4", facts=facts, cost=0.5)
        assert store.add_event("missing", "queued") is False
        job = store.get("r1")
        assert job is not None and job.state == "succeeded" and job.ended
        assert "r1" not in {j.request_id for j in store.unfinished()}
        assert (job.seed, job.frames, job.cost, job.facts) == (5, 241, 0.5, facts)
        assert job.video_url == "https://x/v.mp4" and job.video_path == tmp_path / "v.mp4"
        events = store.events("r1")
        assert [e.state for e in events] == ["submitted", "queued", "running", "downloading", "succeeded"]
        assert [e.at for e in events] == [10.0, 11.0, 12.0, 13.0, 14.0]
        assert events[1].detail == {"position": 2}


def test_list_jobs_is_newest_first_per_owner_with_paging(tmp_path):
    with JobStore.open(tmp_path) as store:
        for i in range(6):
            add(store, f"a{i}", "alice", at=100.0 + i)
        add(store, "b0", "bob", at=200.0)
        assert [j.request_id for j in store.list_jobs("alice", limit=3)] == ["a5", "a4", "a3"]
        assert [j.request_id for j in store.list_jobs("alice", limit=3, offset=3)] == ["a2", "a1", "a0"]
        assert [j.request_id for j in store.list_jobs("bob")] == ["b0"]
        assert len(store.list_jobs()) == 7 and store.list_jobs()[0].request_id == "b0"
        assert store.count("alice") == 6 and store.count() == 7
        assert store.get("b0", owner="alice") is None and store.get("b0", owner="bob") is not None


def test_unfinished_is_open_jobs_and_successes_without_a_local_copy(tmp_path):
    with JobStore.open(tmp_path) as store:
        for rid, state in [("q", "queued"), ("r", "running"), ("s", None), ("d", "downloading"),
                           ("ok", "succeeded"), ("f", "failed"), ("c", "cancelled"), ("nocopy", "succeeded")]:
            add(store, rid)
            if state:
                path = tmp_path / "ok.mp4" if rid == "ok" else None
                store.add_event(rid, state, video_path=path)
        assert {j.request_id for j in store.unfinished()} == {"q", "r", "s", "d", "nocopy"}


# -- a damaged or locked database: history degraded, generation goes on -------------------------------

def test_a_damaged_database_is_a_clear_error_and_generation_still_completes(standin, tmp_path, caplog):
    bad = tmp_path / "data" / "jobs.db"
    bad.parent.mkdir()
    bad.write_bytes(b"\x00garbage, not SQLite\xff" * 300)
    with pytest.raises(StoreUnavailable) as info:
        JobStore.open(bad)
    text = str(info.value)
    assert str(bad) in text and "damaged" in text and "jobs.db.broken" in text
    assert "Generation still works" in text
    with caplog.at_level(logging.WARNING):
        store = open_store(tmp_path / "data")
    assert isinstance(store, NullStore) and store.problem == text
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1

    async def go():
        async with client(standin, tmp_path) as api:
            return await recorded_run(store, api)

    events = asyncio.run(go())
    assert isinstance(events[-1], Completed) and events[-1].video.path.is_file()
    assert read_job_tags(events[-1].video.path)["seed"] == 7  # still tagged: that needs no database
    assert store.list_jobs() == [] and bad.read_bytes().startswith(b"\x00garbage")


def test_a_locked_database_is_a_clear_error_and_the_recorder_degrades(standin, tmp_path, caplog):
    path = tmp_path / "fresh.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE other (x)")
    with pytest.raises(StoreUnavailable, match="locked by another program"):
        JobStore.open(path, busy_timeout_s=0.1)
    holder.execute("ROLLBACK")
    holder.close()

    store = JobStore.open(tmp_path / "data", busy_timeout_s=0.1)
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing for longer than busy_timeout

    async def go():
        async with client(standin, tmp_path) as api:
            return await recorded_run(store, api)

    with caplog.at_level(logging.WARNING, logger="client.jobs.record"):
        events = asyncio.run(go())
    assert isinstance(events[-1], Completed) and events[-1].video.path.is_file()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "locked by another program" in warnings[0]
    holder.execute("ROLLBACK")
    holder.close()
    assert store.get(events[0].request_id) is None  # nothing half-written
    store.close()


# -- many jobs at once -----------------------------------------------------------------------------

def test_twenty_concurrent_recorded_jobs_lose_nothing_and_no_token_reaches_the_file(standin, tmp_path):
    async def go():
        with JobStore.open(tmp_path / "data") as store:
            async with client(standin, tmp_path) as api:
                runs = await asyncio.gather(*(recorded_run(store, api, owner=f"o{i % 3}", seed=i)
                                              for i in range(20)))
            return runs, store.list_jobs(limit=1000), {r[0].request_id: store.events(r[0].request_id)
                                                      for r in runs}

    runs, jobs, events = asyncio.run(go())
    assert len(jobs) == 20 and all(j.state == "succeeded" and j.video_path.is_file() for j in jobs)
    assert {j.seed for j in jobs} == set(range(20))
    for seen in runs:
        assert len(events[seen[0].request_id]) == len(seen)
    files = list((tmp_path / "data").iterdir())
    assert any(f.name == "jobs.db" for f in files)
    for f in files:
        assert FAKE_TOKEN.encode() not in f.read_bytes(), f.name
