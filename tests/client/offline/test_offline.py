"""The offline stand-in, driven over real HTTP (loopback) and in-process (ASGITransport)."""

from __future__ import annotations

import asyncio
import base64
import io
import socket
import time
from pathlib import Path

import av
import httpx
import pytest
from PIL import Image, ImageDraw, ImageStat

from client.dreamina import SCHEMA
from client.offline import (
    KINDS,
    FaultRule,
    FetchError,
    OfflineConfig,
    create_app,
    fetch_image,
    token_fingerprint,
)
from client.offline.jobs import Job

TOKEN, OTHER = "offline-test-token-a", "offline-test-token-b"
MODEL_PATH = f"/models/{SCHEMA.model}"
TERMINAL = {"completed", "failed", "cancelled"}


def picture(width: int, height: int, fmt: str = "JPEG", tint: int = 0) -> bytes:
    """A bright gradient with shapes in the middle (corners stay bright for the mark check)."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 4):
        shade = 190 + 50 * x // width
        draw.rectangle([x, 0, x + 4, height], fill=(shade, shade - 10, shade - 20 + tint))
    cx, cy, r = width // 2, height // 2, min(width, height) // 5
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(200, 60, 30))
    draw.rectangle([cx - r // 2, cy + r, cx + r // 2, cy + 2 * r], fill=(30, 90, 200))
    buf = io.BytesIO()
    image.save(buf, fmt)
    return buf.getvalue()


def data_uri(data: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


WIDE = data_uri(picture(1280, 720))
TALL = data_uri(picture(720, 1280))


def body(image: str = WIDE, **extra: object) -> dict[str, object]:
    return {"prompt": "A slow push-in", "image_urls": [image], **extra}


def api(standin, token: str | None = TOKEN) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.Client(base_url=standin.base_url, headers=headers, timeout=30)


def submit(client: httpx.Client, payload: dict[str, object] | None = None) -> dict[str, str]:
    response = client.post(MODEL_PATH, json=payload or body())
    assert response.status_code == 200, response.text
    return response.json()


def wait_done(client: httpx.Client, job: dict[str, str], timeout: float = 30) -> dict[str, object]:
    """Poll the status until terminal, then answer the result."""
    deadline = time.monotonic() + timeout
    while client.get(job["status_url"]).json()["status"] not in TERMINAL:
        assert time.monotonic() < deadline, "the job did not end in time"
        time.sleep(0.05)
    return client.get(job["result_url"], params={"include_cost": "true"}).json()


def decode(data: bytes) -> tuple[av.video.stream.VideoStream, list[av.VideoFrame], float]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        return stream, frames, float(stream.duration * stream.time_base)


# --- auth and validation -------------------------------------------------------------------------


def test_missing_empty_or_refused_token_is_401_with_error_body(standin):
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}):
        response = httpx.post(standin.base_url + MODEL_PATH, json=body(), headers=headers)
        assert response.status_code == 401
        assert response.json()["error_code"] == 400004
    standin.configure(tokens=[OTHER])
    with api(standin) as client:
        response = client.get("/requests/abc/status")
    assert response.status_code == 401 and TOKEN not in response.text


BAD_INPUTS = {
    "missing prompt": ({"image_urls": [WIDE]}, ["body", "prompt"]),
    "empty prompt": (body(prompt="   "), ["body", "prompt"]),
    "801 code points": (body(prompt="😀" * (SCHEMA.prompt_max_chars + 1)), ["body", "prompt"]),
    "bool seed": (body(seed=True), ["body", "seed"]),
    "seed too big": (body(seed=SCHEMA.seed_max + 1), ["body", "seed"]),
    "frames 120": (body(frames=120), ["body", "frames"]),
    "two image urls": ({"prompt": "x", "image_urls": [WIDE, WIDE]}, ["body", "image_urls"]),
    "unknown key": (body(negative_prompt="blur"), ["body", "negative_prompt"]),
    "http url": (body("http://example.com/a.jpg"), ["body", "image_urls", 0]),
    "gif data uri": (body(data_uri(picture(640, 480, "GIF"), "image/png")), ["body", "image_urls", 0]),
    "too small": (body(data_uri(picture(320, 480))), ["body", "image_urls", 0]),
    "too wide": (body(data_uri(picture(1500, 480))), ["body", "image_urls", 0]),
    "not base64": (body("data:image/png;base64,@@@"), ["body", "image_urls", 0]),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_each_schema_rule_is_a_422_naming_the_field(standin, case):
    payload, loc = BAD_INPUTS[case]
    with api(standin) as client:
        response = client.post(MODEL_PATH, json=payload)
    assert response.status_code == 422
    error = response.json()
    assert error["error_code"] == 422001 and error["error_message"]
    assert loc in [d["loc"] for d in error["detail"]], error["detail"]
    assert standin.stats()["submissions"] == 0


def test_800_code_points_are_accepted_malformed_json_and_unknown_model_are_not(standin):
    with api(standin) as client:
        assert client.post(MODEL_PATH, json=body(prompt="😀" * SCHEMA.prompt_max_chars)).status_code == 200
        bad = client.post(MODEL_PATH, content=b'{"prompt": ', headers={"Content-Type": "application/json"})
        assert bad.status_code == 400 and "error_code" in bad.json()
        unknown = client.post("/models/bytedance/nope", json=body())
        assert unknown.status_code == 404 and unknown.json()["error_code"] == 400001


# --- lifecycle and the video ---------------------------------------------------------------------


def test_lifecycle_queue_positions_count_down_then_run_then_complete(standin):
    # Steps of 0.5 s: wide enough that a loaded CI machine still sees several positions.
    standin.configure(queue_s=2.0, start_position=3)
    with api(standin) as client:
        job = submit(client, body(seed=7, frames=121))
        assert set(job) == {"request_id", "status_url", "result_url", "cancel_url"}
        assert job["status_url"].startswith(standin.base_url + "/requests/")
        seen: list[tuple[str, int | None]] = []
        while not seen or seen[-1][0] not in TERMINAL:
            status = client.get(job["status_url"]).json()
            assert status["request_id"] == job["request_id"] and status["result_url"] == job["result_url"]
            seen.append((status["status"], status.get("queue_position")))
            time.sleep(0.03)
        result = wait_done(client, job)
    states = [s for s, _ in seen]
    assert states[0] == "in_queue" and states[-1] == "completed" and "in_progress" in states
    assert states.index("in_progress") > max(i for i, s in enumerate(states) if s == "in_queue")
    positions = [p for s, p in seen if s == "in_queue"]
    assert positions[0] <= 3 and positions == sorted(positions, reverse=True) and len(set(positions)) > 1
    assert all(p is None for s, p in seen if s != "in_queue")
    assert result["status"] == "succeeded" and result["output"]["video"].endswith(".mp4")
    assert result["created_at"] < result["finished_at"] and "error" not in result
    assert result["cost"] == pytest.approx(SCHEMA.seconds_for(121) * 0.05)
    stats = standin.stats()["jobs"][job["request_id"]]
    assert stats["seed"] == 7 and stats["frames"] == 121 and stats["state"] == "completed"


def test_video_is_h264_with_exact_frames_size_duration_and_the_mark(standin):
    with api(standin) as client:
        result = wait_done(client, submit(client))
    standin.configure(faults=[FaultRule("video", "drop", times=1)])
    with pytest.raises(httpx.RemoteProtocolError):  # a download cut short is a transport error
        httpx.get(result["output"]["video"])
    response = httpx.get(result["output"]["video"])  # public, like a CDN: no token
    assert response.status_code == 200 and response.headers["content-type"] == "video/mp4"
    assert int(response.headers["content-length"]) == len(response.content)
    stream, frames, duration = decode(response.content)
    assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
    assert len(frames) == 121 and stream.average_rate == SCHEMA.fps
    assert duration == pytest.approx(121 / SCHEMA.fps, abs=1e-3)
    assert (frames[0].width, frames[0].height) == (1280, 720)
    first = frames[0].to_image().convert("L")
    mark = ImageStat.Stat(first.crop((12, 720 - 48, 400, 720 - 14)))
    plain = ImageStat.Stat(first.crop((12, 14, 400, 48)))
    # The picture's corner is bright; under the mark it is a dark box with white text.
    assert plain.mean[0] > 170
    assert mark.mean[0] < plain.mean[0] - 60 and mark.extrema[0][1] > 200


def test_identical_jobs_render_once_each_keeping_its_token_241_frames_portrait(standin):
    renders = standin.stats()["renders"]
    with api(standin) as a, api(standin, OTHER) as b:
        jobs = [submit(a if i % 2 else b, body(TALL, frames=241)) for i in range(20)]
        results = [wait_done(a if i % 2 else b, job) for i, job in enumerate(jobs)]
    stats = standin.stats()
    assert stats["renders"] == renders + 1 and stats["submissions"] == 20
    for i, job in enumerate(jobs):
        assert stats["jobs"][job["request_id"]]["token_fp"] == token_fingerprint(TOKEN if i % 2 else OTHER)
    assert TOKEN not in str(stats) and OTHER not in str(stats)
    assert results[0]["cost"] == pytest.approx(SCHEMA.seconds_for(241) * 0.05)
    _, frames, duration = decode(httpx.get(results[-1]["output"]["video"]).content)
    assert len(frames) == 241 and duration == pytest.approx(241 / SCHEMA.fps, abs=1e-3)
    assert (frames[0].width, frames[0].height) == (720, 1280)


# --- cancel, ownership, expiry, failure ----------------------------------------------------------


def test_cancel_while_queued_and_while_running(standin):
    standin.configure(queue_s=30)
    with api(standin) as client:
        queued = submit(client)
        answer = client.post(queued["cancel_url"])
        assert answer.status_code == 202 and answer.json()["outcome"] == "cancelled"
        assert client.get(queued["status_url"]).json()["status"] == "cancelled"
        result = client.get(queued["result_url"]).json()
        assert result["status"] == "cancelled" and "output" not in result and result["finished_at"]
        standin.configure(queue_s=0, run_s=30)
        running = submit(client)
        answer = client.post(running["cancel_url"])
    assert answer.status_code == 202 and answer.json()["outcome"] == "not_cancellable"
    assert answer.json()["status"] == "in_progress"


def test_unknown_id_is_404_and_another_tokens_job_is_403(standin):
    with api(standin) as mine, api(standin, OTHER) as theirs:
        for method, path in (("GET", "status"), ("GET", "result"), ("POST", "cancel")):
            response = mine.request(method, f"/requests/does-not-exist/{path}")
            assert response.status_code == 404 and response.json()["error_code"] == 404001
        job = submit(mine)
        for url in (job["status_url"], job["result_url"]):
            response = theirs.get(url)
            assert response.status_code == 403 and response.json()["error_code"] == 403001
        assert theirs.post(job["cancel_url"]).status_code == 403


def test_result_expires_after_its_ttl_and_the_video_link_after_its_own(standin):
    # TTLs wide enough for a loaded CI machine to fetch before they pass.
    standin.configure(queue_s=0, run_s=0, result_ttl_s=1.5, video_ttl_s=1.5)
    with api(standin) as client:
        job = submit(client)
        result = wait_done(client, job)
        assert httpx.get(result["output"]["video"]).status_code == 200
        time.sleep(1.6)
        gone = client.get(job["result_url"])
        assert gone.status_code == 404 and gone.json()["error_code"] == 404001
        assert client.get(job["status_url"]).status_code == 404
    assert httpx.get(result["output"]["video"]).status_code == 403


def test_fail_next_fails_exactly_the_next_jobs(standin):
    standin.configure(fail_next=1)
    with api(standin) as client:
        failed, fine = wait_done(client, submit(client)), wait_done(client, submit(client))
    assert failed["status"] == "failed" and isinstance(failed["error"], str) and "output" not in failed
    assert failed["cost"] == 0 and fine["status"] == "succeeded"


def test_unfetchable_https_urls_fail_the_job_and_loopback_is_never_contacted(standin):
    with socket.create_server(("127.0.0.1", 0)) as trap, api(standin) as client:
        trap.setblocking(False)
        port = trap.getsockname()[1]
        urls = ["https://offline-standin.invalid/picture.jpg", f"https://127.0.0.1:{port}/a.jpg"]
        results = [wait_done(client, submit(client, body(url))) for url in urls]
        with pytest.raises(BlockingIOError):
            trap.accept()
    for url, result in zip(urls, results, strict=True):
        assert result["status"] == "failed"
        assert result["error"].startswith(f"could not fetch the image URL {url} (")
        assert result["error"].endswith("); upload the image file instead")
    assert "not a public address" in results[1]["error"]


# --- faults --------------------------------------------------------------------------------------

EXPECTED = {
    "500": (500, 500001), "503": (503, 500001), "504": (504, 500001), "429": (429, 429001),
    "error200": (200, 500001), "404": (404, 404001), "403": (403, 403001),
}  # fmt: skip


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "drop_after_submit"])
def test_each_fault_kind_on_status_then_recovery(standin, kind):
    with api(standin) as client:
        job = submit(client)
        standin.configure(faults=[FaultRule("status", kind, times=1, retry_after=2)])
        if kind == "drop":
            with pytest.raises(httpx.RemoteProtocolError):
                client.get(job["status_url"])
        else:
            response = client.get(job["status_url"])
            if kind in EXPECTED:
                assert (response.status_code, response.json()["error_code"]) == EXPECTED[kind]
            elif kind == "html502":
                assert response.status_code == 502
                assert response.headers["content-type"].startswith("text/html")
            else:  # malformed
                assert response.status_code == 200
                with pytest.raises(ValueError):
                    response.json()
            if kind == "429":
                assert response.headers["retry-after"] == "2"
        assert client.get(job["status_url"]).status_code == 200  # times=1: only the first call
    assert standin.stats()["calls"]["status"] == 2


def test_drop_after_submit_creates_the_job_and_loses_the_answer(standin, caplog):
    standin.configure(faults=[{"endpoint": "submit", "kind": "drop_after_submit", "times": 1}])
    with api(standin) as client, pytest.raises(httpx.RemoteProtocolError):
        client.post(MODEL_PATH, json=body())
    stats = standin.stats()
    assert stats["submissions"] == 1 and len(stats["jobs"]) == 1
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # uvicorn's traceback is silenced


def test_rate_any_endpoint_and_outage(standin):
    standin.configure(faults=[FaultRule("any", "503", rate=0.5)], seed=3)
    with api(standin) as client:
        codes = [client.get("/requests/x/status").status_code for _ in range(30)]
        assert 3 < codes.count(503) < 27 and set(codes) == {503, 404}
        assert httpx.get(standin.url + "/files/nothing.mp4").status_code in (503, 404)
        standin.configure(faults=[], outage_seconds=1.5)
        with pytest.raises(httpx.TransportError):
            client.get("/requests/x/status")
        time.sleep(1.6)
        assert client.get("/requests/x/status").status_code == 404


# --- in-process, fetch guard, state machine ------------------------------------------------------


def test_in_process_asgi_transport_full_run_drop_and_cleanup():
    async def scenario() -> tuple[Path, bool]:
        app = create_app(OfflineConfig(queue_s=0.1, run_s=0.1))
        files_dir = app.state.offline.files_dir
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app)
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with httpx.AsyncClient(transport=transport, base_url="http://offline.invalid/v1") as client:
                job = (await client.post(MODEL_PATH, json=body(), headers=headers)).json()
                assert job["status_url"].startswith("http://offline.invalid/v1/requests/")
                for _ in range(600):  # the app's clock drives the job: polling is the only way to see it
                    if (await client.get(job["status_url"], headers=headers)).json()["status"] == "completed":
                        break
                    await asyncio.sleep(0.05)
                result = (await client.get(job["result_url"], headers=headers)).json()
                video = await client.get(result["output"]["video"])
                assert video.status_code == 200 and len(decode(video.content)[1]) == 121
                app.state.offline.apply({"faults": [{"endpoint": "result", "kind": "drop"}]})
                with pytest.raises(httpx.RemoteProtocolError):
                    await client.get(job["result_url"], headers=headers)
            existed = files_dir.exists()
        return files_dir, existed

    files_dir, existed = asyncio.run(scenario())
    assert existed and not files_dir.exists()


def test_fetch_guard_refuses_before_connecting_and_pins_the_checked_address():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/hop":
            return httpx.Response(302, headers={"Location": "https://internal.example/secret.png"})
        if request.url.path == "/big":
            return httpx.Response(200, headers={"Content-Length": "99999999"})
        return httpx.Response(200, content=b"png-bytes")

    public = {"cdn.example": ["93.184.216.34"], "internal.example": ["93.184.216.34", "10.0.0.7"]}
    kw = {"resolve": lambda host, port: public[host], "transport": httpx.MockTransport(handler)}
    assert fetch_image("https://cdn.example/ok.png", **kw) == b"png-bytes"
    assert seen[0].url.host == "93.184.216.34" and seen[0].headers["host"] == "cdn.example"
    assert seen[0].extensions["sni_hostname"] == "cdn.example"
    refusals = {
        "http://cdn.example/a.png": "only https",
        "https://user:pw@cdn.example/a.png": "credentials",
        "https://[::ffff:127.0.0.1]/a.png": "not a public address",
        "https://169.254.169.254/latest/meta-data": "not a public address",
        "https://cdn.example/hop": "not a public address",  # the redirect target is checked too
        "https://cdn.example/big": "larger than",
    }
    for url, reason in refusals.items():
        with pytest.raises(FetchError, match=reason):
            fetch_image(url, **kw)
    assert [r.url.path for r in seen] == ["/ok.png", "/hop", "/big"]


def test_job_state_follows_the_clock():
    job = Job("r", "fp", "p", -1, 121, "data:", created=100.0, created_wall=0.0, queue_s=2.0, run_s=4.0,
              start_position=3)  # fmt: skip
    assert [job.queue_position(100.0 + t) for t in (0, 0.49, 0.5, 1.0, 1.5, 1.99)] == [3, 3, 2, 1, 0, 0]
    assert job.state(101.9) == "in_queue" and job.state(102.0) == "in_progress"
    assert job.state(107.0) == "in_progress"  # time is up but the render is not done
    job.video_path, job.work_done_at = Path("v.mp4"), 108.5
    assert job.state(108.5) == "completed" and job.finished(109.0) == 108.5
    assert job.times(109.0)["finished_at"].endswith("Z")


def test_run_spread_draws_each_jobs_run_time_around_run_s(standin):
    standin.configure(queue_s=0, run_s=10.0, run_spread=0.2, fail_next=40)  # failed at once: no renders
    with api(standin) as client:
        for _ in range(40):
            submit(client)
    runs = [job.run_s for job in standin.app.state.offline.store.jobs()]
    assert len(runs) == 40 and all(8.0 <= run <= 12.0 for run in runs) and len(set(runs)) == 40
    with pytest.raises(ValueError, match="run_spread must not be negative"):
        OfflineConfig().updated({"run_spread": -0.1}, 0.0)
    standin.configure(run_spread=0)
    assert OfflineConfig().run_spread == 0
