"""Variations: one request, N seeds chosen up front, N paid jobs at once, against the loopback stand-in.

Each variation is its own recorded job: a failure ends only itself, Cancel stops the queued ones, and
a set cut short by a crash (the CLI killed with SIGKILL: nothing cleaned up) is finished by
``resume_jobs`` like any unfinished jobs, without a second submit.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from client.dreamina import InputRefused, PreparedJob, build_job
from client.history import JobFiles, JobStore
from client.jobs import (
    MAX_VARIATIONS,
    Cancelled,
    Completed,
    Failed,
    Registry,
    Route,
    Submitted,
    Variations,
    plan_variations,
    resume_jobs,
)
from tests.client.cli.test_cli import cli_env, picture
from tests.client.runs import FAKE_TOKEN, make_client, run
from tests.samples import photo

PROMPT = "A slow dolly-in over a sunny street"


def prepared() -> PreparedJob:
    return build_job(PROMPT, image=photo(960, 540), seed=7, frames=121)


def test_seeds_are_distinct_chosen_up_front_and_the_requests_differ_only_by_them():
    base = prepared()
    jobs = plan_variations(base, 4, rng=random.Random(1))
    seeds = [j.request.seed for j in jobs]
    assert seeds[0] == 7 and len(set(seeds)) == 4
    for one in jobs:
        assert {k: v for k, v in one.request.payload().items() if k != "seed"} == \
            {k: v for k, v in base.request.payload().items() if k != "seed"}
        assert one.image is base.image
    assert plan_variations(base, 1) == (base,)
    for bad in (0, 5, "many"):
        with pytest.raises(InputRefused) as refused:
            plan_variations(base, bad)
        assert refused.value.rule == "variations" and str(MAX_VARIATIONS) in str(refused.value)


async def _run_set(standin, tmp_path: Path, count: int) -> tuple[Variations, list, JobStore]:
    store = JobStore.open(tmp_path / "data")
    registry = Registry(store, JobFiles.under(tmp_path / "outputs", tmp_path / "data"))
    async with make_client(standin, tmp_path / "outputs") as conn:
        group = Variations.start(Route(conn, None, "server"), plan_variations(prepared(), count),
                                 registry=registry)
        updates = [update async for update in group.watch()]
    return group, updates, store


def test_three_variations_make_three_submissions_with_three_seeds_and_three_videos(standin, tmp_path):
    group, updates, store = run(_run_set(standin, tmp_path, 3))
    with store:
        stats = standin.stats()
        assert stats["submissions"] == 3
        assert sorted(j["seed"] for j in stats["jobs"].values()) == sorted(group.seeds)
        videos = group.videos()
        assert all(isinstance(v, Completed) for v in videos)
        assert len({v.video.path for v in videos}) == 3 and all(v.video.path.is_file() for v in videos)
        for index, rid in enumerate(group.request_ids):
            row = store.get(rid)
            assert row.state == "succeeded" and row.seed == group.seeds[index] and row.paid_by == "server"
        assert {i for i, e in updates if isinstance(e, Submitted)} == {0, 1, 2}
        assert [u for u in updates if u[1] is None] and group.done


def test_a_failed_variation_keeps_the_others(standin, tmp_path):
    standin.configure(fail_next=1)
    group, _, store = run(_run_set(standin, tmp_path, 3))
    with store:
        ends = group.ends()
        assert sorted(type(e).__name__ for e in ends) == ["Completed", "Completed", "Failed"]
        states = sorted(store.get(rid).state for rid in group.request_ids)
        assert states == ["failed", "succeeded", "succeeded"]
        assert sum(v is not None for v in group.videos()) == 2 and standin.stats()["submissions"] == 3
        assert any(isinstance(e, Failed) for e in ends)


def test_cancel_cancels_the_variations_still_queued(standin, tmp_path):
    standin.configure(queue_s=30)

    async def go():
        with JobStore.open(tmp_path / "data") as store:
            registry = Registry(store, JobFiles.under(tmp_path / "outputs", tmp_path / "data"))
            async with make_client(standin, tmp_path / "outputs") as conn:
                group = Variations.start(Route(conn, None, "server"), plan_variations(prepared(), 2),
                                         registry=registry)
                async for _update in group.watch():
                    if all(group.request_ids):
                        break
                reports = await group.cancel()
                async for _ in group.watch():
                    pass
            return group, reports, [store.get(rid).state for rid in group.request_ids]

    group, reports, states = run(go())
    assert [r.cancelled for r in reports] == [True, True] and states == ["cancelled", "cancelled"]
    assert all(isinstance(e, Cancelled) for e in group.ends())
    assert {j["state"] for j in standin.stats()["jobs"].values()} == {"cancelled"}


def test_a_set_cut_short_by_a_crash_is_finished_by_resume_without_a_second_submit(standin, tmp_path):
    standin.configure(queue_s=3)  # long enough to kill the CLI while every variation is still queued
    data = tmp_path / "data"
    env = cli_env(RUNCOMFY_API_TOKEN=FAKE_TOKEN, RUNCOMFY_BASE_URL=standin.base_url,
                  RUNCOMFY_DATA_DIR=str(data))
    proc = subprocess.Popen([sys.executable, "-m", "client", "generate", "--image", str(picture(tmp_path)),
                             "--prompt", PROMPT, "--variations", "3"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (data / "jobs.db").is_file():
                with JobStore.open(data) as store:
                    if len(store.unfinished()) == 3:
                        break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)  # a crash: no cancel, no cleanup
        proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert standin.stats()["submissions"] == 3

    async def restart():
        with JobStore.open(data) as store:
            assert len(store.unfinished()) == 3
            async with make_client(standin, tmp_path / "outputs") as conn:
                outcomes = await resume_jobs(conn, store, files=JobFiles.under(tmp_path / "outputs", data))
            return outcomes, [store.get(o.request_id) for o in outcomes], store.unfinished()

    outcomes, rows, left = run(restart())
    assert [o.state for o in outcomes] == ["succeeded"] * 3 and left == []
    assert len({row.seed for row in rows}) == 3 and all(row.video_path.is_file() for row in rows)
    assert standin.stats()["submissions"] == 3  # resumed, never sent again


def test_watching_with_a_tick_reports_quiet_moments_and_ends(standin, tmp_path):
    standin.configure(queue_s=0.4)

    async def go():
        async with make_client(standin, tmp_path / "outputs") as conn:
            group = Variations.start(Route(conn, None, "server"), plan_variations(prepared(), 2))
            return [u async for u in group.watch(tick_s=0.05)], group

    updates, group = run(go())
    assert None in updates and group.done and all(isinstance(v, Completed) for v in group.videos())
