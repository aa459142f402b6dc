"""The page as a person uses it: Debian's Chromium, driven by Playwright, on ``python app.py``.

Two app processes run on loopback, as in ``test_app_e2e``: one with a fake server key talking to
the session's loopback stand-in, one with no key at all (the offline preview). Each test opens its
own browser context. Screenshots of the finished pages go to ``test-artifacts/`` at the repo root
(git-ignored); a failing test leaves ``failed-<name>.png`` there too.

Without ``/usr/bin/chromium`` these tests fail (never skip): ``apt-get install -y chromium``.
Every wait is bounded; the whole file takes about 45 s on a quiet machine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from benchmarks.bench_app_start import app_env, launch, stop, wait_ok
from client import SCHEMA
from tests.app.test_app_e2e import decoded_frames, fp, free_port, wait_for
from tests.samples import photo
from ui.messages import MESSAGES
from ui.texts import labels

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
INSTALL_HINT = "install Debian's chromium: apt-get install -y chromium"
SERVER_KEY = "fake-browser-server-key-0000"
HOURLY_LIMIT = 50
PROMPT = "A slow pan across the gradient, colours drifting"
VIEWPORT = {"width": 1280, "height": 1000}
TEXTS = labels(HOURLY_LIMIT)
# A backstop only: every wait below is bounded on its own. The first test also waits for both apps to
# start, which takes ~6 s on a quiet machine but has taken 50 s on this shared one under load.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

# Records every data-state the status card takes, so a state shown for a split second still counts.
RECORD_STATES = """() => {
  window.__pgStates = [];
  const card = document.querySelector('#status');
  const note = () => {
    const el = card.querySelector('[data-state]');
    const state = el && el.dataset.state;
    if (state && window.__pgStates.at(-1) !== state) window.__pgStates.push(state);
  };
  new MutationObserver(note).observe(card, {subtree: true, childList: true, attributes: true});
  note();
}"""
# Waits (bounded) for the metadata, then samples the play head twice, 0.8 s apart.
VIDEO_FACTS = """async (v) => {
  if (v.readyState < 1) {
    await Promise.race([
      new Promise((ok) => v.addEventListener('loadedmetadata', ok, {once: true})),
      new Promise((_, no) => setTimeout(() => no(new Error('no loadedmetadata within 10 s')), 10000)),
    ]);
  }
  const t1 = v.currentTime;
  await new Promise((ok) => setTimeout(ok, 800));
  return {duration: v.duration, muted: v.muted, autoplay: v.autoplay, loop: v.loop,
          paused: v.paused, t1, t2: v.currentTime, error: v.error && v.error.code};
}"""


@dataclass(frozen=True)
class Apps:
    """The two launched apps' URLs: with the (fake) server key, and with no key (offline preview)."""

    server: str
    offline: str


