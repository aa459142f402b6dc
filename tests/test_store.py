"""The job history: real SQLite files in tmp_path, the recorder against the loopback stand-in.

Covers: the row exists before the first poll, every state change in order, prompt and seed in the
kept MP4, the disk budget, owners, delete, a damaged or locked database (degraded, generation goes
on), twenty jobs recording at once, and that no token ever reaches the database file.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sqlite3
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from client.api import RunComfyClient
from client.events import Completed, Submitted, VideoFacts
from client.inputs import build_job
from client.polling import PollPlan
from client.recorder import input_preview, record
from client.retry import RetryPolicy
from client.settings import Settings, default_data_dir
from client.store import JobStore, NullStore, StoreUnavailable, open_store
from client.video_meta import enforce_budget, read_job_tags, read_tags, tag_video
from tests.samples import photo

FAKE_TOKEN = "fake-token-STORELEAK-0123456789"
PROMPT = "A slow dolly-in over a sunny street"
IMAGE = photo(960, 540)  # one image for every job: the stand-in renders it once per session


def client(standin, tmp_path: Path, token: str | None = FAKE_TOKEN) -> RunComfyClient:
    return RunComfyClient(token, standin.base_url, outputs_dir=tmp_path / "outputs", deadline_s=60,
                          poll=PollPlan.fixed(0.05),
                          retry=RetryPolicy(attempts=4, base_delay_s=0.02, max_delay_s=0.1))


def prepared(seed: int = 7):
    return build_job(PROMPT, image=IMAGE, seed=seed, frames=121)


async def recorded_run(store, api: RunComfyClient, owner: str = "alice", seed: int = 7) -> list:
    job = prepared(seed)
    return [e async for e in record(store, api.run(job.request), job=job, owner=owner,
                                    offline=api.offline, base_url=api.base_url)]


def add(store: JobStore, rid: str, owner: str = "alice", at: float = 1000.0) -> None:
    store.add_submitted(rid, owner=owner, model="m", prompt=f"prompt {rid}", seed=1, frames=121, at=at)


def small_mp4(path: Path, frames: int = 12) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            pixels = np.full((48, 64, 3), i * 20, dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(stream.encode())
    return path


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
        assert job is not None and job.state == "succeeded" and job.ended and not job.needs_resume
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


def test_delete_is_owner_checked_and_removes_events_and_video(tmp_path):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"x" * 10)
    with JobStore.open(tmp_path) as store:
        add(store, "r1", "alice")
        store.add_event("r1", "succeeded", video_path=video)
        assert store.delete("r1", "bob") is False and store.get("r1") is not None and video.exists()
        assert store.delete("r1", "alice") is True
        assert store.get("r1") is None and store.events("r1") == [] and not video.exists()
        assert store.delete("r1", None) is False


def test_unfinished_is_open_jobs_and_successes_without_a_local_copy(tmp_path):
    with JobStore.open(tmp_path) as store:
        for rid, state in [("q", "queued"), ("r", "running"), ("s", None), ("d", "downloading"),
                           ("ok", "succeeded"), ("f", "failed"), ("c", "cancelled"), ("nocopy", "succeeded")]:
            add(store, rid)
            if state:
                path = tmp_path / "ok.mp4" if rid == "ok" else None
                store.add_event(rid, state, video_path=path)
        assert {j.request_id for j in store.unfinished()} == {"q", "r", "s", "d", "nocopy"}


def test_default_data_dir_is_slash_data_only_on_a_space_with_writable_storage(tmp_path):
    assert default_data_dir({}, space_dir=tmp_path) == Path("data")
    assert default_data_dir({"SPACE_ID": "me/app"}, space_dir=tmp_path) == tmp_path
    assert default_data_dir({"SPACE_ID": "me/app"}, space_dir=tmp_path / "missing") == Path("data")
    settings = Settings.load(env={"RUNCOMFY_VIDEO_BUDGET_MB": "12.5"}, dotenv_path=None)
    assert settings.video_budget_mb == 12.5 and settings.data_dir == Path("data")
    assert Settings.load(env={"RUNCOMFY_DATA_DIR": str(tmp_path)}, dotenv_path=None).data_dir == tmp_path


# -- kept videos ----------------------------------------------------------------------------------

def test_tag_video_remuxes_without_reencoding_and_reads_back(tmp_path):
    path = small_mp4(tmp_path / "v.mp4")
    with av.open(str(path)) as c:
        before = [bytes(p) for p in c.demux(video=0) if p.size]
    tag_video(path, prompt="Waves é ✓", seed=42, request_id="r1", model="m")
    assert read_tags(path)["title"] == "Waves é ✓"
    assert read_job_tags(path) == {"prompt": "Waves é ✓", "seed": 42, "request_id": "r1", "model": "m"}
    with av.open(str(path)) as c:
        assert [bytes(p) for p in c.demux(video=0) if p.size] == before
    assert not list(tmp_path.glob(".*"))
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    with pytest.raises(ValueError, match="prompt and seed"):
        tag_video(broken, prompt="x", seed=1, request_id="r2", model="m")
    assert broken.read_bytes() == b"not a video"


def test_disk_budget_prunes_the_oldest_copies_and_keeps_every_row(tmp_path):
    with JobStore.open(tmp_path / "data") as store:
        for i in range(4):
            add(store, f"r{i}", at=100.0 + i)
            video = tmp_path / f"r{i}.mp4"
            video.write_bytes(b"v" * 1000)
            store.add_event(f"r{i}", "succeeded", video_path=video)
        assert enforce_budget(store, 2500, keep=["r0"]) == ["r1", "r2"]
        assert (tmp_path / "r0.mp4").exists() and not (tmp_path / "r1.mp4").exists()
        assert [j.request_id for j in store.list_jobs()] == ["r3", "r2", "r1", "r0"]
        pruned = store.get("r1")
        assert pruned.video_pruned and not pruned.has_local_video and not pruned.needs_resume
        assert store.events("r1")[-1].state == "pruned"
        (tmp_path / "r3.mp4").unlink()  # removed by hand: the history must not offer it any more
        assert enforce_budget(store, None) == ["r3"] and store.get("r3").video_pruned


# -- the recorder against the stand-in -------------------------------------------------------------

def test_row_is_written_before_the_first_poll_and_every_state_in_order(standin, tmp_path):
    async def go():
        with JobStore.open(tmp_path / "data") as store:
            async with client(standin, tmp_path) as api:
                seen = []
                job = prepared(seed=4242)
                async for event in record(store, api.run(job.request), job=job, owner="alice",
                                          offline=api.offline, base_url=api.base_url, budget_mb=5000):
                    seen.append(event)
                    if isinstance(event, Submitted):
                        assert standin.stats()["calls"]["status"] == 0
                        row = store.get(event.request_id)
                        assert row is not None and row.state == "submitted" and row.prompt == PROMPT
            return store.get(seen[0].request_id), store.events(seen[0].request_id), seen

    job, events, seen = asyncio.run(go())
    kinds = {"Submitted": "submitted", "Queued": "queued", "InProgress": "running",
             "Downloading": "downloading", "Completed": "succeeded"}
    assert [e.state for e in events] == [kinds[type(e).__name__] for e in seen]
    assert job.state == "succeeded" and job.seed == 4242 and job.owner == "alice" and job.cost
    assert job.video_path.is_file() and job.facts.size_bytes == job.video_path.stat().st_size
    assert seen[-1].video.path.resolve() == job.video_path
    assert read_job_tags(job.video_path)["seed"] == 4242 and read_tags(job.video_path)["title"] == PROMPT
    thumb = Image.open(io.BytesIO(job.image_thumb))
    assert thumb.format == "JPEG" and max(thumb.size) == 256
    assert job.base_url == standin.base_url and job.offline is False


def test_a_url_input_keeps_its_url_and_no_thumbnail():
    job = build_job(PROMPT, image_url="https://example.com/photo.jpg", seed=1)
    assert input_preview(job) == (None, "https://example.com/photo.jpg")
    thumb, url = input_preview(prepared().request)  # a bare request: its data URI becomes a thumbnail
    assert url is None and Image.open(io.BytesIO(thumb)).size == (256, 144)


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

    with caplog.at_level(logging.WARNING, logger="client.recorder"):
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
