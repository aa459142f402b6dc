"""Secrets: a server key and a visitor key, looked for everywhere an outsider or the disk could see them.

The app runs with the server key in its environment (as a Space secret is given) and a visitor
brings theirs twice: in an ``x-api-key`` header through gradio_client and plain HTTP, and typed in
the page's key box in Chromium. Then everything an outsider can read (page HTML and DOM, /config,
/gradio_api/info, every streamed event of /generate, error texts, the browser's storage) and
everything the app wrote (its stdout/stderr, data and outputs folders, Gradio's uploads, its TMPDIR
and HOME) is searched for both keys, raw and base64-encoded. A positive control proves the search
would have found them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from tests.app.test_reliability import EXAMPLE, PROMPT, AppProcess, launch_app
from tests.apps import chromium

SERVER_SECRET = "fake-server-key-SECRET-1111"
VISITOR_SECRET = "fake-visitor-key-SECRET-2222"
SECRETS = (SERVER_SECRET, VISITOR_SECRET)
pytestmark = pytest.mark.timeout(180)


def fingerprint(token: str) -> str:
    """The stand-in's token fingerprint (which key a job was sent with)."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def needles() -> list[bytes]:
    """Each key as bytes, and base64 of it at the three alignments (a key inside any base64 blob)."""
    found: list[bytes] = []
    for secret in SECRETS:
        raw = secret.encode()
        found.append(raw)
        for pad in range(3):
            encoded = base64.b64encode(b"\0" * pad + raw)[4 if pad else 0:-4]
            found.append(encoded)
    return found


def leaks(data: bytes | str) -> list[bytes]:
    """The needles present in ``data``."""
    blob = data.encode() if isinstance(data, str) else data
    return [n for n in needles() if n in blob]


@pytest.fixture(scope="module")
def app(offline_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The app with the server key in its environment and its own HOME, TMPDIR and folders."""
    home = tmp_path_factory.mktemp("secrets")
    (home / "home").mkdir()
    with launch_app(offline_server.base_url, home, server_key=SERVER_SECRET,
                    env={"HOME": str(home / "home")}) as launched:
        yield launched


def test_the_search_finds_a_key_where_there_is_one(tmp_path: Path) -> None:
    blob = b"x" * 7 + base64.b64encode(b"prefix:" + VISITOR_SECRET.encode() + b":suffix") + b"y"
    assert leaks(blob) and leaks(f"Bearer {SERVER_SECRET}") and not leaks("nothing here")


def test_no_key_is_visible_from_outside_or_written_to_disk(app: AppProcess, standin: Any) -> None:
    standin.configure(queue_s=0.2, run_s=0.2)
    seen: dict[str, str] = {}
    with httpx.Client(base_url=app.url, timeout=60) as http:
        for path in ("", "config", "gradio_api/info", "gradio_api/info?all_endpoints=true"):
            seen[f"GET /{path}"] = http.get(path).text
        upload = http.post("gradio_api/upload", files={"files": EXAMPLE.open("rb")}).json()[0]
        image = {"path": upload, "meta": {"_type": "gradio.FileData"}}
        for who, headers in (("visitor", {"x-api-key": VISITOR_SECRET}), ("server", {})):
            event = http.post("gradio_api/call/generate", headers=headers,
                              json={"data": [PROMPT, image, -1, 121, ""]}).json()
            stream = http.get(f"gradio_api/call/generate/{event['event_id']}", headers=headers).text
            assert "event: complete" in stream, stream[-300:]
            seen[f"stream ({who} key)"] = stream

    # The same through gradio_client, keeping every streamed update, then three failures.
    visitor = app.client(VISITOR_SECRET)
    job = visitor.submit(PROMPT, handle_file(str(EXAMPLE)), -1, 121, "", api_name="/generate")
    job.result(timeout=60)
    seen["gradio_client updates"] = json.dumps([list(o) for o in job.outputs()], default=str)
    failures = {
        "refused key": {"tokens": [SERVER_SECRET]},
        "failed job": {"fail_next": 1},
        "lost submit": {"faults": [{"endpoint": "submit", "kind": "drop_after_submit", "times": 1}]},
    }
    for name, knobs in failures.items():
        standin.configure(**knobs)
        with pytest.raises(AppError) as failed:
            app.client(VISITOR_SECRET).predict(PROMPT, handle_file(str(EXAMPLE)), -1, 121, "",
                                               api_name="/generate")
        seen[f"error: {name}"] = str(failed.value)
        standin.reset()
        standin.configure(queue_s=0.2, run_s=0.2)

    for where, text in seen.items():
        assert not leaks(text), f"a key is visible in {where}"
    assert {j["token_fp"] for j in standin.stats()["jobs"].values()} <= {fingerprint(s) for s in SECRETS}
    assert_nothing_written(app)


DONE_JS = "() => (document.querySelector('#status .pg-head strong')?.innerText ?? '').trim() === 'Done'"
STORAGE_JS = "() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})"


@pytest.mark.browser
def test_a_key_typed_in_the_key_box_stays_out_of_the_page(app: AppProcess, standin: Any) -> None:
    standin.configure(queue_s=0.2, run_s=0.2)
    with chromium() as browser:
        page = browser.new_page()
        page.goto(app.url, wait_until="domcontentloaded")
        page.wait_for_selector("#generate", state="visible", timeout=30_000)
        page.click("#key-panel")
        page.fill("#key-box input, #key-box textarea", VISITOR_SECRET)
        page.click("#key-use")
        page.wait_for_function("() => document.querySelector('#key-status').innerText.length > 0",
                               timeout=15_000)
        page.click("#generate")
        page.wait_for_function(DONE_JS, timeout=60_000)
        box = page.input_value("#key-box input, #key-box textarea")
        dom = page.content()
        storage = page.evaluate(STORAGE_JS)
        cookies = json.dumps(page.context.cookies())
    assert box == ""  # emptied at once: the key lives only in the server-side session
    for where, text in (("DOM", dom), ("browser storage", storage), ("cookies", cookies)):
        assert not leaks(text), f"a key is visible in the {where}"
    (job,) = standin.stats()["jobs"].values()
    assert job["token_fp"] == fingerprint(VISITOR_SECRET)  # the typed key was the one used
    assert_nothing_written(app)


def assert_nothing_written(app: AppProcess) -> None:
    """No key in any file under the app's folders: log, data, outputs, uploads, TMPDIR, HOME."""
    files = [p for p in app.home.rglob("*") if p.is_file()]
    kinds = {p.relative_to(app.home).parts[0] for p in files}
    assert {"app.log", "data", "outputs", "gradio"} <= kinds, kinds  # the search covered real files
    for path in files:
        found = leaks(path.read_bytes())
        assert not found, f"{path.relative_to(app.home)} holds a key"