@pytest.fixture(scope="module")
def apps(offline_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Apps]:
    """Both apps, started side by side (their start-up is the slowest part of this file).

    Launched as in ``benchmarks/bench_app_start.py``: no RUNCOMFY_* from this shell (a real key must
    never reach a test), and the working folder is an empty one, so no developer's ``.env`` is read
    (``app.py``'s own folder is on ``sys.path`` as the script's directory).
    """
    root = tmp_path_factory.mktemp("browser-apps")
    # Both point at the stand-in, so even a visitor's key could never reach the real API.
    envs = {
        "server": {"RUNCOMFY_API_TOKEN": SERVER_KEY, "RUNCOMFY_BASE_URL": offline_server.base_url},
        "offline": {"RUNCOMFY_BASE_URL": offline_server.base_url},
    }
    urls, started = {}, []
    try:
        for name, extra in envs.items():
            port = free_port()
            env = app_env(root / name, port, RUNCOMFY_HOURLY_LIMIT=str(HOURLY_LIMIT), **extra)
            started.append((root / name, launch(ROOT / "app.py", root / name, env)))
            urls[name] = f"http://127.0.0.1:{port}/"
        for (home, process), url in zip(started, urls.values(), strict=True):
            try:
                wait_ok(url, process, 90)
            except (RuntimeError, TimeoutError) as exc:
                log = (home / "app.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"{exc}\n{log}", pytrace=False)
        yield Apps(**urls)
    finally:
        for _, process in started:
            stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless. Missing is a failure with the fix, never a skip."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: {INSTALL_HINT}", pytrace=False)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=30_000
            )
        except Exception as exc:
            pytest.fail(f"{CHROMIUM} did not start ({exc}); {INSTALL_HINT}", pytrace=False)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def picture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 960x640 PNG made here with Pillow (not one of the shipped examples)."""
    path = tmp_path_factory.mktemp("picture") / "gradient.png"
    path.write_bytes(photo(960, 640, "PNG"))
    return path


@contextlib.contextmanager
def opened(browser: Browser, url: str, name: str, locale: str = "en-US") -> Iterator[Page]:
    """A fresh context and page on ``url``, loaded (the status card has its first state)."""
    context = browser.new_context(locale=locale, viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector("#status [data-state]", timeout=20_000)
        yield page
    except BaseException:
        with contextlib.suppress(Exception):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"), full_page=True)
        raise
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def state_of(page: Page) -> str | None:
    return page.locator("#status [data-state]").get_attribute("data-state")


def generate_and_wait(page: Page, timeout_ms: float = 30_000) -> list[str]:
    """Click Generate and wait for the card to end ``done``; returns every state it showed."""
    page.evaluate(RECORD_STATES)
    page.click("#generate")
    page.wait_for_selector("#status [data-state=done], #status [data-state=failed]", timeout=timeout_ms)
    states: list[str] = page.evaluate("window.__pgStates")
    assert state_of(page) == "done", (states, page.locator("#status").inner_text())
    return states


def in_order(seen: list[str], wanted: list[str]) -> bool:
    """True when ``wanted`` appears in ``seen`` in this order (other states may come between)."""
    rest = iter(seen)
    return all(any(s == w for s in rest) for w in wanted)


def test_upload_type_generate_watch_play_and_download(
    apps: Apps, browser: Browser, standin: Any, picture: Path, tmp_path: Path
) -> None:
    # queued for 1 s, running for 3 s: the 0.5 s first poll sees it queued, the next ones running.
    standin.configure(queue_s=1.0, run_s=3.0, start_position=2)
    en = TEXTS["en"]
    with opened(browser, apps.server, "en") as page:
        assert page.locator("#status [data-state]").get_attribute("data-state") == "idle"
        assert page.locator("#generate").inner_text().strip() == en["generate"]

        page.locator("#image-upload input[type=file]").set_input_files(str(picture))
        check = page.locator("#image-check")
        check.get_by_text("960 x 640 px").wait_for()
        rules = check.locator("li")
        assert rules.count() == 5 and check.locator("li.pg-ok").count() == 5, check.inner_text()
        # All is well, so the rules are folded into one line; a click unfolds them.
        assert not check.locator("details").evaluate("d => d.open")
        check.locator("summary").click()
        text = check.inner_text()
        assert "PNG" in text and "4096" in text and "0.33" in text and "4.7 MB" in text, text
        assert MESSAGES["en"]["check_ready"] in text

        counter = page.locator("#prompt-count")
        before = counter.inner_text().strip()
        box = page.locator("#prompt textarea")
        box.fill("")
        box.press_sequentially(PROMPT)
        wanted = f"{len(PROMPT)} / {SCHEMA.prompt_max_chars}"
        counter.get_by_text(wanted, exact=True).wait_for(timeout=5_000)
        assert before != wanted

        states = generate_and_wait(page)
        assert in_order(states, ["queued", "running", "done"]), states
        assert "failed" not in states and "cancelled" not in states, states

        (job_id,) = standin.stats()["jobs"]
        job = standin.stats()["jobs"][job_id]
        assert job["token_fp"] == fp(SERVER_KEY) and job["state"] == "completed"
        assert page.locator("#request-id textarea, #request-id input").first.input_value() == job_id
        assert job_id in page.locator("#status").inner_text()
        edges = page.locator("#status .pg-step").evaluate_all(
            "steps => steps.map(s => [s.getBoundingClientRect().top, s.getBoundingClientRect().bottom]"
            ".map(Math.round).join('-'))")
        assert len(edges) >= 4 and len(set(edges)) == 1, f"the status steps are not in one row: {edges}"

        video = page.locator("#video video")
        video.wait_for(state="attached")
        facts = video.evaluate(VIDEO_FACTS)
        assert facts["error"] is None, facts
        assert abs(facts["duration"] - 121 / 24) <= 0.2, facts
        assert facts["muted"] and facts["autoplay"] and facts["loop"], facts
        assert not facts["paused"] and facts["t2"] > facts["t1"], f"the video does not play: {facts}"
        shown = page.locator("#facts").inner_text()
        assert "121 frames" in shown and "24 fps" in shown, shown

        button = page.locator("#download")
        assert button.is_visible() and button.inner_text().strip() == en["download"]
        screenshot(page, "browser-en-done.png")
        with page.expect_download(timeout=15_000) as download_info:
            button.click()
        download = download_info.value
        assert download.failure() is None
        saved = tmp_path / download.suggested_filename
        download.save_as(str(saved))
    assert saved.suffix == ".mp4" and saved.read_bytes()[4:8] == b"ftyp", saved
    assert decoded_frames(saved) == 121


def test_cancel_while_queued_ends_cancelled(apps: Apps, browser: Browser, standin: Any) -> None:
    standin.configure(queue_s=30)
    with opened(browser, apps.server, "cancel") as page:
        page.evaluate(RECORD_STATES)
        page.click("#generate")  # the preloaded example image and prompt
        page.wait_for_selector("#status [data-state=queued]", timeout=20_000)
        page.click("#cancel")
        page.wait_for_selector("#status [data-state=cancelled]", timeout=15_000)
        # And it stays so: the Generate watcher re-renders its last state every second until it is
        # stopped, so a late tick could put back "Queued" over "Cancelled" for good.
        page.wait_for_timeout(2_500)
        states: list[str] = page.evaluate("window.__pgStates")
        assert state_of(page) == "cancelled", f"the card went back after Cancelled: {states}"
        assert MESSAGES["en"]["cancelled"] in page.locator("#status").inner_text()
        assert page.locator("#video video").count() == 0
        assert not page.locator("#download").is_visible()
        screenshot(page, "browser-en-cancelled.png")
    jobs = wait_for(
        lambda: [j for j in standin.stats()["jobs"].values() if j["state"] == "cancelled"],
        10,
        "the stand-in to see the cancel",
    )
    assert len(jobs) == 1 and len(standin.stats()["jobs"]) == 1


def test_french_page(apps: Apps, browser: Browser, standin: Any) -> None:
    standin.configure(queue_s=0.8, run_s=1.0)
    fr, fr_msg = TEXTS["fr"], MESSAGES["fr"]
    with opened(browser, apps.server, "fr", locale="fr-FR") as page:
        page.get_by_text(fr["heading"].removeprefix("# ")).wait_for()
        assert page.locator("#generate").inner_text().strip() == fr["generate"]
        assert page.locator("#cancel").inner_text().strip() == fr["cancel"]
        assert fr["banner_server"] in page.locator("#mode-banner").inner_text()
        assert fr["frames_121"] in page.locator("#frames").inner_text()
        assert fr_msg["idle"] in page.locator("#status").inner_text()  # rendered by the server, in French
        assert fr_msg["check_ready"] in page.locator("#image-check").inner_text()

        states = generate_and_wait(page)
        assert in_order(states, ["queued", "done"]), states
        assert fr_msg["done"] in page.locator("#status").inner_text()
        page.locator("#video video").wait_for(state="attached")
        shown = page.locator("#facts").inner_text()
        assert "121 images" in shown and fr_msg["seed"] in shown, shown
        assert page.locator("#download").inner_text().strip() == fr["download"]
        screenshot(page, "browser-fr-done.png")


def test_offline_banner_without_a_key(apps: Apps, browser: Browser) -> None:
    en = TEXTS["en"]
    with opened(browser, apps.offline, "offline") as page:
        banner = page.locator("#mode-banner")
        assert "pg-banner-offline" in (banner.get_attribute("class") or "")
        assert en["banner_offline"].replace("**", "") in banner.inner_text()
        assert en["banner_server"] not in page.locator("body").inner_text()
        assert page.locator("#generate").is_enabled()
        screenshot(page, "browser-offline.png")
