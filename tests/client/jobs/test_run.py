"""Whole runs (``run_job``'s event stream) against the stand-in over real HTTP (loopback), with the
stand-in's fault knobs: states in order, faults and outages waited out, the deadline, cancel on close.

A few shapes the stand-in never produces on purpose (unknown states, the ``videos`` list) come
from an ``httpx.MockTransport``: a fake at the HTTP boundary, never a patch of our own code.
"""

from __future__ import annotations

import av
import httpx
import pytest

from client.jobs import (
    Cancelled,
    Completed,
    Connection,
    Downloading,
    Failed,
    InProgress,
    Queued,
    Submitted,
    run_job,
)
from client.runcomfy import DownloadFailed, JobTimedOut
from tests.client.runs import FAKE_TOKEN, FAST, QUICK_RETRY, collect, job, make_client, run


def test_full_run_yields_states_in_order_and_a_real_video(standin, tmp_path):
    async def go():
        async with make_client(standin, tmp_path) as conn:
            return await collect(run_job(conn, job()))

    events = run(go())
    kinds = [type(e) for e in events]
    assert kinds[0] is Submitted and kinds[-1] is Completed
    assert Queued in kinds and InProgress in kinds and Downloading in kinds
    assert kinds.index(Queued) < kinds.index(InProgress) < kinds.index(Downloading)
    rid = events[0].request_id
    assert all(e.request_id == rid for e in events)
    done = events[-1]
    assert done.video.path == tmp_path / f"{rid}.mp4"
    assert done.video.facts.frames == 121 and done.video.facts.fps == 24
    with av.open(str(done.video.path)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 121
    assert done.cost is not None


def test_request_id_is_yielded_before_the_first_poll(standin, tmp_path):
    async def go():
        async with make_client(standin, tmp_path) as conn:
            stream = run_job(conn, job())
            first = await anext(stream)
            calls = standin.stats()["calls"]
            await stream.aclose()
            return first, calls

    first, calls = run(go())
    assert isinstance(first, Submitted) and first.seed == 7
    assert calls["submit"] == 1 and calls["status"] == 0


@pytest.mark.parametrize("kind", ["500", "html502", "503", "504", "429", "drop", "malformed", "error200"])
def test_status_and_result_survive_each_transient_fault(standin, tmp_path, kind):
    standin.configure(faults=[{"endpoint": "status", "kind": kind, "times": 3, "retry_after": 0.1},
                              {"endpoint": "result", "kind": kind, "times": 2, "retry_after": 0.1}])

    async def go():
        async with make_client(standin, tmp_path) as conn:
            return await collect(run_job(conn, job()))

    events = run(go())
    assert isinstance(events[-1], Completed)
    assert standin.stats()["submissions"] == 1


def test_failed_job_yields_failed_with_the_error(standin, tmp_path):
    standin.configure(fail_next=1)

    async def go():
        async with make_client(standin, tmp_path) as conn:
            return await collect(run_job(conn, job()))

    events = run(go())
    assert isinstance(events[-1], Failed) and events[-1].error
    assert not list(tmp_path.glob("*.mp4"))


def test_a_job_cancelled_elsewhere_ends_the_stream_as_cancelled(standin, tmp_path):
    standin.configure(queue_s=30)

    async def go():
        async with make_client(standin, tmp_path) as conn:
            stream = run_job(conn, job())
            submitted = await anext(stream)
            await conn.cancel(submitted.request_id)
            return [e async for e in stream]

    assert isinstance(run(go())[-1], Cancelled)


def test_closing_the_stream_while_queued_cancels_the_job(standin, tmp_path):
    standin.configure(queue_s=30)

    async def go():
        async with make_client(standin, tmp_path) as conn:
            stream = run_job(conn, job())
            submitted = await anext(stream)
            assert isinstance(await anext(stream), Queued)
            await stream.aclose()
            return submitted.request_id

    rid = run(go())
    assert standin.stats()["jobs"][rid]["state"] == "cancelled"


def test_a_job_that_never_ends_stops_at_the_deadline_with_its_id(standin, tmp_path):
    standin.configure(queue_s=60)

    async def go():
        async with make_client(standin, tmp_path, deadline_s=0.5) as conn:
            return await collect(run_job(conn, job(), cancel_on_close=False))

    with pytest.raises(JobTimedOut) as info:
        run(go())
    assert isinstance(info.value, TimeoutError)
    assert info.value.request_id in str(info.value)


def test_a_short_outage_mid_job_is_waited_out(standin, tmp_path):
    async def go():
        async with make_client(standin, tmp_path) as conn:
            stream = run_job(conn, job())
            await anext(stream)
            standin.configure(outage_seconds=1.5)
            return [e async for e in stream]

    events = run(go())
    assert isinstance(events[-1], Completed)


def mock_api(handler) -> Connection:
    return Connection(FAKE_TOKEN, "https://api.example.test/v1", transport=httpx.MockTransport(handler),
                      poll=FAST, retry=QUICK_RETRY, deadline_s=0.6)


def submit_answer() -> httpx.Response:
    return httpx.Response(200, json={"request_id": "req-1", "status_url": "s", "extra": {"ignored": True}})


def test_unknown_state_polls_until_the_deadline(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return submit_answer()
        return httpx.Response(200, json={"request_id": "req-1", "status": "thinking_hard"})

    async def go():
        async with mock_api(handler) as conn:
            return await collect(run_job(conn, job(), cancel_on_close=False))

    with pytest.raises(JobTimedOut, match="req-1"):
        run(go())


def test_videos_list_and_succeeded_spelling_are_understood(tmp_path, standin):
    video_url = f"{standin.url}/nowhere.mp4"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return submit_answer()
        if request.url.path.endswith("/status"):
            return httpx.Response(200, json={"status": "completed"})
        return httpx.Response(200, json={"status": "succeeded", "output": {"videos": [video_url]}})

    async def go():
        async with mock_api(handler) as conn:
            return await collect(run_job(conn, job()))

    with pytest.raises(DownloadFailed) as info:  # not https and not the API's host: never fetched
        run(go())
    assert info.value.url == video_url
