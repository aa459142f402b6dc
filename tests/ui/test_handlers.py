"""The page's handlers, called directly (no Gradio server) against the offline stand-in.

Most tests use the loopback stand-in (``standin``) so its stats show what really reached the API:
submissions, job states, and each job's token fingerprint. One uses the in-process stand-in that
``connect()`` builds when there is no key. Each scenario runs in its own ``asyncio.run``.
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from PIL import Image

from client import Settings
from client.dreamina import InputRefused, prepare_image
from client.jobs import OFFLINE_TOKEN, Cancelled, Connection, PollPlan, Routes, connect
from client.offline import OfflineConfig
from client.runcomfy import (
    APIRefused,
    AuthError,
    ConnectionFailed,
    DownloadFailed,
    JobTimedOut,
    NotFound,
    RateLimited,
    RetryPolicy,
    RunComfyError,
    Secret,
    SubmitUncertain,
)
from tests.apps import ROOT
from ui.api_panel import code_for
from ui.build import build_app, launch_options
from ui.cards import url_check_html
from ui.endpoint import ApiEndpoint
from ui.form_panel import FormHandlers
from ui.handlers import Playground
from ui.hosting import PublicImageHost
from ui.key_panel import KeyHandlers
from ui.screens import KEEP, Screen, error_sentence
from ui.session import VisitorSession
from ui.texts import pick_language
from ui.visitors import HourlyLimit, visitor_id

EXAMPLE = str(ROOT / "examples" / "golden_street.jpg")
SERVER_KEY = "fake-server-key-0000"
VISITOR_KEY = "fake-visitor-key-0000"
FAST = PollPlan.fixed(0.05)
QUICK_RETRY = RetryPolicy(attempts=2, base_delay_s=0.02, max_delay_s=0.05, max_retry_after_s=0.1)
PROMPT = "A slow dolly-in along the golden-hour street"
pytestmark = pytest.mark.timeout(60)


def fp(token: str) -> str:
    """The stand-in's token fingerprint."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def request(lang: str = "en-US", host: str = "10.0.0.1", **headers: str) -> gr.Request:
    """A request as Gradio would pass it, with lower-case header names."""
    return gr.Request(headers={"accept-language": lang, **headers}, client={"host": host})


def client_for(standin: Any, tmp_path: Path, token: str | None, *, offline: bool = False) -> Connection:
    return Connection(
        token,
        standin.base_url,
        poll=FAST,
        retry=QUICK_RETRY,
        deadline_s=30,
        outputs_dir=tmp_path,
        offline=offline,
    )


def playground(
    standin: Any, tmp_path: Path, *, server_key: str | None = SERVER_KEY, limit: int = 20
) -> Playground:
    """A Playground on the loopback stand-in: the server's key, or 'offline' when ``server_key`` is None."""
    main = client_for(standin, tmp_path, server_key or OFFLINE_TOKEN, offline=server_key is None)
    real = main if server_key else client_for(standin, tmp_path, None)
    return Playground(Routes(main, real), limiter=HourlyLimit(limit), tick_s=0.2)


def form(**overrides: Any) -> dict[str, Any]:
    values = {
        "prompt": PROMPT,
        "image": EXAMPLE,
        "image_url": "",
        "source": "upload",
        "seed": 1234,
        "random_seed": False,
        "frames": 121,
    }
    return values | overrides


async def run_all(gen: AsyncIterator[Screen]) -> list[Screen]:
    return [screen async for screen in gen]


def scenario(make: Callable[[], Awaitable[Any]], timeout: float = 30) -> Any:
    return asyncio.run(asyncio.wait_for(make(), timeout))


def png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buf, "PNG")
    return buf.getvalue()


