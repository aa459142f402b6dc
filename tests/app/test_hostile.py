"""Hostile input: bad images, bombs and big decodes, image URLs, prompts that look like code, and
Gradio's own file route. Through the public ``/generate`` (gradio_client), the page's handlers and a
real browser, against the loopback stand-in. A refused input must reach nobody: the stand-in's
submission counter is the witness. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from client.jobs import Connection, PollPlan, Routes
from client.offline import FetchError, fetch_image
from tests import image_corpus as corpus
from tests.app.test_reliability import (
    EXAMPLE,
    PROMPT,
    SERVER_KEY,
    AppProcess,
    latency_probe,
    launch_app,
    report_loop_lag,
)
from tests.apps import ROOT, chromium
from ui.form_panel import FormHandlers
from ui.handlers import Playground
from ui.hosting import RefuseRemoteFiles
from ui.session import VisitorSession
from ui.visitors import HourlyLimit

pytestmark = pytest.mark.timeout(120)
DOTENV_SECRET = "fake-dotenv-SECRET-3333"


def hostile_images() -> dict[str, tuple[bytes, str]]:
    """File name -> (content, words its refusal must contain). Names lie on purpose; content decides."""
    photo = corpus.encode(corpus.noise(600, 500), "JPEG")
    return {
        "tiny.png": (corpus.solid(200, 200), "must be more than 320"),
        "sliver.jpg": (corpus.solid(1100, 340, "JPEG"), "ratio"),
        "notes.jpg": (corpus.TEXT, "file is text"),
        "page.png": (corpus.HTML, "file is HTML"),
        "drawing.png": (corpus.SVG, "file is SVG"),
        "report.jpg": (b"%PDF-1.7\n" + bytes(range(256)), "file is PDF"),
        "noise.png": (bytes(range(256)) * 4, "not an image we can read"),
        "empty.jpg": (b"", "empty"),
        "moving.gif": (corpus.animated_gif(), "animated GIF"),
        "moving.png": (corpus.apng(), "animated PNG"),
        "moving.webp": (corpus.animated_webp(), "animated WebP"),
        "claims-50000.png": (corpus.png_bomb(50_000, 50_000), "2,500,000,000 pixels"),
        "bomb-9000.png": (corpus.png_bomb(9_000, 9_000, real=True), "81,000,000 pixels"),
        "cut.jpg": (photo[: len(photo) * 6 // 10], "truncated or damaged"),
    }


def big_cut_png() -> bytes:
    """A 4096x4096 PNG cut at 90 %: the header passes, so the whole decode runs before the refusal."""
    picture = corpus.noise(1024, 1024).resize((4096, 4096), Image.Resampling.NEAREST)
    data = corpus.encode(picture, "PNG", compress_level=1)
    return data[: len(data) * 9 // 10]


@pytest.fixture(scope="module")
def app(offline_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The app, with a fake ``.env`` in its working folder and the network audit hook on."""
    home = tmp_path_factory.mktemp("hostile")
    (home / ".env").write_text(f"RUNCOMFY_HOURLY_LIMIT=1000\n# {DOTENV_SECRET}\n")
    with launch_app(offline_server.base_url, home, audit=True) as launched:
        yield launched


@pytest.fixture(scope="module")
def visitor(app: AppProcess) -> Client:
    """One gradio_client visitor, reused (its session is cheap to keep, costly to make)."""
    return app.client()


def generate(visitor: Client, image: Path | None, prompt: str = PROMPT, image_url: str = "") -> Any:
    """One /generate call."""
    file = handle_file(str(image)) if image is not None else None
    return visitor.predict(prompt, file, -1, 121, image_url, api_name="/generate")


# --- images through /generate and through the page's handlers -------------------------------------


def test_each_hostile_image_gets_its_own_message_through_generate(
    visitor: Client, standin: Any, tmp_path: Path
) -> None:
    for name, (data, words) in hostile_images().items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(AppError) as refused:
            generate(visitor, path)
        text = str(refused.value)
        assert text.startswith("Not sent") and words in text, (name, text)
        assert "Traceback" not in text and "verbose error" not in text, (name, text)
    assert standin.stats()["submissions"] == 0


