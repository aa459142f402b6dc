"""The client against the stand-in over real HTTP (loopback), with the stand-in's fault knobs.

A few shapes the stand-in never produces on purpose (unknown states, a 200 carrying an auth error)
come from an ``httpx.MockTransport``: a fake at the HTTP boundary, never a patch of our own code.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import av
import httpx
import pytest

from client.api import RunComfyClient
from client.errors import (
    APIRefused,
    AuthError,
    ConnectionFailed,
    DownloadFailed,
    JobTimedOut,
    NotFound,
    RunComfyError,
    SubmitUncertain,
)
from client.events import Cancelled, Completed, Downloading, Failed, InProgress, Queued, Submitted
from client.inputs import JobRequest, build_job
from client.polling import PollPlan
from client.retry import RetryPolicy, RetryTransport
from tests.samples import photo

FAKE_TOKEN = "fake-token-LEAKCHECK-0123456789"
FAST = PollPlan.fixed(0.05)
QUICK_RETRY = RetryPolicy(attempts=4, base_delay_s=0.02, max_delay_s=0.1, max_retry_after_s=0.3)


def job(frames: int = 121) -> JobRequest:
    prompt = "A slow dolly-in over a sunny street"
    return build_job(prompt, image=photo(960, 540), seed=7, frames=frames).request


def make_client(standin, tmp_path: Path, **kw) -> RunComfyClient:
    kw.setdefault("poll", FAST)
    kw.setdefault("retry", QUICK_RETRY)
    kw.setdefault("deadline_s", 60)
    return RunComfyClient(FAKE_TOKEN, standin.base_url, outputs_dir=tmp_path, **kw)


async def collect(events: AsyncIterator) -> list:
    return [event async for event in events]


def run(coro):
    return asyncio.run(coro)


def test_full_run_yields_states_in_order_and_a_real_video(standin, tmp_path):
    async def go():
        async with make_client(standin, tmp_path) as api:
            return await collect(api.run(job()))

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
        async with make_client(standin, tmp_path) as api:
            stream = api.run(job())
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
        async with make_client(standin, tmp_path) as api:
            return await collect(api.run(job()))

    events = run(go())
    assert isinstance(events[-1], Completed)
    assert standin.stats()["submissions"] == 1


def test_retry_after_is_honoured_and_capped(standin):
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def go():
        standin.configure(faults=[{"endpoint": "status", "kind": "429", "times": 2, "retry_after": 7}])
        transport = RetryTransport(httpx.AsyncHTTPTransport(), RetryPolicy(max_retry_after_s=5), sleep=sleep)
        async with httpx.AsyncClient(transport=transport) as http:
            headers = {"Authorization": f"Bearer {FAKE_TOKEN}"}
            sub = await http.post(f"{standin.base_url}/models/bytedance/dreamina-3-0/pro/image-to-video",
                                  json=job().payload(), headers=headers)
            rid = sub.json()["request_id"]
            return await http.get(f"{standin.base_url}/requests/{rid}/status", headers=headers)

    response = run(go())
    assert response.status_code == 200
    assert waits == [5, 5]  # Retry-After: 7, capped at 5


@pytest.mark.parametrize("kind", ["500", "html502", "503", "429", "drop", "drop_after_submit"])
def test_submit_is_never_sent_twice(standin, tmp_path, kind):
    standin.configure(faults=[{"endpoint": "submit", "kind": kind, "times": 1, "retry_after": 0.1}])

    async def go():
        async with make_client(standin, tmp_path) as api:
            return await collect(api.run(job()))

    with pytest.raises(RunComfyError) as info:
        run(go())
    stats = standin.stats()
    assert stats["calls"]["submit"] == 1
    if kind.startswith("drop"):
        assert isinstance(info.value, SubmitUncertain)
        assert "NOT sent again" in str(info.value)
    else:
        assert isinstance(info.value, APIRefused)
    if kind == "drop_after_submit":
        assert stats["submissions"] == 1  # the job exists: the user must be able to recover it


def test_connection_refused_is_a_clear_error(tmp_path):
    async def go():
        async with RunComfyClient(FAKE_TOKEN, "http://127.0.0.1:9/v1", outputs_dir=tmp_path,
                                  retry=QUICK_RETRY) as api:
            await api.submit(job())

    with pytest.raises(ConnectionFailed) as info:
        run(go())
    assert not isinstance(info.value, SubmitUncertain)
    assert "Could not connect" in str(info.value)


def test_failed_job_yields_failed_with_the_error(standin, tmp_path):
    standin.configure(fail_next=1)

    async def go():
        async with make_client(standin, tmp_path) as api:
            return await collect(api.run(job()))

    events = run(go())
    assert isinstance(events[-1], Failed) and events[-1].error
    assert not list(tmp_path.glob("*.mp4"))


def test_expired_result_is_not_found_with_request_id(standin, tmp_path):
    standin.configure(result_ttl_s=0.0)

    async def go():
        async with make_client(standin, tmp_path) as api:
            events = await collect(api.run(job()))
            await asyncio.sleep(0.1)
            await api.result(events[0].request_id)

    with pytest.raises(NotFound) as info:
        run(go())
    assert info.value.request_id and info.value.request_id in str(info.value)


def test_expired_video_link_is_a_download_error_keeping_the_id(standin, tmp_path):
    standin.configure(video_ttl_s=0.0)

    async def go():
        async with make_client(standin, tmp_path) as api:
            return await collect(api.run(job()))

    with pytest.raises(DownloadFailed) as info:
        run(go())
    assert info.value.request_id and info.value.url
    assert "expired" in str(info.value)


def test_cancel_while_queued_and_while_running(standin, tmp_path):
    async def go():
        async with make_client(standin, tmp_path) as api:
            standin.configure(queue_s=30, run_s=30)
            queued = await api.submit(job())
            first = await api.cancel(queued.request_id)
            standin.configure(queue_s=0.0, run_s=30)
            running = await api.submit(job())
            await asyncio.sleep(0.2)
            second = await api.cancel(running.request_id)
            status = await api.status(queued.request_id)
            return first, second, status

    first, second, status = run(go())
    assert first.cancelled and first.outcome == "cancelled"
    assert status.raw_state == "cancelled"
    assert not second.cancelled and second.outcome == "not_cancellable"
    assert "already running" in second.message.lower() and "billed" in second.message


def test_a_job_cancelled_elsewhere_ends_the_stream_as_cancelled(standin, tmp_path):
    standin.configure(queue_s=30)

    async def go():
        async with make_client(standin, tmp_path) as api:
            stream = api.run(job())
            submitted = await anext(stream)
            await api.cancel(submitted.request_id)
            return [e async for e in stream]

    assert isinstance(run(go())[-1], Cancelled)


def test_closing_the_stream_while_queued_cancels_the_job(standin, tmp_path):
    standin.configure(queue_s=30)

    async def go():
        async with make_client(standin, tmp_path) as api:
            stream = api.run(job())
            submitted = await anext(stream)
            assert isinstance(await anext(stream), Queued)
            await stream.aclose()
            return submitted.request_id

    rid = run(go())
    assert standin.stats()["jobs"][rid]["state"] == "cancelled"


def test_a_job_that_never_ends_stops_at_the_deadline_with_its_id(standin, tmp_path):
    standin.configure(queue_s=60)

    async def go():
        async with make_client(standin, tmp_path, deadline_s=0.5) as api:
            return await collect(api.run(job(), cancel_on_close=False))

    with pytest.raises(JobTimedOut) as info:
        run(go())
    assert isinstance(info.value, TimeoutError)
    assert info.value.request_id in str(info.value)


def test_a_short_outage_mid_job_is_waited_out(standin, tmp_path):
    async def go():
        async with make_client(standin, tmp_path) as api:
            stream = api.run(job())
            await anext(stream)
            standin.configure(outage_seconds=1.5)
            return [e async for e in stream]

    events = run(go())
    assert isinstance(events[-1], Completed)


def mock_api(handler) -> RunComfyClient:
    return RunComfyClient(FAKE_TOKEN, "https://api.example.test/v1", transport=httpx.MockTransport(handler),
                          poll=FAST, retry=QUICK_RETRY, deadline_s=0.6)


def submit_answer() -> httpx.Response:
    return httpx.Response(200, json={"request_id": "req-1", "status_url": "s", "extra": {"ignored": True}})


def test_unknown_state_polls_until_the_deadline(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return submit_answer()
        return httpx.Response(200, json={"request_id": "req-1", "status": "thinking_hard"})

    async def go():
        async with mock_api(handler) as api:
            return await collect(api.run(job(), cancel_on_close=False))

    with pytest.raises(JobTimedOut, match="req-1"):
        run(go())


def test_error_code_in_a_200_body_is_an_error(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error_code": 400004, "error_message": "token revoked"})

    async def go():
        async with mock_api(handler) as api:
            await api.submit(job())

    with pytest.raises(AuthError, match="RUNCOMFY_API_TOKEN"):
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
        async with mock_api(handler) as api:
            return await collect(api.run(job()))

    with pytest.raises(DownloadFailed) as info:  # not https and not the API's host: never fetched
        run(go())
    assert info.value.url == video_url


def test_the_token_never_leaks_into_logs_errors_or_repr(standin, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    standin.configure(faults=[{"endpoint": "status", "kind": "500", "times": 2}], fail_next=1)
    texts: list[str] = []

    async def go():
        async with make_client(standin, tmp_path) as api:
            texts.append(repr(api))
            texts.extend(repr(e) for e in await collect(api.run(job())))
            for bad in (api.result("no-such-id"), api.cancel("no-such-id")):
                try:
                    await bad
                except RunComfyError as exc:
                    texts.append(str(exc))
                    texts.append(repr(exc))
        async with RunComfyClient("wrong-" + FAKE_TOKEN, standin.base_url) as api:
            standin.configure(tokens=[FAKE_TOKEN])
            try:
                await api.submit(job())
            except AuthError as exc:
                texts.append(str(exc))

    run(go())
    everything = "\n".join(texts) + caplog.text + "".join(p.read_bytes().decode("latin-1")
                                                          for p in tmp_path.rglob("*") if p.is_file())
    assert FAKE_TOKEN not in everything
    assert "Bearer" not in caplog.text
    assert any("another" in t or "RUNCOMFY_API_TOKEN" in t or "request id" in t for t in texts)


def test_each_job_carries_the_token_it_was_given(standin, tmp_path):
    async def go():
        async with make_client(standin, tmp_path) as api:
            a = await api.submit(job(), token="fake-visitor-a")
            b = await api.submit(job())
            return a.request_id, b.request_id

    a, b = run(go())
    jobs = standin.stats()["jobs"]
    from client.offline import token_fingerprint as fp
    assert jobs[a]["token_fp"] == fp("fake-visitor-a") != jobs[b]["token_fp"] == fp(FAKE_TOKEN)
    assert fp("x") == hashlib.sha256(b"x").hexdigest()[: len(fp("x"))]