def test_generate_streams_each_state_to_the_video(standin: Any, tmp_path: Path) -> None:
    async def go() -> list[Screen]:
        play = playground(standin, tmp_path)
        return await run_all(play.generate(**form(), session=VisitorSession(), request=request()))

    screens = scenario(go)
    kinds = [s.kind for s in screens]
    assert kinds[0] == "working" and kinds[-1] == "done"
    order = [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]]
    assert order == ["working", "queued", "running", "downloading", "done"]
    assert "ahead of you" in next(s.text for s in screens if s.kind == "queued")
    final = screens[-1]
    assert Path(final.video).is_file() and final.download == final.video
    assert "121 frames" in final.facts and "seed 1234" in final.facts
    assert final.request_id and final.request_id in final.status
    assert screens[1].seed == 1234
    assert screens[0].video is None and screens[0].facts == ""  # the previous result is cleared at once


def test_offline_in_process_random_seed_is_shown(tmp_path: Path) -> None:
    async def go() -> list[Screen]:
        settings = Settings.load(env={}, dotenv_path=None, outputs_dir=tmp_path)
        client = connect(settings, offline_config=OfflineConfig(queue_s=0.1, run_s=0.1, start_position=1))
        client.poll = FAST
        play = Playground(Routes(client, client), limiter=HourlyLimit(1), tick_s=0.2)
        session = VisitorSession()
        return await run_all(play.generate(**form(random_seed=True), session=session, request=request("fr")))

    screens = scenario(go)
    used = next(s.seed for s in screens if s.seed is not KEEP)
    assert 0 <= used <= 2**31 - 1
    assert screens[-1].kind == "done" and f"graine {used}" in screens[-1].facts
    assert "aperçu hors ligne" in screens[-1].status  # French, and the offline mode is named


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"image": "SMALL"}, "width 200 px"),
        ({"prompt": "x" * 801}, "801 characters"),
        ({"image": None}, "add an image"),
        ({"source": "url", "image_url": "http://example.com/a.jpg"}, "must be https"),
    ],
)
def test_refused_input_is_one_sentence_and_nothing_is_sent(
    standin: Any, tmp_path: Path, overrides: dict, expected: str
) -> None:
    if overrides.get("image") == "SMALL":
        small = tmp_path / "small.png"
        small.write_bytes(png(200, 200))
        overrides = {"image": str(small)}

    async def go() -> list[Screen]:
        play = playground(standin, tmp_path)
        return await run_all(play.generate(**form(**overrides), session=VisitorSession(), request=request()))

    screens = scenario(go)
    assert screens[-1].kind == "failed" and expected in screens[-1].text
    assert "Traceback" not in screens[-1].status
    assert standin.stats()["submissions"] == 0


def test_failed_job_shows_the_reason_and_request_id(standin: Any, tmp_path: Path) -> None:
    standin.configure(fail_next=1)

    async def go() -> list[Screen]:
        play = playground(standin, tmp_path)
        return await run_all(play.generate(**form(), session=VisitorSession(), request=request()))

    final = scenario(go)[-1]
    assert final.kind == "failed" and "fail_next" in final.text
    assert final.request_id and final.request_id in final.status
    assert final.video is KEEP  # nothing to show, and nothing is invented


async def until(gen: AsyncIterator[Screen], kind: str) -> tuple[asyncio.Task[None], list[Screen]]:
    """Consume ``gen`` in a task (as Gradio does) until a Screen of ``kind`` arrives."""
    seen: list[Screen] = []
    arrived = asyncio.Event()

    async def consume() -> None:
        async for screen in gen:
            seen.append(screen)
            if screen.kind == kind:
                arrived.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(arrived.wait(), 15)
    return task, seen


def test_cancel_while_queued_cancels_the_job(standin: Any, tmp_path: Path) -> None:
    standin.configure(queue_s=30)

    async def go() -> tuple[list[Screen], Any]:
        play = playground(standin, tmp_path)
        session = VisitorSession()
        task, _ = await until(play.generate(**form(), session=session, request=request()), "queued")
        task.cancel()  # what Gradio's cancels= does to the Generate event
        screens = await run_all(play.cancel(session=session, request=request()))
        live = session.attempt.live
        await asyncio.wait_for(live.task, 10)  # the pump then sees the cancelled state by itself
        return screens, live

    screens, live = scenario(go)
    assert screens[-1].kind == "cancelled" and "nothing is billed" in screens[-1].text
    assert isinstance(live.last, Cancelled)
    assert standin.stats()["jobs"][live.request_id]["state"] == "cancelled"


