"""No paid video is lost: an app killed mid-job, a closed tab, an offline preview forgotten by a restart.

The app runs as ``python app.py`` (:class:`LaunchedApp`, also used by ``tests/ui/test_history``) against
the loopback stand-in, which keeps running while the app is killed with SIGKILL, as a crash or a
redeploy would. The history is then checked twice: in the store file, and on the page, through
Debian's Chromium driven by Playwright (the ``browser`` fixture, in ``conftest``).
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file

from client.dreamina import build_job
from client.history import UNFINISHED_STATES, JobFiles, JobStore
from client.jobs import LiveJob, PollPlan, Registry, Route, Settings, Submitted, connect
from client.offline import OfflineConfig
from tests.apps import ROOT, app_environment, start_app, stop, wait_for

EXAMPLE = ROOT / "examples" / "golden_street.jpg"
SERVER_KEY = "fake-history-key-0000"
RESTART_KEY = "fake-restart-key-0000"
PROMPT = "Waves roll under the pier at dusk"
pytestmark = pytest.mark.timeout(150)


class LaunchedApp:
    """``python app.py`` in a subprocess with its own folders; start, SIGKILL, start again."""

    def __init__(self, home: Path, base_url: str, *, shared: bool, token: str | None = SERVER_KEY) -> None:
        self.home, self.base_url, self.shared, self.token = home, base_url, shared, token
        self.data, self.outputs = home / "data", home / "outputs"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout: float = 60) -> LaunchedApp:
        """Start (again) on the same folders, on a new port; the log is appended to."""
        env = app_environment(self.home, base_url=self.base_url, server_key=self.token, hourly_limit=100,
                              extra={"RUNCOMFY_SHARED": "1" if self.shared else "0"})
        launched = start_app(self.home, env, timeout=timeout)
        self.process, self.url = launched.process, launched.url
        return self

    def log(self) -> str:
        path = self.home / "app.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)

    def rows(self) -> list[dict[str, Any]]:
        """The jobs table, read-only, newest first (never through the app)."""
        db = self.data / "jobs.db"
        if not db.exists():
            return []
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute("SELECT * FROM jobs ORDER BY created_at DESC")]


# -- driving the page -------------------------------------------------------------------------------


def off_the_page_loop(make: Callable[[], Any]) -> Any:
    """Run a coroutine in its own thread: Playwright's sync API owns this thread's event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, make()).result(60)