def test_each_hostile_image_gets_its_own_message_through_the_handlers(standin: Any, tmp_path: Path) -> None:
    async def scenario() -> list[tuple[str, str, str, str]]:
        conn = Connection(SERVER_KEY, standin.base_url, poll=PollPlan.fixed(0.05), outputs_dir=tmp_path)
        play = Playground(Routes(conn, conn), limiter=HourlyLimit(100), tick_s=0.2)
        form = FormHandlers(play)
        request = gr.Request(headers={"accept-language": "en"}, client={"host": "10.0.0.9"})
        seen = []
        try:
            for name, (data, words) in hostile_images().items():
                path = tmp_path / name
                path.write_bytes(data)
                screens = [s async for s in play.generate(
                    PROMPT, str(path), "", "upload", 7, False, 121, VisitorSession(), request)]
                panel = await asyncio.to_thread(form.check_image, str(path), request)
                seen.append((name, words, screens[-1].kind + " " + screens[-1].text, panel))
        finally:
            await conn.aclose()
        return seen

    for name, words, final, panel in asyncio.run(scenario()):
        assert final.startswith("failed") and "Not sent" in final and words in final, (name, final)
        if name != "cut.jpg":  # truncation shows only when decoding; the live panel reads headers
            assert words.split(" ")[0] in panel, (name, panel)
    assert standin.stats()["submissions"] == 0


def test_an_upload_over_the_size_cap_is_refused_at_the_door(visitor: Client, tmp_path: Path) -> None:
    path = tmp_path / "huge.jpg"
    with path.open("wb") as sparse:
        sparse.write(corpus.solid(800, 600, "JPEG"))
        sparse.truncate(60_000_000)  # over the app's 50 MB upload cap; sparse, so it costs no disk
    with pytest.raises(Exception) as refused:
        generate(visitor, path)
    assert "50" in str(refused.value) or "too large" in str(refused.value).lower(), str(refused.value)


def test_big_decodes_and_bombs_do_not_hold_up_other_visitors(
    app: AppProcess, standin: Any, tmp_path: Path
) -> None:
    big = tmp_path / "big-4096.png"
    big.write_bytes(big_cut_png())
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(corpus.png_bomb(9_000, 9_000, real=True))
    uploads = [big, big, big, bomb]
    messages: list[str] = []

    def upload(path: Path) -> None:
        try:
            generate(app.client(), path)
        except AppError as exc:
            messages.append(str(exc))

    with latency_probe(app.url, app.home / "probe-decode") as probed:
        start = time.time()
        threads = [threading.Thread(target=upload, args=(path,)) for path in uploads]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        end = time.time()
    assert len(messages) == 4 and all(m.startswith("Not sent") for m in messages), messages
    assert sum("truncated or damaged" in m for m in messages) == 3
    assert sum("81,000,000 pixels" in m for m in messages) == 1
    assert standin.stats()["submissions"] == 0
    probe = probed[0]
    assert probe.errors == 0 and probe.page
    assert probe.worst(probe.page) < 1000 and probe.worst(probe.info) < 1000, (
        f"a fourth visitor waited {probe.worst(probe.page):.0f} ms for the page")
    report_loop_lag(app, start, end)


# --- image URLs: passed on, never fetched by the app ---------------------------------------------