def test_cancel_while_running_keeps_the_job_and_delivers_the_video(standin: Any, tmp_path: Path) -> None:
    standin.configure(queue_s=0.1, run_s=1.5)

    async def go() -> list[Screen]:
        play = playground(standin, tmp_path)
        session = VisitorSession()
        task, _ = await until(play.generate(**form(), session=session, request=request()), "running")
        task.cancel()
        return await run_all(play.cancel(session=session, request=request()))

    screens = scenario(go)
    assert any("cannot stop" in s.text and "billed" in s.text for s in screens)
    assert screens[-1].kind == "done" and Path(screens[-1].video).is_file()
    (job,) = standin.stats()["jobs"].values()
    assert job["state"] == "completed"


def test_cancel_before_anything_is_sent(standin: Any, tmp_path: Path) -> None:
    async def go() -> tuple[list[Screen], list[Screen]]:
        play = playground(standin, tmp_path)
        session = VisitorSession()
        gen = play.generate(**form(), session=session, request=request())
        first = [await anext(gen)]  # the handler has started; nothing is sent yet
        stopped = await run_all(play.cancel(session=session, request=request()))
        return first + await run_all(gen), stopped

    screens, stopped = scenario(go)
    assert stopped[-1].kind == "cancelled" and "before anything was sent" in stopped[-1].text
    assert screens[-1].kind == "cancelled"
    assert standin.stats()["submissions"] == 0


def test_hourly_limit_applies_to_the_server_key_only(standin: Any, tmp_path: Path) -> None:
    standin.configure(queue_s=0, run_s=0)

    async def go() -> tuple[list[str], str, str]:
        play = playground(standin, tmp_path, limit=2)
        kinds = []
        for _ in range(3):
            screens = await run_all(play.generate(**form(), session=VisitorSession(), request=request()))
            kinds.append(screens[-1].kind)
        refused = screens[-1].text
        other = await run_all(
            play.generate(**form(), session=VisitorSession(), request=request(host="10.0.0.2"))
        )
        byo = VisitorSession(key=Secret(VISITOR_KEY))
        mine = await run_all(play.generate(**form(), session=byo, request=request()))
        return kinds, refused, other[-1].kind + "/" + mine[-1].kind

    kinds, refused, others = scenario(go, timeout=60)
    assert kinds == ["done", "done", "notice"]
    assert "2 generations in the last hour" in refused and "your own RunComfy key" in refused
    assert others == "done/done"  # another visitor, and the same visitor with their own key
    assert standin.stats()["submissions"] == 4


def test_hourly_limit_window_slides_and_gives_back() -> None:
    now = [1000.0]
    limit = HourlyLimit(2, clock=lambda: now[0])
    assert limit.take("a").allowed and limit.take("a").allowed
    verdict = limit.take("a")
    assert not verdict.allowed and verdict.retry_after_min == 60
    now[0] += 1800
    limit.give_back("a")
    assert limit.take("a").allowed and not limit.take("a").allowed
    now[0] += 1801
    assert limit.take("a").allowed and not limit.take("a").allowed  # one use left in the window: one more


