"""The history panel: owners kept apart, reuse, delete, recover, retry, and a damaged database.

The app runs as ``python app.py`` in a subprocess on the loopback stand-in, shared (each browser
sees only its own jobs), and Chromium drives it through Playwright (page helpers in ``test_restart``,
the ``browser`` fixture in ``conftest``): two browser contexts are two visitors with two owner ids.
A few checks call the handlers directly.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import gradio as gr
import httpx
import pytest
from gradio_client import Client, handle_file
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from client import Settings
from client.dreamina import build_job
from client.history import JobStore, new_owner_id, open_store, valid_owner
from client.jobs import Connection, PollPlan
from client.media import read_job_tags
from client.offline import FaultRule
from tests.app.test_app_e2e import decoded_frames
from tests.app.test_restart import (
    EXAMPLE,
    SERVER_KEY,
    LaunchedApp,
    captions,
    generate,
    off_the_page_loop,
    open_page,
    refresh,
    select,
    wait_captions,
)
from tests.samples import photo
from ui.build import build_app
from ui.messages import MESSAGES
from ui.session import VisitorSession

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def shared_app(offline_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaunchedApp]:
    """The app, shared: each browser sees only its own jobs."""
    app = LaunchedApp(tmp_path_factory.mktemp("shared"), offline_server.base_url, shared=True).start()
    yield app
    app.stop()


# -- through the browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_two_browsers_never_see_each_others_jobs(shared_app: LaunchedApp, standin: Any, browser: Any) -> None:
    alice, bob = browser.new_context(), browser.new_context()
    a, b = open_page(alice, shared_app.url), open_page(bob, shared_app.url)
    generate(a, "Alice's harbour at dawn")
    generate(b, "Bob's street at night")
    api = Client(shared_app.url, verbose=False)
    api.predict("An API caller's clip", handle_file(str(EXAMPLE)), -1, 121, "", api_name="/generate")
    for page in (a, b):
        refresh(page)
    assert [c.split(" · ")[-1] for c in wait_captions(a, lambda c: len(c) == 1, "Alice's job")] == [
        "Alice's harbour at dawn"]
    assert [c.split(" · ")[-1] for c in wait_captions(b, lambda c: len(c) == 1, "Bob's job")] == [
        "Bob's street at night"]
    owners = {row["prompt"]: row["owner"] for row in shared_app.rows()}
    assert owners["An API caller's clip"] == "api"  # nobody's browser lists /generate results
    alice_id, bob_id = owners["Alice's harbour at dawn"], owners["Bob's street at night"]
    assert alice_id != bob_id and len(alice_id) >= 22 and len(bob_id) >= 22
    # Alice reloads: her browser storage keeps her owner id, so her job is still there.
    a.reload()
    a.wait_for_selector("#history-gallery .caption-label", timeout=30_000)
    assert len(captions(a)) == 1 and "Alice" in captions(a)[0]
    # Bob's receipt typed into Alice's recover box does not hand her Bob's job.
    bob_rid = next(r["request_id"] for r in shared_app.rows() if r["owner"] == bob_id)
    a.fill("#recover-id input, #recover-id textarea", bob_rid)
    a.click("#recover-go")
    a.wait_for_function("document.querySelector('#recover-status')?.innerText.includes('no longer knows')")
    refresh(a)
    assert len(captions(a)) == 1
    alice.close()
    bob.close()


@pytest.mark.browser
def test_reuse_settings_fills_the_form_and_delete_removes_the_job(
    shared_app: LaunchedApp, standin: Any, browser: Any
) -> None:
    context = browser.new_context()
    page = open_page(context, shared_app.url)
    page.click("#frames label:has-text('241')")
    generate(page, "A lighthouse beam sweeps the bay")
    wait_captions(page, lambda c: len(c) == 1 and c[0].startswith("Done"), "the finished job")
    row = next(r for r in shared_app.rows() if r["prompt"] == "A lighthouse beam sweeps the bay")
    rid = row["request_id"]
    assert (shared_app.data / "inputs" / f"{rid}.jpg").is_file()  # the very picture sent, for Reuse
    page.fill("#prompt textarea", "something else entirely")
    page.click("#frames label:has-text('121')")
    page.click("#seed-random input")
    select(page, "lighthouse")
    assert rid in page.inner_text("#history-facts")
    served = urljoin(shared_app.url, page.locator("#history-video video").get_attribute("src") or "")
    assert httpx.get(served).status_code == 200
    page.click("#history-reuse")
    page.wait_for_function("document.querySelector('#prompt textarea').value.includes('lighthouse')")
    assert page.input_value("#seed input") == str(row["seed"])
    assert not page.is_checked("#seed-random input")
    assert page.is_checked("#frames input[value='241']")
    image_src = page.locator("#image-upload img").first.get_attribute("src") or ""
    assert image_src.endswith(f"{rid}.jpg")
    video = Path(row["video_path"])
    assert video.is_file() and video.with_name(f"{rid}.poster.jpg").is_file()
    # Delete asks first, in a red button unlike Reuse's; "Keep it" changes nothing.
    assert page.locator("#history-delete").evaluate("b => getComputedStyle(b).backgroundColor") != \
        page.locator("#history-reuse").evaluate("b => getComputedStyle(b).backgroundColor")
    page.click("#history-delete")
    page.locator("#history-delete-yes").wait_for()
    page.click("#history-delete-no")
    page.locator("#history-delete-yes").wait_for(state="hidden")
    assert any(r["request_id"] == rid for r in shared_app.rows()) and video.is_file()
    page.click("#history-delete")
    page.click("#history-delete-yes")
    page.wait_for_function("document.querySelector('#history-note')?.innerText.includes('Deleted')")
    assert captions(page) == [] and "No jobs yet" in page.inner_text("#history-count")
    assert all(r["request_id"] != rid for r in shared_app.rows())
    assert not video.exists() and not (shared_app.data / "inputs" / f"{rid}.jpg").exists()
    assert httpx.get(served).status_code != 200  # nor its copy in Gradio's cache: gone means gone
    # Recovered by its id: one consistent state (ended, not "still on its way"; no leftover "Deleted.").
    page.fill("#recover-id input, #recover-id textarea", rid)
    page.click("#recover-go")
    page.wait_for_function("document.querySelector('#recover-status')?.innerText.includes('Recovered')",
                           timeout=30_000)
    assert page.inner_text("#history-note").strip() == ""
    assert MESSAGES["en"]["hist_followed"] not in page.inner_text("#history-facts")
    assert rid in page.inner_text("#history-facts")
    context.close()


@pytest.mark.browser
def test_a_jobs_link_reopens_it_for_its_owner_and_shows_nothing_to_anyone_else(
    shared_app: LaunchedApp, standin: Any, browser: Any
) -> None:
    mine, other = browser.new_context(), browser.new_context()
    page = open_page(mine, shared_app.url)
    generate(page, "A harbour at dawn, for the link")
    rid = page.input_value("#request-id textarea, #request-id input")
    link = page.locator("#facts a", has_text="link to this job")
    assert link.get_attribute("href") == f"?job={rid}"
    again = open_page(mine, f"{shared_app.url}?job={rid}")  # the same browser, later: the job is back
    receipt = "document.querySelector('#request-id textarea, #request-id input').value"
    again.wait_for_function(f"{receipt} === '{rid}'", timeout=20_000)
    assert again.locator("#video video").get_attribute("src")
    assert "Opened from its link" in again.inner_text("#status")
    stranger = open_page(other, f"{shared_app.url}?job={rid}")  # another browser: nothing at all
    stranger.wait_for_timeout(1500)
    assert stranger.input_value("#request-id textarea, #request-id input") == ""
    assert rid not in stranger.inner_text("body")
    mine.close()
    other.close()


@pytest.mark.browser
def test_recover_by_request_id_brings_a_job_into_this_browsers_history(
    shared_app: LaunchedApp, standin: Any, browser: Any
) -> None:
    async def submit_elsewhere() -> str:  # e.g. made with the same key from a script, answer lost
        async with Connection(SERVER_KEY, standin.base_url) as conn:
            job = build_job("Made outside the app", image=photo(800, 600), seed=5, frames=121)
            return (await conn.api.submit(job.request.payload())).request_id

    rid = off_the_page_loop(submit_elsewhere)
    mine, other = browser.new_context(), browser.new_context()
    page, stranger = open_page(mine, shared_app.url), open_page(other, shared_app.url)
    page.fill("#recover-id input, #recover-id textarea", f"  {rid}\n")
    page.click("#recover-go")
    page.wait_for_function("document.querySelector('#recover-status')?.innerText.includes('Recovered')",
                           timeout=30_000)
    assert page.locator("#history-video video").get_attribute("src")
    refresh(page)
    wait_captions(page, lambda c: len(c) == 1 and c[0].startswith("Done"), "the recovered job")
    row = next(r for r in shared_app.rows() if r["request_id"] == rid)
    assert row["state"] == "succeeded" and Path(row["video_path"]).is_file()
    refresh(stranger)
    assert captions(stranger) == []
    mine.close()
    other.close()


@pytest.mark.browser
def test_failed_download_keeps_the_request_id_and_retry_fetches_it(
    shared_app: LaunchedApp, standin: Any, browser: Any
) -> None:
    standin.configure(faults=[FaultRule("video", "403", times=1)])  # the link "expired" once
    context = browser.new_context()
    page = open_page(context, shared_app.url)
    generate(page, "A download that fails once", until="failed")
    assert "could not be downloaded" in page.inner_text("#status")
    rid = page.input_value("#request-id textarea, #request-id input")
    assert rid and rid in page.inner_text("#status")
    page.wait_for_selector("#retry-download", state="visible", timeout=10_000)
    page.click("#retry-download")
    page.wait_for_function("document.querySelector('#status .pg-status')?.dataset.state === 'done'",
                           timeout=30_000)
    assert page.locator("#video video").get_attribute("src")
    page.wait_for_selector("#retry-download", state="hidden", timeout=10_000)
    row = next(r for r in shared_app.rows() if r["request_id"] == rid)
    assert row["state"] == "succeeded" and Path(row["video_path"]).is_file()
    assert standin.stats()["submissions"] == 1  # fetched again, never generated (nor paid) twice
    context.close()


# -- through the API ----------------------------------------------------------------------------------


def test_api_lists_nothing_and_the_file_route_serves_no_guess(shared_app: LaunchedApp, standin: Any) -> None:
    info = httpx.get(f"{shared_app.url}gradio_api/info", timeout=10).json()
    assert set(info["named_endpoints"]) == {"/generate", "/generate_video", "/get_job", "/estimate"}
    assert not info["unnamed_endpoints"]
    client = Client(shared_app.url, verbose=False)
    video, facts = client.predict("Kept by the app", handle_file(str(EXAMPLE)), -1, 121, "",
                                  api_name="/generate")
    with pytest.raises(ValueError, match="Cannot find a function"):
        client.predict(None, 24, api_name="/on_refresh")  # the history's events are not for API clients
    # Gradio still runs a private event sent by hand: without a browser's owner id it lists nothing.
    with httpx.Client(base_url=shared_app.url, timeout=20) as http:
        event = http.post("gradio_api/call/on_refresh", json={"data": ["not-an-owner-id", 24]}).json()
        answer = http.get(f"gradio_api/call/on_refresh/{event['event_id']}").text
        assert "event: complete" in answer
        assert "Kept by the app" not in answer and facts["request_id"] not in answer

        def fetch(path: Path | str) -> int:
            return http.get(f"gradio_api/file={path}").status_code

        (kept,) = [Path(r["video_path"]) for r in shared_app.rows() if r["request_id"] == facts["request_id"]]
        assert fetch(shared_app.outputs.resolve()) == 403  # no listing of the videos folder
        assert fetch(kept.with_name(f"{'0' * 32}.mp4")) == 403  # a guessed id is refused
        assert fetch(shared_app.data.resolve() / "jobs.db") == 403  # the history is never served
        assert fetch(shared_app.data.resolve() / "inputs" / f"{facts['request_id']}.jpg") == 403
        # What the page is given is a copy under Gradio's cache, in a folder named by a content hash.
        assert Path(video).parent.name != kept.parent.name


# -- a damaged database ---------------------------------------------------------------------------------


@pytest.mark.browser
def test_damaged_database_is_a_clear_message_and_the_app_still_generates(
    offline_server: Any, standin: Any, browser: Any, tmp_path: Path
) -> None:
    app = LaunchedApp(tmp_path, offline_server.base_url, shared=False)
    app.data.mkdir(parents=True)
    (app.data / "jobs.db").write_bytes(os.urandom(4096))  # garbage where the history should be
    app.start()
    try:
        context = browser.new_context()
        page = open_page(context, app.url)
        page.wait_for_selector("#history-problem", state="visible", timeout=10_000)
        banner = page.inner_text("#history-problem")
        assert "history is off" in banner.lower() and "damaged" in banner and "Move it aside" in banner
        generate(page, "Generated while the history is off")
        assert page.locator("#video video").get_attribute("src")
        api = Client(app.url, verbose=False)
        video, facts = api.predict("And through the API", handle_file(str(EXAMPLE)), -1, 121, "",
                                   api_name="/generate")
        assert Path(video).is_file() and facts["frames"] == 121
        context.close()
    finally:
        app.stop()
    assert "job history disabled" in app.log()


def test_open_store_on_garbage_is_a_null_store_with_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "jobs.db").write_bytes(b"\x00garbage" * 512)
    store = open_store(tmp_path)
    assert not store.available and "damaged" in (store.problem or "") and store.list_jobs() == []


def test_poster_is_the_first_frame_shrunk_to_its_long_side_and_a_cut_video_has_none(tmp_path: Path) -> None:
    from PIL import Image

    from client.media import POSTER_LONG_SIDE, extract_poster
    from client.offline.render import render_preview

    video = tmp_path / "portrait.mp4"
    render_preview(photo(720, 1280), 2, video)  # 720x1280: a portrait video
    poster = extract_poster(video, tmp_path / "portrait.poster.jpg")
    assert poster is not None
    with Image.open(poster) as image:
        assert image.format == "JPEG" and image.height == POSTER_LONG_SIDE
        assert abs(image.width / image.height - 720 / 1280) < 0.01
        middle = image.width // 2
        top, bottom = image.getpixel((middle, 2)), image.getpixel((middle, image.height - 3))
    assert bottom[0] > top[0] + 100  # the sample's red gradient, the right way up: the frame itself
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(video.read_bytes()[:600])
    assert extract_poster(cut, tmp_path / "cut.poster.jpg") is None
    assert not list(tmp_path.glob("cut.poster.jpg*")) and not list(tmp_path.glob(".cut*"))


# -- the handlers, with no server ----------------------------------------------------------------------


class WatchedStore(JobStore):
    """A real store that notes how many status polls the stand-in had seen when the receipt was written."""

    standin: Any = None
    polls_at_receipt: int | None = None

    def add_submitted(self, request_id: str, **fields: Any) -> None:
        self.polls_at_receipt = self.standin.stats()["calls"]["status"]
        super().add_submitted(request_id, **fields)


def test_page_job_is_recorded_before_the_first_poll_with_its_input(standin: Any, tmp_path: Path) -> None:
    standin.configure(queue_s=0.1, run_s=0.1)
    settings = Settings.load(env={}, dotenv_path=None, outputs_dir=tmp_path / "out",
                             data_dir=tmp_path / "data")
    store = WatchedStore.open(settings.data_dir)
    store.standin = standin
    api = Connection(SERVER_KEY, standin.base_url, outputs_dir=settings.outputs_dir,
                     poll=PollPlan.fixed(0.05))
    app = build_app(settings, client=api, real_client=api, store=store, shared=True, tick_s=0.2)
    owner = new_owner_id()
    request = gr.Request(headers={"accept-language": "en"}, client={"host": "10.0.0.9"})

    async def go() -> list[Any]:
        form = {"prompt": "Recorded first", "image": str(EXAMPLE), "image_url": "", "source": "upload",
                "seed": 9, "random_seed": False, "frames": 121}
        return [s async for s in app.play.generate(**form, session=VisitorSession(), request=request,
                                                    owner=owner)]

    screens = off_the_page_loop(lambda: asyncio.wait_for(go(), 30))
    assert screens[-1].kind == "done" and store.polls_at_receipt == 0
    (job,) = store.list_jobs(owner=owner)
    assert job.state == "succeeded" and job.seed == 9 and job.image_thumb
    kept = tmp_path / "data" / "inputs" / f"{job.request_id}.jpg"
    assert kept.read_bytes() == EXAMPLE.read_bytes()  # sent as it was: kept byte for byte
    assert read_job_tags(job.video_path)["prompt"] == "Recorded first"
    store.close()


def test_owner_ids_decide_what_each_browser_may_see(standin: Any, tmp_path: Path) -> None:
    store = JobStore.open(tmp_path / "data")
    for rid, owner in (("job-a", "a" * 24), ("job-b", "b" * 24), ("job-api", "api"), ("job-cli", "local")):
        store.add_submitted(rid, owner=owner, model="m", prompt=f"prompt of {rid}", seed=1, frames=121)
    api = Connection(SERVER_KEY, standin.base_url, outputs_dir=tmp_path)
    settings = Settings.load(env={}, dotenv_path=None, outputs_dir=tmp_path, data_dir=tmp_path / "data")
    shared = build_app(settings, client=api, real_client=api, store=store, shared=True).history
    local = build_app(settings, client=api, real_client=api, store=store, shared=False).history

    async def go() -> dict[str, Any]:
        return {
            "a": (await shared.listing("a" * 24, 24, "en")).ids,
            "forged": (await shared.listing("local", 24, "en")).ids,  # not an id we hand out
            "none": (await shared.listing(None, 24, "en")).ids,
            "local": (await local.listing(None, 24, "en")).ids,
            "a_reads_b": await shared.job("job-b", "a" * 24),
            "a_reuses_b": await shared.reuse("job-b", "a" * 24, "en"),
            "a_deletes_b": await shared.delete("job-b", "a" * 24, "en"),
        }

    seen = off_the_page_loop(go)
    assert seen["a"] == ["job-a"] and seen["forged"] == [] and seen["none"] == []
    assert sorted(seen["local"]) == ["job-a", "job-api", "job-b", "job-cli"]  # one user: everything
    assert seen["a_reads_b"] is None and seen["a_reuses_b"] is None
    assert "no longer in your history" in seen["a_deletes_b"] and store.get("job-b") is not None
    assert valid_owner(new_owner_id()) and not valid_owner("api") and not valid_owner("x" * 21)
    store.close()


# -- the page's private events, called by hand ------------------------------------------------------------


FOREIGN_OWNER = "foreign-owner-id-00000000"


def _fitting_values(inputs: list[dict[str, Any]], rid: str) -> list[Any]:
    """Values of the right kinds for an event's inputs, with ``rid`` in every text box."""
    values: list[Any] = []
    for component in inputs:
        kind = component.get("type")
        if kind == "browserstate":
            values.append(FOREIGN_OWNER)
        elif kind == "textbox":
            values.append(rid)
        elif kind == "radio":
            choices = component["props"].get("choices") or []
            values.append(choices[0][1] if choices else None)
        elif kind == "number":
            values.append(1)
        elif kind == "checkbox":
            values.append(False)
        else:
            values.append(None)
    return values