def test_an_image_url_is_passed_on_and_never_fetched_by_the_app(
    app: AppProcess, visitor: Client, standin: Any
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as trap:
        trap.setblocking(False)
        urls = [f"https://127.0.0.1:{trap.getsockname()[1]}/photo.jpg", "https://images.example.test/photo.jpg"]
        before = len(app.network())
        for url in urls:
            with pytest.raises(AppError) as failed:
                generate(visitor, None, image_url=url)
            # The stand-in (playing RunComfy) refuses to fetch it: a failed job, as RunComfy would report.
            assert "could not fetch the image URL" in str(failed.value)
        with pytest.raises(BlockingIOError):
            trap.accept()  # nobody, app or stand-in, connected to the loopback address
    assert standin.stats()["submissions"] == 2  # passed on as given, for the API to fetch
    contacted = app.network()[before:]
    lookups = [entry for entry in contacted if entry[0] == "getaddrinfo"]
    assert not any("example.test" in entry[1] for entry in lookups), lookups
    standin_port = httpx.URL(standin.base_url).port
    remote = {entry[1] for entry in contacted if entry[0] == "connect"}
    assert remote <= {f"('127.0.0.1', {standin_port})"}, remote


def test_gradios_file_route_does_not_fetch_urls_either(app: AppProcess) -> None:
    before = len(app.network())
    reply = httpx.get(f"{app.url}gradio_api/file=https://images.example.test/cat.png", timeout=30)
    assert reply.status_code in (403, 404)
    assert not any("example.test" in " ".join(entry) for entry in app.network()[before:])


def test_refuse_remote_files_blocks_only_url_lookups() -> None:
    def ok(_request: Any) -> PlainTextResponse:
        return PlainTextResponse("served")

    inner = Starlette(routes=[Route("/{rest:path}", ok)])
    with TestClient(RefuseRemoteFiles(inner)) as http:
        for path in ("/gradio_api/file=https://a.example/x.png", "/gradio_api/file=http://10.0.0.1/x",
                     "/file=HTTPS://a.example/x", "/gradio_api/file=https%3A%2F%2Fa.example%2Fx.png",
                     "/gradio_api/file=//a.example/x.png"):
            reply = http.get(path)
            assert reply.status_code == 403 and "not fetched" in reply.text, path
        for path in ("/gradio_api/file=/tmp/gradio/abc/video.mp4", "/", "/config", "/gradio_api/info"):
            assert http.get(path).text == "served", path


def guard(**overrides: Any) -> dict[str, Any]:
    """fetch_image's keywords with fake DNS and a transport that records every request it is given."""
    names = {"cdn.example": ["93.184.216.34"], "mixed.example": ["93.184.216.34", "10.1.2.3"],
             "private.example": ["192.168.1.20"], "loop.example": ["127.0.0.1"], "v6loop.example": ["::1"],
             "linklocal.example": ["169.254.10.10"], "metadata.example": ["169.254.169.254"],
             "alibaba-meta.example": ["100.100.100.200"], "aws6-meta.example": ["fd00:ec2::254"],
             "cgnat.example": ["100.64.0.1"], "zero.example": ["0.0.0.0"]}
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        hops = {"/to-http": "http://cdn.example/a.png", "/to-creds": "https://u:p@cdn.example/a.png",
                "/to-private": "https://private.example/a.png", "/to-metadata": "https://metadata.example/",
                "/loop": "/loop"}
        if request.url.path in hops:
            return httpx.Response(302, headers={"Location": hops[request.url.path]})
        if request.url.path == "/endless":
            return httpx.Response(200, content=(bytes(65536) for _ in range(1000)))  # no Content-Length
        if request.url.path == "/slow":
            def trickle() -> Iterator[bytes]:
                for _ in range(50):
                    time.sleep(0.1)
                    yield b"x" * 100
            return httpx.Response(200, content=trickle())
        return httpx.Response(200, content=b"\x89PNG fine")

    kw = {"resolve": lambda host, port: names[host], "transport": httpx.MockTransport(handler),
          "max_bytes": 1_000_000, "deadline_s": 1.0, "max_redirects": 3}
    kw.update(overrides)
    kw["sent"] = sent
    return kw


@pytest.mark.parametrize(("url", "reason"), [
    ("http://cdn.example/a.png", "only https"),
    ("ftp://cdn.example/a.png", "only https"),
    ("https://user:secret@cdn.example/a.png", "credentials"),
    ("https://private.example/a.png", "not a public address"),
    ("https://mixed.example/a.png", "not a public address"),
    ("https://loop.example/a.png", "not a public address"),
    ("https://v6loop.example/a.png", "not a public address"),
    ("https://linklocal.example/a.png", "not a public address"),
    ("https://metadata.example/latest/meta-data", "not a public address"),
    ("https://alibaba-meta.example/", "not a public address"),
    ("https://aws6-meta.example/", "not a public address"),
    ("https://cgnat.example/a.png", "not a public address"),
    ("https://zero.example/a.png", "not a public address"),
    ("https://127.0.0.1/a.png", "not a public address"),
    ("https://[::ffff:169.254.169.254]/a.png", "not a public address"),
    ("https://10.0.0.1/a.png", "not a public address"),
])
def test_the_standins_fetch_refuses_before_connecting(url: str, reason: str) -> None:
    kw = guard()
    sent = kw.pop("sent")
    with pytest.raises(FetchError, match=reason):
        fetch_image(url, **kw)
    assert sent == []  # refused before any connection


@pytest.mark.parametrize(("path", "reason"), [
    ("/to-http", "only https"),
    ("/to-creds", "credentials"),
    ("/to-private", "not a public address"),
    ("/to-metadata", "not a public address"),
    ("/loop", "more than 3 redirects"),
    ("/endless", "larger than 1,000,000 bytes"),
    ("/slow", "longer than 1 s"),
])
def test_the_standins_fetch_checks_every_redirect_and_caps_size_and_time(path: str, reason: str) -> None:
    kw = guard()
    sent = kw.pop("sent")
    started = time.monotonic()
    with pytest.raises(FetchError, match=reason):
        fetch_image(f"https://cdn.example{path}", **kw)
    assert time.monotonic() - started < 5
    assert all(r.url.host == "93.184.216.34" for r in sent)  # only the checked, public address


def test_the_standins_fetch_pins_the_checked_address() -> None:
    kw = guard()
    sent = kw.pop("sent")
    assert fetch_image("https://cdn.example/ok.png", **kw) == b"\x89PNG fine"
    (request,) = sent
    assert request.url.host == "93.184.216.34" and request.headers["host"] == "cdn.example"


# --- prompts that look like code ------------------------------------------------------------------

SCRIPTY = [
    '<img src=x onerror="window.__pwned=1">',
    "<script>window.__pwned=1</script> A slow dolly-in",
    "שלום עולם: a slow pan across the market \u202eevil\u202c, right to left",
    "🎬🚀 A slow pan over 👩‍👩‍👧‍👦 under a 🏳️‍🌈 flag",
    "𝒜" * 800,
    "[click me](javascript:window.__pwned=1) {{7*7}} ${7*7} %s %n \\x00",
]


def test_prompts_that_look_like_code_are_sent_as_text_and_never_echoed_as_markup(
    app: AppProcess, standin: Any
) -> None:
    standin.configure(queue_s=0.1, run_s=0.1)
    with httpx.Client(base_url=app.url, timeout=60) as http:
        upload = http.post("gradio_api/upload", files={"files": EXAMPLE.open("rb")}).json()[0]
        image = {"path": upload, "meta": {"_type": "gradio.FileData"}}
        for prompt in SCRIPTY:
            event = http.post("gradio_api/call/generate", json={"data": [prompt, image, 5, 121, ""]}).json()
            stream = http.get(f"gradio_api/call/generate/{event['event_id']}").text
            assert "event: complete" in stream, stream[-500:]
            assert "<script" not in stream and "onerror" not in stream and "javascript:" not in stream
            final = json.loads(stream.split("data: ")[-1])
            assert final[1]["frames"] == 121
    sent = sorted(job["prompt"] for job in standin.stats()["jobs"].values())
    assert sent == sorted(p.strip() for p in SCRIPTY)  # exactly the text typed, nothing escaped twice


def test_a_prompt_of_801_astral_characters_is_refused_by_the_rule(visitor: Client, standin: Any) -> None:
    with pytest.raises(AppError) as refused:
        generate(visitor, EXAMPLE, prompt="𝒜" * 801)
    assert "prompt is 801 characters: must be at most 800" in str(refused.value)
    assert standin.stats()["submissions"] == 0


# What a successful injection would leave in the DOM: an element from the payload, an inline handler,
# or a script carrying the payload's marker.
INJECTED_JS = """() => ({
  imgX: document.querySelectorAll('img[src="x"]').length,
  onerror: document.querySelectorAll('[onerror]').length,
  scripts: [...document.scripts].filter((s) => s.textContent.includes('__pwned')).length,
})"""


HOSTILE_URL = 'https://x.example/"><img src=x onerror="window.__pwned=1">'
SHOWS_JS = "(text) => document.querySelector('#api-curl').innerText.includes(text)"
RECEIPT_JS = "() => document.querySelector('#request-id textarea, #request-id input')?.value ?? ''"
FINISHED_JS = f"""(before) => {{
  const receipt = ({RECEIPT_JS})();
  const headline = document.querySelector('#status .pg-head strong')?.innerText ?? '';
  return receipt && receipt !== before && /^(Done|Failed)$/.test(headline.trim());
}}"""


@pytest.mark.browser
def test_no_prompt_or_url_runs_as_script_in_the_page(app: AppProcess, standin: Any) -> None:
    standin.configure(queue_s=0.2, run_s=0.2)
    with chromium() as browser:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(app.url, wait_until="domcontentloaded")
        page.wait_for_selector("#generate", state="visible", timeout=30_000)
        page.click("#api-panel")  # open it, so the code panels render the prompt
        for prompt in SCRIPTY[:2]:
            page.fill("#prompt textarea", prompt)
            page.wait_for_function(SHOWS_JS, arg="__pwned", timeout=15_000)
            previous = page.evaluate(RECEIPT_JS)
            page.click("#generate")
            page.wait_for_function(FINISHED_JS, arg=previous, timeout=60_000)
        page.click("#tab-url-button")
        page.fill("#image-url input, #image-url textarea", HOSTILE_URL)
        page.wait_for_function("() => document.querySelector('#url-check').innerText.length > 0",
                               timeout=15_000)
        page.wait_for_timeout(500)
        pwned = page.evaluate("() => window.__pwned")
        injected = page.evaluate(INJECTED_JS)
        shown = page.evaluate("() => document.querySelector('#api-curl').innerText")
    assert pwned is None and dialogs == []
    assert injected == {"imgX": 0, "onerror": 0, "scripts": 0}, injected
    assert "onerror" in shown and "<script>" in shown  # shown as text, where the visitor can read it
    assert standin.stats()["submissions"] == 2


# --- Gradio's own file route ----------------------------------------------------------------------


def test_the_file_route_serves_nothing_outside_its_folders(
    app: AppProcess, visitor: Client, standin: Any
) -> None:
    standin.configure(queue_s=0.1, run_s=0.1)
    before = set((app.home / "outputs").glob("*.mp4"))  # earlier tests of this module made some too
    generate(visitor, EXAMPLE)  # a visitor's video now exists in outputs/ and in Gradio's cache
    (video,) = set((app.home / "outputs").glob("*.mp4")) - before
    cached = next((app.home / "gradio").rglob("*.mp4"))
    home, root = app.home, ROOT
    refused = [
        home / ".env", ".env", "/etc/passwd", "../../../../etc/passwd", home / "data" / "jobs.db",
        home / "data", root / "app.py", "app.py", root / "client" / "jobs" / "settings.py",
        f"{home}/outputs/../.env", f"{home}/outputs/../data/jobs.db", f"{home}/outputs/%2e%2e/.env",
        f"{home}/gradio/../.env", f"{home}/outputs", f"{home}/outputs/", f"{home}/gradio",
        cached.parent, f"{cached.parent}/../", f"{home}/gradio/0000/{video.name}",  # listing, guessing
        f"{home}/outputs/{'0' * 32}.mp4", f"{home}/outputs/../../{home.name}/.env", home / "app.log",
        video, f"outputs/{video.name}",  # the visitor's own video, by the path another could guess
        home / "tmp",
    ]
    with httpx.Client(base_url=app.url, timeout=30) as http:
        for target in refused:
            for prefix in ("gradio_api/file=", "file="):
                reply = http.get(f"{prefix}{target}")
                assert reply.status_code in (403, 404), (prefix, target, reply.status_code)
                assert DOTENV_SECRET not in reply.text and "root:" not in reply.text
        # What is served is a video whose exact, unguessable path a page was given.
        assert http.get(f"gradio_api/file={cached}").status_code == 200