def test_visitor_keys_reach_the_api_as_the_visitors_own(standin: Any, tmp_path: Path) -> None:
    standin.configure(queue_s=0, run_s=0)

    async def go() -> None:
        # The server has no key (offline), yet a visitor's own key goes to the real API.
        play = playground(standin, tmp_path, server_key=None)
        keys = KeyHandlers(play)
        session = VisitorSession()
        box, note = await keys.set_key(f"  {VISITOR_KEY}\n", session, request())
        assert box == "" and "your own key" in note.lower() and VISITOR_KEY not in repr(session)
        screens = await run_all(play.generate(**form(), session=session, request=request()))
        assert screens[-1].kind == "done" and "your key" in screens[-1].status
        api = [
            out
            async for out in ApiEndpoint(play).generate(
                prompt=PROMPT, image=EXAMPLE, request=request(**{"x-api-key": "fake-visitor-key-1111"})
            )
        ]
        assert api[-1][1]["frames"] == 121
        box, note = keys.forget_key(session, request())
        assert session.key is None and "offline preview" in note

    scenario(go)
    fingerprints = [job["token_fp"] for job in standin.stats()["jobs"].values()]
    assert sorted(fingerprints) == sorted([fp(VISITOR_KEY), fp("fake-visitor-key-1111")])


def test_server_key_is_used_when_the_visitor_has_none(standin: Any, tmp_path: Path) -> None:
    standin.configure(queue_s=0, run_s=0)

    async def go() -> tuple[str | None, dict]:
        play = playground(standin, tmp_path)
        outputs = [
            out
            async for out in ApiEndpoint(play).generate(
                prompt=PROMPT, image=EXAMPLE, seed=-1, frames=121, request=request()
            )
        ]
        return outputs[-1]

    video, facts = scenario(go)
    assert Path(video).is_file() and facts["frames"] == 121 and facts["seed"] >= 0
    (job,) = standin.stats()["jobs"].values()
    assert job["token_fp"] == fp(SERVER_KEY)


def test_api_errors_are_sentences_with_the_request_id(standin: Any, tmp_path: Path) -> None:
    standin.configure(fail_next=1, queue_s=0, run_s=0)

    async def go(**kw: Any) -> None:
        play = playground(standin, tmp_path)
        async for _ in ApiEndpoint(play).generate(request=request(), **kw):
            pass

    with pytest.raises(gr.Error) as failed:
        scenario(lambda: go(prompt=PROMPT, image=EXAMPLE))
    (rid,) = standin.stats()["jobs"]
    assert f"request id {rid}" in failed.value.message and "fail_next" in failed.value.message
    with pytest.raises(gr.Error) as refused:
        scenario(lambda: go(prompt="", image=EXAMPLE))
    assert "prompt is empty" in refused.value.message and standin.stats()["submissions"] == 1


def test_code_panel_never_holds_a_key(standin: Any, tmp_path: Path) -> None:
    play = playground(standin, tmp_path)
    code = code_for("https://model-api.runcomfy.net/v1")
    asyncio.run(KeyHandlers(play).set_key(VISITOR_KEY, VisitorSession(), request()))
    curl, python = code(PROMPT + " it's", "upload", "", 7, False, 241)
    for text in (curl, python):
        assert VISITOR_KEY not in text and SERVER_KEY not in text
        assert "<your image URL or data URI>" in text and "RUNCOMFY_API_TOKEN" in text and "241" in text
    ast.parse(python)
    curl, python = code(PROMPT, "url", "https://example.com/a.jpg", 7, True, 121)
    assert '"https://example.com/a.jpg"' in python and '"seed": -1' in python and "base64" not in curl


def test_check_panels(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    Image.new("RGB", (6000, 4000), (10, 20, 30)).save(big)
    own = connect(Settings.load(env={}, dotenv_path=None))
    play = Playground(Routes(own, None), limiter=HourlyLimit(1))  # type: ignore[arg-type]
    html = FormHandlers(play).check_image(str(big), request())
    assert "6000 x 4000" in html and "4096x2731" in html and "PNG" in html
    evil = url_check_html('https://x.example/a.jpg" onerror="alert(1)', "en", offline=True)
    assert 'onerror="' not in evil and "public https hosts" in evil


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (InputRefused("ratio 4.00: must be less than 3", rule="ratio"), "Not sent: ratio 4.00"),
        (AuthError("401 from RunComfy"), "refused the API key"),
        (NotFound("gone"), "no longer knows"),
        (RateLimited("429"), "limiting requests"),
        (APIRefused("no money", error_code=400002, reason="balance"), "no balance"),
        (APIRefused("bad frames", status_code=422), "refused the job: bad frames"),
        (JobTimedOut("slow", request_id="r1"), "look it up later"),
        (SubmitUncertain("maybe"), "Recover by request id"),
        (ConnectionFailed("httpx.ConnectError: [Errno 111]"), "Could not reach RunComfy"),
        (DownloadFailed("boom", url="https://cdn.example/v.mp4"), "https://cdn.example/v.mp4"),
        (DownloadFailed("HTTP 403", url="https://cdn.example/v.mp4", reason="expired"), "link has expired"),
        (RunComfyError("unexpected"), "went wrong on our side"),
    ],
)
def test_each_error_has_its_own_sentence(error: RunComfyError | InputRefused, words: str) -> None:
    sentence = error_sentence(error, "en")
    assert words in sentence and "Errno" not in sentence and "Traceback" not in sentence
    assert error_sentence(error, "fr") != sentence


