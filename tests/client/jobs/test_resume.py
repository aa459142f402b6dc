"""Resume and recover: a job interrupted after its receipt is finished later into the history.

A "crash" is a stream dropped right after ``Submitted`` without cancelling (``cancel_on_close=False``
then ``aclose``): the job goes on at the stand-in, the store knows only its receipt. A new client then
resumes it. The CLI's ``history`` and ``resume`` run as real subprocesses.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from client.dreamina import build_job
from client.history import JobStore
from client.jobs import (
    Connection,
    PollPlan,
    Settings,
    Submitted,
    connect,
    record,
    recover_job,
    resume_jobs,
    run_job,
)
from client.media import read_job_tags
from client.offline import OfflineConfig
from client.runcomfy import NotFound, RetryPolicy
from tests.apps import ROOT
from tests.samples import photo

FAKE_TOKEN = "fake-token-RESUME-0123456789"
PROMPT = "Clouds drift over the harbour"
IMAGE = photo(960, 540)


def client(base_url: str, tmp_path: Path, token: str | None = FAKE_TOKEN) -> Connection:
    return Connection(token, base_url, outputs_dir=tmp_path / "outputs", deadline_s=60,
                      poll=PollPlan.fixed(0.05),
                      retry=RetryPolicy(attempts=4, base_delay_s=0.02, max_delay_s=0.1))


async def crash_after_submit(store, conn: Connection, seed: int = 11) -> str:
    """Start a recorded job and drop the stream right after its receipt, as a crash would."""
    job = build_job(PROMPT, image=IMAGE, seed=seed, frames=121)
    stream = record(store, run_job(conn, job.request, cancel_on_close=False), conn=conn, job=job,
                    owner="alice")
    first = await anext(stream)
    assert isinstance(first, Submitted)
    await stream.aclose()
    return first.request_id


def test_resume_after_a_crash_finishes_the_job_into_the_store(standin, tmp_path):
    async def go():
        with JobStore.open(tmp_path / "data") as store:
            async with client(standin.base_url, tmp_path) as first:
                rid = await crash_after_submit(store, first)
            assert [j.request_id for j in store.unfinished()] == [rid]
            async with client(standin.base_url, tmp_path) as second:  # "after the restart"
                outcomes = await resume_jobs(second, store)
            return rid, outcomes, store.get(rid), [e.state for e in store.events(rid)], store.unfinished()

    rid, outcomes, job, states, left = asyncio.run(go())
    assert [(o.request_id, o.state) for o in outcomes] == [(rid, "succeeded")]
    assert job.state == "succeeded" and job.owner == "alice" and job.video_path.is_file() and job.facts
    assert states[0] == "submitted" and states[-2:] == ["downloading", "succeeded"]
    assert read_job_tags(job.video_path) == {"prompt": PROMPT, "seed": 11, "request_id": rid,
                                             "model": job.model}
    assert left == [] and standin.stats()["submissions"] == 1  # never submitted twice


def test_offline_in_process_jobs_gone_after_restart_are_marked_lost(tmp_path):
    settings = Settings.load(env={}, dotenv_path=None, outputs_dir=tmp_path / "outputs")
    fast = OfflineConfig(queue_s=0.2, run_s=0.2)

    async def go():
        with JobStore.open(tmp_path / "data") as store:
            async with connect(settings, offline=True, offline_config=fast) as first:
                rid = await crash_after_submit(store, first)
            async with connect(settings, offline=True, offline_config=fast) as second:  # a fresh stand-in
                outcomes = await resume_jobs(second, store)
            return outcomes, store.get(rid), store.unfinished()

    outcomes, job, left = asyncio.run(go())
    assert [o.state for o in outcomes] == ["lost"] and "offline preview only" in outcomes[0].message
    assert job.state == "lost" and job.offline and "offline preview only" in job.error and left == []


def test_real_api_jobs_without_a_token_or_for_another_address_stay_pending(standin, tmp_path):
    async def go():
        with JobStore.open(tmp_path / "data") as store:
            store.add_submitted("r-other", model="m", prompt="p", seed=1, frames=121,
                                base_url="https://elsewhere.example/v1")
            store.add_submitted("r-here", model="m", prompt="p", seed=1, frames=121,
                                base_url=standin.base_url)
            async with client(standin.base_url, tmp_path, token=None) as conn:
                outcomes = await resume_jobs(conn, store)
            return {o.request_id: o for o in outcomes}, len(store.unfinished())

    outcomes, left = asyncio.run(go())
    assert outcomes["r-here"].state == "pending" and "token" in outcomes["r-here"].message
    assert outcomes["r-other"].state == "pending" and "elsewhere.example" in outcomes["r-other"].message
    assert left == 2 and standin.stats()["calls"]["status"] == 0


def test_a_success_whose_download_never_happened_is_fetched_on_resume(standin, tmp_path):
    async def go():
        with JobStore.open(tmp_path / "data") as store:
            async with client(standin.base_url, tmp_path) as conn:
                submission = await conn.api.submit(build_job(PROMPT, image=IMAGE, seed=3).request.payload())
                rid = submission.request_id
                store.add_submitted(rid, model=conn.model, prompt=PROMPT, seed=3, frames=121,
                                    base_url=conn.base_url)
                store.add_event(rid, "succeeded", video_url="https://expired.example/v.mp4")
                assert rid in {j.request_id for j in store.unfinished()}
                outcomes = await resume_jobs(conn, store)
            return outcomes, store.get(rid)

    outcomes, job = asyncio.run(go())
    assert outcomes[0].state == "succeeded" and job.video_path.is_file()
    assert job.video_url != "https://expired.example/v.mp4"  # a fresh link was asked for


def test_recover_by_id_creates_the_row_and_refuses_unknown_or_foreign_ids(standin, tmp_path):
    async def go():
        with JobStore.open(tmp_path / "data") as store:
            async with client(standin.base_url, tmp_path) as conn:
                submission = await conn.api.submit(build_job(PROMPT, image=IMAGE, seed=5).request.payload())
                job = await recover_job(conn, store, f"  {submission.request_id} ", owner="bob")
                with pytest.raises(NotFound):
                    await recover_job(conn, store, "no-such-request")
                with pytest.raises(NotFound):
                    await recover_job(conn, store, submission.request_id, owner="mallory")
                return job, [e.state for e in store.events(job.request_id)], store.count()

    job, states, count = asyncio.run(go())
    assert job.state == "succeeded" and job.owner == "bob" and job.video_path.is_file() and job.cost
    assert states[:2] == ["submitted", "note"] and states[-1] == "succeeded" and count == 1


# -- the CLI, as a user runs it ------------------------------------------------------------------

def cli(args: list[str], tmp_path: Path, base_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNCOMFY_")}
    env.update(PYTHONPATH=str(ROOT), RUNCOMFY_API_TOKEN=FAKE_TOKEN, RUNCOMFY_BASE_URL=base_url,
               RUNCOMFY_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run([sys.executable, "-m", "client", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=90, check=False)


def test_cli_generate_records_then_resume_and_history_show_every_job(standin, tmp_path):
    (tmp_path / "in.jpg").write_bytes(IMAGE)
    made = cli(["generate", "--image", "in.jpg", "--prompt", "From the CLI", "--seed", "9", "--json"],
               tmp_path, standin.base_url)
    assert made.returncode == 0, made.stderr
    generated = json.loads(made.stdout)["request_id"]

    async def crash():
        with JobStore.open(tmp_path / "data") as store:
            async with client(standin.base_url, tmp_path) as conn:
                return await crash_after_submit(store, conn)

    crashed = asyncio.run(crash())
    resumed = cli(["resume", "--json"], tmp_path, standin.base_url)
    assert resumed.returncode == 0, resumed.stderr
    assert [(o["request_id"], o["state"]) for o in json.loads(resumed.stdout)] == [(crashed, "succeeded")]
    shown = cli(["history", "--json"], tmp_path, standin.base_url)
    assert shown.returncode == 0, shown.stderr
    jobs = {j["request_id"]: j for j in json.loads(shown.stdout)}
    assert set(jobs) == {generated, crashed} and all(j["state"] == "succeeded" for j in jobs.values())
    assert jobs[generated]["seed"] == 9 and jobs[generated]["prompt"] == "From the CLI"
    assert jobs[generated]["has_thumbnail"] and jobs[crashed]["owner"] == "alice"
    assert all(Path(j["video_path"]).is_file() for j in jobs.values())
    again = cli(["resume"], tmp_path, standin.base_url)
    assert again.returncode == 0 and "nothing to resume" in again.stderr
    assert FAKE_TOKEN.encode() not in (tmp_path / "data" / "jobs.db").read_bytes()