def open_page(context: Any, url: str) -> Any:
    """A new tab on the app, once its history has been loaded."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#history-count .prose, #history-count p", timeout=30_000)
    page.wait_for_function("document.querySelector('#history-count')?.innerText.trim().length > 0")
    return page


def generate(page: Any, prompt: str, *, until: str = "done") -> None:
    page.fill("#prompt textarea", prompt)
    page.click("#generate")
    page.wait_for_function(f"document.querySelector('#status .pg-status')?.dataset.state === '{until}'",
                           timeout=60_000)


def captions(page: Any) -> list[str]:
    return page.locator("#history-gallery .caption-label").all_inner_texts()


def wait_captions(page: Any, check: Callable[[list[str]], bool], what: str, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        seen = captions(page)
        if check(seen):
            return seen
        page.wait_for_timeout(250)
    raise AssertionError(f"timed out waiting for {what}; captions: {seen}")


def refresh(page: Any) -> None:
    page.click("#history-refresh")
    page.wait_for_timeout(800)


def select(page: Any, text: str) -> None:
    page.locator("#history-gallery .thumbnail-item", has_text=text).first.click()
    page.wait_for_function("document.querySelector('#history-facts')?.innerText.includes('request id')")


# -- the tests --------------------------------------------------------------------------------------




@pytest.mark.browser
def test_app_killed_mid_job_finishes_it_after_restart(
    offline_server: Any, standin: Any, browser: Any, tmp_path: Path
) -> None:
    standin.configure(queue_s=1.0, run_s=4.0)
    app = LaunchedApp(tmp_path, offline_server.base_url, shared=False, token=RESTART_KEY).start()
    try:
        caller = Client(app.url, verbose=False)
        caller.submit(PROMPT, handle_file(str(EXAMPLE)), 4242, 121, "", api_name="/generate")
        wait_for(lambda: standin.stats()["jobs"], 30, "the stand-in to have the job")
        # The receipt is on disk as soon as RunComfy accepted the job (before the first poll).
        (row,) = wait_for(app.rows, 10, "the job's row")
        assert row["state"] in UNFINISHED_STATES
        app.kill()
        (row,) = app.rows()
        rid = row["request_id"]
        assert row["state"] in UNFINISHED_STATES and row["video_path"] is None  # killed before the end
        assert standin.stats()["jobs"][rid]["state"] != "cancelled"  # nothing asked RunComfy to cancel
        app.start()  # the same folders: the resume runs in the background at start
        done = wait_for(lambda: [r for r in app.rows() if r["state"] == "succeeded"], 60, "the job to finish")
        video = Path(done[0]["video_path"])
        assert done[0]["request_id"] == rid and video.is_file() and video.stat().st_size > 10_000
        assert standin.stats()["submissions"] == 1  # followed again, never submitted (paid) twice
        context = browser.new_context()
        page = open_page(context, app.url)
        (text,) = wait_captions(page, lambda c: len(c) == 1 and c[0].startswith("Done"), "the finished job")
        assert PROMPT[:30] in text
        select(page, "Done")
        assert rid in page.inner_text("#history-facts") and "4242" in page.inner_text("#history-facts")
        assert page.locator("#history-video video").get_attribute("src")
        context.close()
    finally:
        app.stop()


@pytest.mark.browser
def test_closed_tab_job_finishes_into_the_same_browsers_history(
    offline_server: Any, standin: Any, browser: Any, tmp_path: Path
) -> None:
    standin.configure(queue_s=3.0, run_s=6.0)  # long enough to see it "on its way" after reopening
    app = LaunchedApp(tmp_path, offline_server.base_url, shared=True).start()
    try:
        context = browser.new_context()
        page = open_page(context, app.url)
        generate(page, PROMPT, until="queued")  # still queued: closing must not cancel it either
        page.close()
        time.sleep(1.0)
        again = open_page(context, app.url)  # the same browser storage, so the same owner id
        wait_captions(again, lambda c: len(c) == 1 and not c[0].startswith("Done"), "the job on its way")
        (text,) = wait_captions(again, lambda c: len(c) == 1 and c[0].startswith("Done"), "the job to finish",
                                timeout=40)
        assert PROMPT[:30] in text
        (job,) = standin.stats()["jobs"].values()
        assert job["state"] == "completed"
        (row,) = app.rows()
        assert row["state"] == "succeeded" and Path(row["video_path"]).is_file()
        stranger = browser.new_context()
        assert captions(open_page(stranger, app.url)) == []  # another browser never sees it
        stranger.close()
        context.close()
    finally:
        app.stop()


def test_offline_preview_jobs_forgotten_by_a_restart_are_marked_lost(tmp_path: Path) -> None:
    """The in-process stand-in dies with the app: its unfinished jobs become "lost" (nothing paid)."""
    settings = Settings.load(env={}, dotenv_path=None, outputs_dir=tmp_path / "outputs",
                             data_dir=tmp_path / "data")
    slow = OfflineConfig(queue_s=5, run_s=5)

    job = build_job(PROMPT, image=EXAMPLE, seed=1, frames=121)

    async def go() -> tuple[str, list[Any], str]:
        with JobStore.open(settings.data_dir) as store:
            files = JobFiles.under(settings.outputs_dir, settings.data_dir)  # no budget, as the old Archive
            registry = Registry(store, files)
            async with connect(settings, offline_config=slow) as before:
                live = LiveJob(Route(before, None, "offline"), job, registry=registry)
                async for event in live.watch(0):
                    if isinstance(event, Submitted):
                        break
                live.task.cancel()  # the process "dies" with its in-process stand-in
            async with connect(settings, offline_config=slow) as after:
                after.poll = PollPlan.fixed(0.05)
                outcomes = await Registry(store, files).resume_at_start(after)
            (record,) = store.list_jobs()
            return live.request_id or "", outcomes, record.state

    rid, outcomes, state = off_the_page_loop(lambda: asyncio.wait_for(go(), 30))
    assert [(o.request_id, o.state) for o in outcomes] == [(rid, "lost")] and state == "lost"