def test_visitors_languages_and_launch_settings() -> None:
    assert (
        visitor_id({"x-forwarded-for": "203.0.113.9, 10.0.0.1"}, "10.0.0.1", behind_proxy=True)
        == "203.0.113.9"
    )
    assert visitor_id({"x-forwarded-for": "203.0.113.9"}, "127.0.0.1", behind_proxy=False) == "127.0.0.1"
    assert pick_language("fr-CA,fr;q=0.9,en;q=0.8") == "fr"
    assert pick_language("de-DE,en;q=0.5,fr;q=0.4") == "en"
    assert pick_language(None) == "en"
    settings = Settings.load(env={}, dotenv_path=None)
    local, space = launch_options(settings, on_space=False), launch_options(settings, on_space=True)
    assert (local["server_name"], space["server_name"]) == ("127.0.0.1", "0.0.0.0")
    assert local["run_history"] is False and local["share"] is False
    assert local["mcp_server"] is True  # RUNCOMFY_MCP is on by default: generate_video, get_job, estimate
    assert isinstance(local["max_file_size"], int) and local["max_file_size"] >= 50_000_000
    assert local["allowed_paths"] == []  # videos reach pages through Gradio's cache only
    public = Settings.load(env={"RUNCOMFY_PUBLIC_URL": "https://me.example"}, dotenv_path=None)
    inputs = (public.outputs_dir / "inputs").resolve()
    assert launch_options(public, on_space=True)["allowed_paths"] == [str(inputs)]


def test_build_demo_has_one_public_endpoint_and_its_own_limiter(tmp_path: Path) -> None:
    settings = Settings.load(env={}, dotenv_path=None, outputs_dir=tmp_path, hourly_limit=3)
    first, second = build_app(settings), build_app(settings)
    visibility = {d["api_name"]: d["api_visibility"] for d in first.demo.config["dependencies"]}
    public = {name for name, seen in visibility.items() if seen == "public"}
    assert public == {"generate", "generate_video", "get_job", "estimate"}  # /generate and the MCP tools
    assert {seen for name, seen in visibility.items() if name not in public} == {"private"}
    assert first.play.limiter.limit == 3 and first.play.limiter is not second.play.limiter
    assert first.play.routes.own.offline and not first.play.routes.real.offline
    ids = {c.get("props", {}).get("elem_id") for c in first.demo.config["components"]}
    assert {"prompt", "image-upload", "tab-url", "image-url", "seed", "seed-random", "frames", "generate",
            "cancel", "status", "request-id", "video", "facts", "download", "key-box"} <= ids


def test_public_image_host_serves_prepared_uploads_by_content(tmp_path: Path) -> None:
    host = PublicImageHost("https://my-space.hf.space/", tmp_path / "inputs")
    image = prepare_image(Path(EXAMPLE))
    url = host(image)
    assert url.startswith("https://my-space.hf.space/gradio_api/file=") and url.endswith(".jpg")
    (stored,) = (tmp_path / "inputs").iterdir()
    assert stored.read_bytes() == image.data and host(image) == url