def test_private_events_called_by_name_with_a_foreign_owner_read_and_change_nothing(
    shared_app: LaunchedApp, standin: Any
) -> None:
    """Gradio runs a private event sent by hand (its meaning of private): each one, given another
    owner's id and a job's request id, neither shows nor changes that job; a call that does not fit
    its event is refused with one warning line, never a traceback."""
    client = Client(shared_app.url, verbose=False)
    _video, facts = client.predict("The victim's own clip", handle_file(str(EXAMPLE)), -1, 121, "",
                                   api_name="/generate")
    rid = facts["request_id"]
    before = next(r for r in shared_app.rows() if r["request_id"] == rid)
    config = httpx.get(f"{shared_app.url}config", timeout=10).json()
    components = {c["id"]: c for c in config["components"]}
    private = [d for d in config["dependencies"] if d["backend_fn"] and d["api_visibility"] == "private"]
    assert len(private) > 20
    with httpx.Client(base_url=shared_app.url, timeout=30) as http:
        for dep in private:
            name = dep["api_name"]
            inputs = [components[i] for i in dep["inputs"]]
            malformed = http.post(f"gradio_api/call/{name}", json={"data": [object.__name__] * 99})
            assert malformed.status_code == 422, (name, malformed.text)
            body: dict[str, Any] = {"data": _fitting_values(inputs, rid),
                                    "event_data": {"index": 0, "value": None}}
            event = http.post(f"gradio_api/call/{name}", json=body)
            if any(trigger == "select" for _, trigger in dep["targets"]) or \
                    any(c["type"] == "dataset" for c in inputs):
                assert event.status_code == 422, (name, event.text)  # no selection or example by name
                continue
            assert event.status_code == 200, (name, event.text)
            answer = http.get(f"gradio_api/call/{name}/{event.json()['event_id']}").text
            assert "The victim's own clip" not in answer, name
            assert Path(before["video_path"]).name not in answer, name
    after = next(r for r in shared_app.rows() if r["request_id"] == rid)
    assert {k: after[k] for k in ("owner", "state", "video_path", "prompt")} == \
        {k: before[k] for k in ("owner", "state", "video_path", "prompt")}
    assert Path(before["video_path"]).is_file()
    log = (shared_app.home / "app.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert log.count("refused a call to") >= len(private)


# -- the MCP server ------------------------------------------------------------------------------------


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


async def session_calls(url: str, calls: list[tuple[str, dict[str, Any]]]) -> tuple[list[Any], list[Any]]:
    """The tool list, then each call's result, in one MCP session."""
    async with streamable_http_client(f"{url}gradio_api/mcp/") as (read, write, _), \
            ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        results = [await session.call_tool(name, args) for name, args in calls]
    return tools, results


def text_of(result: Any) -> str:
    return "".join(getattr(part, "text", "") for part in result.content)


def test_mcp_three_tools_each_called_a_refusal_and_a_foreign_job(
    shared_app: LaunchedApp, standin: Any, tmp_path: Path
) -> None:
    """Through the official mcp SDK over streamable HTTP: the three tools and nothing else."""
    standin.configure(queue_s=0.2, run_s=0.3)
    with JobStore.open(shared_app.data) as store:  # a browser visitor's job, in the app's own history
        store.add_submitted("foreign-job-0001", owner=new_owner_id(), model="m", prompt="Someone's secret",
                            seed=1, frames=121)
    picture = data_uri(Path(EXAMPLE).read_bytes(), "image/jpeg")
    tiny = data_uri(photo(200, 200, "PNG"), "image/png")
    calls = [("generate_video", {"prompt": "A slow pan over the street", "image": picture}),
             ("estimate", {"frames": 241}),
             ("generate_video", {"prompt": "Too small", "image": tiny}),
             ("get_job", {"request_id": "foreign-job-0001"})]
    tools, (made, priced, refused, foreign) = off_the_page_loop(lambda: session_calls(shared_app.url, calls))

    assert {t.name for t in tools} == {"generate_video", "get_job", "estimate"}  # no /generate, no page event
    described = json.dumps([[t.name, t.description, t.inputSchema] for t in tools])
    assert "x_api_key" not in described and "x-api-key" not in described.replace("`x-api-key`", "")
    assert SERVER_KEY not in described and "data:" in described  # an agent is told how to send a picture

    assert not made.isError, text_of(made)
    job = json.loads(text_of(made))
    video = tmp_path / "video.mp4"
    video.write_bytes(httpx.get(job["video_url"], timeout=30).content)
    assert decoded_frames(video) == 121 and job["facts"]["frames"] == 121
    assert json.loads(text_of(priced))["estimate_usd"] == 0.5  # the stand-in's $0.05 a second, 10 s
    assert refused.isError and "more than 320" in text_of(refused)
    assert foreign.isError and "Someone's secret" not in text_of(foreign)
    assert standin.stats()["submissions"] == 1  # the refused one was never sent

    lookup = [("get_job", {"request_id": job["request_id"]})]
    _, (found,) = off_the_page_loop(lambda: session_calls(shared_app.url, lookup))
    again = json.loads(text_of(found))
    assert again["state"] == "succeeded" and again["video_url"] and again["facts"]["frames"] == 121
    assert SERVER_KEY not in text_of(found) + text_of(made)
