"""The thin HTTP calls against the stand-in over real HTTP (loopback), with the stand-in's fault knobs:
submit, status, result, cancel, download, the retry transport, the errors, and the token.

A shape the stand-in never produces on purpose (a 200 carrying an auth error) comes from an
``httpx.MockTransport``: a fake at the HTTP boundary, never a patch of our own code.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

import httpx
import pytest

from client.dreamina import SCHEMA
from client.jobs import run_job
from client.runcomfy import (
    APIRefused,
    AuthError,
    ConnectionFailed,
    DownloadFailed,
    NotFound,
    RetryPolicy,
    RetryTransport,
    RunComfyClient,
    RunComfyError,
    SubmitUncertain,
)
from tests.client.runs import FAKE_TOKEN, QUICK_RETRY, collect, job, make_client, run


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
        async with make_client(standin, tmp_path) as conn:
            return await collect(run_job(conn, job()))

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
        async with RunComfyClient(FAKE_TOKEN, "http://127.0.0.1:9/v1", model=SCHEMA.model,
                                  retry=QUICK_RETRY) as api:
            await api.submit(job().payload())

    with pytest.raises(ConnectionFailed) as info:
        run(go())
    assert not isinstance(info.value, SubmitUncertain)
    assert "Could not connect" in str(info.value)


def test_expired_result_is_not_found_with_request_id(standin, tmp_path):
    standin.configure(result_ttl_s=0.0)

    async def go():
        async with make_client(standin, tmp_path) as conn:
            events = await collect(run_job(conn, job()))
            await asyncio.sleep(0.1)
            await conn.api.result(events[0].request_id)

    with pytest.raises(NotFound) as info:
        run(go())
    assert info.value.request_id and info.value.request_id in str(info.value)


def test_expired_video_link_is_a_download_error_keeping_the_id(standin, tmp_path):
    standin.configure(video_ttl_s=0.0)

    async def go():
        async with make_client(standin, tmp_path) as conn:
            return await collect(run_job(conn, job()))

    with pytest.raises(DownloadFailed) as info:
        run(go())
    assert info.value.request_id and info.value.url
    assert "expired" in str(info.value)


def test_cancel_while_queued_and_while_running(standin, tmp_path):
    async def go():
        async with make_client(standin, tmp_path) as conn:
            standin.configure(queue_s=30, run_s=30)
            queued = await conn.api.submit(job().payload())
            first = await conn.api.cancel(queued.request_id)
            standin.configure(queue_s=0.0, run_s=30)
            running = await conn.api.submit(job().payload())
            await asyncio.sleep(0.2)
            second = await conn.api.cancel(running.request_id)
            status = await conn.api.status(queued.request_id)
            return first, second, status

    first, second, status = run(go())
    assert first.cancelled and first.outcome == "cancelled"
    assert status.raw_state == "cancelled"
    assert not second.cancelled and second.outcome == "not_cancellable"
    assert "already running" in second.message.lower() and "billed" in second.message


def test_error_code_in_a_200_body_is_an_error(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error_code": 400004, "error_message": "token revoked"})

    async def go():
        async with RunComfyClient(FAKE_TOKEN, "https://api.example.test/v1", model=SCHEMA.model,
                                  transport=httpx.MockTransport(handler), retry=QUICK_RETRY) as api:
            await api.submit(job().payload())

    with pytest.raises(AuthError, match="RUNCOMFY_API_TOKEN"):
        run(go())


def test_the_token_never_leaks_into_logs_errors_or_repr(standin, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    standin.configure(faults=[{"endpoint": "status", "kind": "500", "times": 2}], fail_next=1)
    texts: list[str] = []

    async def go():
        async with make_client(standin, tmp_path) as conn:
            texts.append(repr(conn))
            texts.append(repr(conn.api))
            texts.extend(repr(e) for e in await collect(run_job(conn, job())))
            for bad in (conn.api.result("no-such-id"), conn.api.cancel("no-such-id")):
                try:
                    await bad
                except RunComfyError as exc:
                    texts.append(str(exc))
                    texts.append(repr(exc))
        async with RunComfyClient("wrong-" + FAKE_TOKEN, standin.base_url, model=SCHEMA.model) as api:
            standin.configure(tokens=[FAKE_TOKEN])
            try:
                await api.submit(job().payload())
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
        async with make_client(standin, tmp_path) as conn:
            a = await conn.api.submit(job().payload(), token="fake-visitor-a")
            b = await conn.api.submit(job().payload())
            return a.request_id, b.request_id

    a, b = run(go())
    jobs = standin.stats()["jobs"]
    from client.offline import token_fingerprint as fp
    assert jobs[a]["token_fp"] == fp("fake-visitor-a") != jobs[b]["token_fp"] == fp(FAKE_TOKEN)
    assert fp("x") == hashlib.sha256(b"x").hexdigest()[: len(fp("x"))]
