"""End to end: ``python app.py`` in a subprocess, driven by gradio_client, on the loopback stand-in.

The app gets a fake server key and the stand-in's URL through the environment, exactly as a Space
gets its secrets. Every wait is bounded; the whole file runs in well under 90 s.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from tests.apps import ROOT, app_environment, running_app
from tests.apps import free_port as free_port  # re-exported: tests/ui/test_browser.py imports it from here
from tests.apps import wait_for as wait_for  # re-exported for tests/ui/test_browser.py too

EXAMPLE = ROOT / "examples" / "golden_street.jpg"
SERVER_KEY = "fake-server-key-for-tests"
VISITOR_KEYS = ("fake-visitor-key-0000", "fake-visitor-key-1111")
PROMPT = "A slow dolly-in along the golden-hour street"
pytestmark = pytest.mark.timeout(60)  # each test; the app's start-up is part of the first one


def fp(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


class App:
    """The launched app: its URL, its folders and its log."""

    def __init__(self, url: str, home: Path, log: Path) -> None:
        self.url, self.home, self.log = url, home, log

    def client(self, key: str | None = None) -> Client:
        headers = {"x-api-key": key} if key else None
        return Client(self.url, headers=headers, verbose=False, download_files=str(self.home / "downloads"))


@pytest.fixture(scope="module")
def app(offline_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The app on a free loopback port, with the server key and the stand-in's URL in its environment."""
    home = tmp_path_factory.mktemp("app")
    env = app_environment(home, base_url=offline_server.base_url, server_key=SERVER_KEY, hourly_limit=50)
    with running_app(home, env) as launched:
        yield App(launched.url, home, launched.log)


def video_path(output: Any) -> Path:
    return Path(output["video"] if isinstance(output, dict) else output)


def decoded_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_generate_returns_a_video_of_121_frames(app: App, standin: Any) -> None:
    video, facts = app.client().predict(PROMPT, handle_file(str(EXAMPLE)), -1, 121, "", api_name="/generate")
    assert decoded_frames(video_path(video)) == 121
    assert facts["frames"] == 121 and facts["seed"] >= 0 and facts["request_id"]
    (job,) = standin.stats()["jobs"].values()
    assert job["token_fp"] == fp(SERVER_KEY) and job["seed"] == facts["seed"]


def test_public_api_is_one_documented_endpoint(app: App) -> None:
    config = httpx.get(f"{app.url}config", timeout=10).json()
    assert config["run_history"] is False and config["analytics_enabled"] is False
    info = httpx.get(f"{app.url}gradio_api/info", timeout=10).json()
    assert set(info["named_endpoints"]) == {"/generate", "/generate_video", "/get_job", "/estimate"}
    assert not info["unnamed_endpoints"]
    params = [p["parameter_name"] for p in info["named_endpoints"]["/generate"]["parameters"]]
    assert params == ["prompt", "image", "seed", "frames", "image_url"]


def test_cancel_while_queued_cancels_the_job(app: App, standin: Any) -> None:
    standin.configure(queue_s=30)
    job = app.client().submit(PROMPT, handle_file(str(EXAMPLE)), -1, 121, "", api_name="/generate")
    wait_for(lambda: any(out[1].get("state") == "queued" for out in job.outputs()), 20, "a queued state")
    job.cancel()
    stats = wait_for(
        lambda: [j for j in standin.stats()["jobs"].values() if j["state"] == "cancelled"],
        15,
        "the stand-in to see the cancel",
    )
    assert len(stats) == 1


@pytest.mark.parametrize(("name", "words"), [("small.png", "200"), ("notes.jpg", "Not sent")])
def test_refused_image_is_a_clear_message_and_nothing_is_sent(
    app: App, standin: Any, name: str, words: str
) -> None:
    path = app.home / name
    if name == "small.png":
        buf = io.BytesIO()
        Image.new("RGB", (200, 200), "orange").save(buf, "PNG")
        path.write_bytes(buf.getvalue())
    else:  # not a picture at all, whatever its name says: Gradio must not choke on it before we judge it
        path.write_text("meeting notes, definitely not a JPEG\n")
    with pytest.raises(AppError) as refused:
        app.client().predict(PROMPT, handle_file(str(path)), -1, 121, "", api_name="/generate")
    message = str(refused.value)
    assert message.startswith("Not sent") and words in message and "Traceback" not in message
    assert "verbose error reporting" not in message  # our sentence, not Gradio's generic one
    assert standin.stats()["submissions"] == 0


def test_failed_job_names_the_request_id(app: App, standin: Any) -> None:
    standin.configure(fail_next=1, queue_s=0, run_s=0)
    with pytest.raises(AppError) as failed:
        app.client().predict(PROMPT, handle_file(str(EXAMPLE)), -1, 121, "", api_name="/generate")
    (rid,) = standin.stats()["jobs"]
    assert f"request id {rid}" in str(failed.value) and "failed" in str(failed.value)


def test_two_visitors_each_use_their_own_key_at_the_same_time(app: App, standin: Any) -> None:
    standin.configure(queue_s=0.5, run_s=1.0)
    results: dict[str, Any] = {}

    def visit(key: str) -> None:
        results[key] = app.client(key).predict(
            PROMPT, handle_file(str(EXAMPLE)), 7, 121, "", api_name="/generate"
        )

    threads = [threading.Thread(target=visit, args=(key,)) for key in VISITOR_KEYS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert set(results) == set(VISITOR_KEYS)
    jobs = list(standin.stats()["jobs"].values())
    assert sorted(j["token_fp"] for j in jobs) == sorted(fp(k) for k in VISITOR_KEYS)
    # Both ran at once: the second started before the first finished (no queue of one).
    assert max(j["created_at"] for j in jobs) < min(j["finished_at"] for j in jobs)


def test_no_key_appears_anywhere(app: App, standin: Any) -> None:
    standin.configure(queue_s=0.2, run_s=0.2)
    visitor = VISITOR_KEYS[0]
    headers = {"x-api-key": visitor}
    with httpx.Client(base_url=app.url, headers=headers, timeout=30) as http:
        config = http.get("config").text
        info = http.get("gradio_api/info").text
        upload = http.post("gradio_api/upload", files={"files": EXAMPLE.open("rb")}).json()[0]
        image = {"path": upload, "meta": {"_type": "gradio.FileData"}}
        event = http.post("gradio_api/call/generate", json={"data": [PROMPT, image, -1, 121, ""]}).json()
        stream = http.get(f"gradio_api/call/generate/{event['event_id']}").text
    assert "event: complete" in stream and json.loads(stream.split("data: ")[-1])[1]["frames"] == 121
    assert standin.stats()["jobs"] and all(
        j["token_fp"] == fp(visitor) for j in standin.stats()["jobs"].values()
    )
    for text in (config, info, stream):
        assert SERVER_KEY not in text and visitor not in text
    for path in app.home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SERVER_KEY.encode() not in data and visitor.encode() not in data, path
