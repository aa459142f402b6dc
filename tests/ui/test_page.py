"""The page a person meets, at laptop and phone sizes, in English and French: it fits, it keeps the
status and the video in view, it speaks one language, and axe-core finds nothing serious of ours.

One app (``python app.py`` with a fake server key, on the session's loopback stand-in) and one
Chromium serve the whole file; the tests run in order (an empty history first, then jobs). Screenshots
go to ``test-artifacts/`` (git-ignored), and the README's picture of the page, ``examples/page.png``,
is taken here so it never goes stale (the page as it opens, so the file only changes when the page does).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from benchmarks.bench_app_start import app_env, launch, stop, wait_ok
from tests.app.test_app_e2e import decoded_frames, free_port
from tests.samples import photo
from tests.ui.test_browser import ARTIFACTS, ROOT, SERVER_KEY
from ui.examples import EXAMPLES

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOCALES = {"en": "en-US", "fr": "fr-FR"}
README_SHOT = ROOT / "examples" / "page.png"
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

# Everything a person reads: the tab title, visible text, and the placeholders and labels of what shows.
READABLE_TEXT = """() => {
  const seen = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // hidden: nobody reads it
    for (const a of ['placeholder', 'aria-label', 'title']) {
      if (el.getAttribute(a)) seen.push(el.getAttribute(a));
    }
  }
  return seen.join('\\n');
}"""
# Words that are English and never French: one on the French page is a line left untranslated.
ENGLISH_ONLY = {"the", "and", "with", "your", "must", "width", "height", "file", "size", "will", "ready",
                "send", "delete", "generate", "random", "seed", "length", "frames", "recover", "refresh",
                "jobs", "done", "queued", "running", "preview", "nothing", "press", "sample", "street",
                "lake", "lighthouse", "rules", "keep", "cancel", "more", "than", "less", "most", "fixed"}
# Gradio's own labels, which it does not translate (not ours to change): taken out before looking.
GRADIO_OWN = ["Upload file", "Remove Image", "Paste from clipboard", "Empty value", "Adjust volume",
              "Gradio footer navigation", "play-pause-replay-button", "full-screen"]
# And the other way round.
FRENCH_ONLY = {"les", "des", "une", "vous", "votre", "vos", "avec", "sur", "pour", "graine", "durée",
               "générer", "annuler", "vidéo", "vidéos", "règles", "aperçu", "phare", "récupérer"}


@pytest.fixture(scope="module")
def page_app(offline_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with a (fake) server key on the stand-in; its history starts empty."""
    home = tmp_path_factory.mktemp("page-app")
    port = free_port()
    env = app_env(home, port, RUNCOMFY_API_TOKEN=SERVER_KEY, RUNCOMFY_BASE_URL=offline_server.base_url,
                  RUNCOMFY_HOURLY_LIMIT="50")
    process = launch(ROOT / "app.py", home, env)
    try:
        wait_ok(f"http://127.0.0.1:{port}/", process, 90)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(process)


@contextlib.contextmanager
def visit(browser: Browser, url: str, lang: str, viewport: dict[str, int], name: str) -> Iterator[Page]:
    """A fresh context in ``lang`` at ``viewport``, drawn; a failure leaves ``failed-<name>.png``."""
    context = browser.new_context(locale=LOCALES[lang], viewport=viewport,
                                  extra_http_headers={"Accept-Language": LOCALES[lang]})
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector("#status [data-state]")
        page.wait_for_function("document.title.startsWith('Dreamina') && "
                               "document.querySelector('#history-count')?.innerText.trim().length > 0")
        yield page
    except BaseException:
        with contextlib.suppress(Exception):
            shot(page, f"failed-{name}.png")
        raise
    finally:
        context.close()


def shot(page: Page, name: str, *, full: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full)
    return path


def sideways(page: Page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


IN_VIEW = """(sel) => { const e = document.querySelector(sel); if (!e) return false;
  const r = e.getBoundingClientRect(); return r.height > 0 && r.top >= -1 && r.bottom <= innerHeight + 1; }"""


def press_generate(page: Page) -> None:
    """Scroll to Generate as a person would (it sits at the bottom of the window) and press it."""
    page.locator("#generate").evaluate("b => b.scrollIntoView({block: 'end'})")
    page.click("#generate")


def height(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["height"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_empty_history_is_one_short_line_and_nothing_is_cut_or_too_wide(
    page_app: str, browser: Browser, lang: str
) -> None:
    for viewport, size in ((PHONE, "phone"), (LAPTOP, "laptop")):
        with visit(browser, page_app, lang, viewport, f"empty-{lang}-{size}") as page:
            assert not page.locator("#history-gallery").first.is_visible()  # no jobs: no empty frame
            gap = page.evaluate("document.querySelector('#recover-id').getBoundingClientRect().top - "
                                "document.querySelector('#history-count').getBoundingClientRect().bottom")
            assert gap < 100, f"{gap} px of nothing between 'no jobs yet' and the recover box"
            assert sideways(page) == 0
            label = page.locator("#seed-random label").first
            assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the Random seed label is cut"
            # Buttons sized to their inputs, not stretched to the row's height.
            assert height(page, "#recover-go") <= height(page, "#recover-id input") + 12
            if (lang, size) == ("en", "laptop"):  # the README's picture of the page, as it opens
                page.screenshot(path=str(README_SHOT))
            page.click("#key-panel button, #key-panel .label-wrap")
            page.locator("#key-use").wait_for()
            for button in ("#key-use", "#key-forget"):
                assert height(page, button) <= height(page, "#key-box input") + 12
            shot(page, f"page-empty-{lang}-{size}.png")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_after_generate_the_status_and_then_the_video_are_in_view(
    page_app: str, browser: Browser, standin: Any, lang: str
) -> None:
    standin.configure(queue_s=0.8, run_s=1.2)
    with visit(browser, page_app, lang, LAPTOP, f"laptop-{lang}") as page:
        press_generate(page)
        page.wait_for_function(IN_VIEW, arg="#status", timeout=3_000)  # at once, with no scrolling
        page.wait_for_selector("#status [data-state=done]", timeout=60_000)
        page.locator("#video video").wait_for()
        page.wait_for_function(IN_VIEW, arg="#video", timeout=5_000)  # the whole video, as it arrives
        assert sideways(page) == 0
        shot(page, f"page-laptop-{lang}-done.png", full=False)
    with visit(browser, page_app, lang, PHONE, f"phone-{lang}") as page:
        press_generate(page)
        page.wait_for_function(IN_VIEW, arg="#status", timeout=3_000)
        page.wait_for_selector("#status [data-state=done]", timeout=60_000)
        assert sideways(page) == 0
        shot(page, f"page-phone-{lang}-done.png")


def test_several_jobs_and_a_failed_one_fit_a_phone_with_no_broken_tile(
    page_app: str, browser: Browser, standin: Any
) -> None:
    standin.configure(queue_s=0.3, run_s=0.5, fail_next=1)
    with visit(browser, page_app, "en", PHONE, "phone-jobs") as page:
        press_generate(page)
        page.wait_for_selector("#status [data-state=failed]", timeout=60_000)
        press_generate(page)
        page.wait_for_selector("#status [data-state=done]", timeout=60_000)
        page.click("#history-refresh")
        tiles = page.locator("#history-gallery img")
        page.wait_for_function("document.querySelectorAll('#history-gallery img').length >= 6")
        page.wait_for_function("[...document.querySelectorAll('#history-gallery img')]"
                               ".every(i => i.complete && i.naturalWidth > 0)")
        assert tiles.count() >= 6
        assert sideways(page) == 0
        shot(page, "page-phone-jobs.png")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_each_page_speaks_its_own_language_only(
    page_app: str, browser: Browser, standin: Any, lang: str, tmp_path: Path
) -> None:
    small = tmp_path / "small.png"
    small.write_bytes(photo(200, 200, "PNG"))  # refused: every rule sentence and the refusal show
    with visit(browser, page_app, lang, LAPTOP, f"language-{lang}") as page:
        press_generate(page)  # a finished job: its status, facts, cost and history entry
        page.wait_for_selector("#status [data-state=done]", timeout=60_000)
        page.locator("#image-upload input[type=file]").set_input_files(str(small))
        page.locator("#image-check .pg-refusal").wait_for()
        press_generate(page)
        page.wait_for_selector("#status [data-state=failed]", timeout=30_000)
        page.locator("#history-gallery button").first.click()  # a job's facts and its buttons
        page.locator("#history-reuse").wait_for()
        text = page.evaluate(READABLE_TEXT)
        shot(page, f"page-language-{lang}.png")
    for own in GRADIO_OWN:
        text = text.replace(own, "")
    for prompt, *_ in EXAMPLES:  # a prompt is the person's words to the model, in any language
        text = re.sub(re.escape(prompt[:24]) + r"[^\n·]*", "", text)
    words = set(re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+", text.lower()))
    foreign = words & (ENGLISH_ONLY if lang == "fr" else FRENCH_ONLY)
    assert not foreign, f"{lang} page shows {sorted(foreign)}:\n{text}"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_check_panel_says_what_will_be_fixed_and_which_rule_refuses(
    page_app: str, browser: Browser, lang: str, tmp_path: Path
) -> None:
    webp, thin = tmp_path / "photo.webp", tmp_path / "thin.png"
    webp.write_bytes(photo(900, 600, "WEBP"))  # fixable: converted on Generate
    thin.write_bytes(photo(8000, 100, "PNG"))  # the ratio (80) refuses it, whatever is fixed
    will_fix = {"en": "will be fixed", "fr": "sera corrigé"}[lang]
    ratio = {"en": "ratio", "fr": "rapport"}[lang]
    with visit(browser, page_app, lang, LAPTOP, f"check-{lang}") as page:
        upload = page.locator("#image-upload input[type=file]")
        upload.set_input_files(str(webp))
        check = page.locator("#image-check")
        check.locator("li.pg-fix").first.wait_for()
        assert will_fix in check.locator("li.pg-fix").first.inner_text()
        assert check.locator("li.pg-bad").count() == 0 and check.locator(".pg-fixes").count() == 1
        upload.set_input_files(str(thin))
        check.locator(".pg-refusal").wait_for()
        assert check.locator(".pg-refusal").inner_text().split(":", 1)[1].strip().startswith(ratio)
        assert check.locator("li.pg-fix").count() == 0  # refused: nothing will be fixed
        shot(page, f"page-check-{lang}.png")


def test_a_refusal_goes_away_when_the_inputs_change(
    page_app: str, browser: Browser, tmp_path: Path
) -> None:
    small = tmp_path / "small.png"
    small.write_bytes(photo(200, 200, "PNG"))
    with visit(browser, page_app, "en", LAPTOP, "stale") as page:
        page.locator("#image-upload input[type=file]").set_input_files(str(small))
        page.locator("#image-check .pg-refusal").wait_for()
        press_generate(page)
        page.wait_for_selector("#status [data-state=failed]")
        page.locator("#prompt textarea").press_sequentially(" More.")
        page.wait_for_selector("#status [data-state=idle]")
        # An example fills the form (through the page's queue, which the call check lets through).
        page.locator("#examples button.gallery-item").nth(2).click()
        page.wait_for_function("document.querySelector('#prompt textarea').value.includes('lighthouse')")
        assert page.is_checked("#frames input[value='241']")


AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => {
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, targets: v.nodes.map(n => n.target.join(' '))}));
}"""
# What axe-core finds on a bare gr.Blocks page too (Gradio's, not ours), by rule: an empty video's
# placeholder div carries an aria-label with no role, and gallery thumbnails are named "Thumbnail N
# of M" while they show their caption. Each is checked below to still fail on the bare page.
GRADIO_OWN_VIOLATIONS = {"aria-prohibited-attr", "label-content-name-mismatch"}


def axe_violations(page: Page) -> dict[str, list[str]]:
    """Serious and critical WCAG 2.1 A/AA violations on the page, by rule id (axe-core from npm)."""
    assert AXE.is_file(), f"{AXE} missing: run `npm install --prefix tests/a11y` (README's test command does)"
    page.add_script_tag(path=str(AXE))
    return {v["id"]: v["targets"] for v in page.evaluate(AXE_RUN)}


@pytest.fixture(scope="module")
def bare_gradio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A bare gr.Blocks page with the components we use that axe-core objects to (Gradio's own)."""
    import gradio as gr

    picture = tmp_path_factory.mktemp("bare") / "p.png"
    picture.write_bytes(photo(320, 240, "PNG"))
    with gr.Blocks() as bare:
        gr.Video()
        gr.Gallery([(str(picture), "a caption"), (str(picture), "another")], allow_preview=False)
    port = free_port()
    bare.launch(server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        bare.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_axe_finds_nothing_serious_of_ours(
    page_app: str, bare_gradio: str, browser: Browser, standin: Any, lang: str
) -> None:
    with visit(browser, page_app, lang, LAPTOP, f"axe-{lang}") as page:
        press_generate(page)  # the status card's steps, the facts, the estimate and history tiles too
        page.wait_for_selector("#status [data-state=done]", timeout=60_000)
        page.click("#history-refresh")
        page.locator("#history-gallery img").first.wait_for()
        found = axe_violations(page)
    ours = {rule: targets for rule, targets in found.items() if rule not in GRADIO_OWN_VIOLATIONS}
    assert not ours, ours
    context = browser.new_context()
    try:
        bare = context.new_page()
        bare.goto(bare_gradio)
        bare.locator(".gallery-item, button[aria-label^='Thumbnail']").first.wait_for()
        gradios = axe_violations(bare)
    finally:
        context.close()
    assert GRADIO_OWN_VIOLATIONS & set(found) <= set(gradios), gradios  # still Gradio's own, or drop them


def test_continue_from_the_last_frame_then_stitch_the_story_and_download_it(
    page_app: str, browser: Browser, standin: Any, tmp_path: Path
) -> None:
    standin.configure(queue_s=0.2, run_s=0.4)
    with visit(browser, page_app, "en", LAPTOP, "story") as page:
        press_generate(page)
        page.wait_for_selector("#status [data-state=done]", timeout=60_000)
        first = page.input_value("#request-id textarea, #request-id input")
        page.click("#continue")  # the form takes the video's last frame, its prompt and its length
        page.get_by_text(f"Continues {first} from its last frame").wait_for()
        press_generate(page)
        receipt = "document.querySelector('#request-id textarea, #request-id input').value"
        page.wait_for_function(f"!{receipt}.includes('{first}') && !!document.querySelector('#status "
                               "[data-state=done]')", timeout=60_000)
        second = page.input_value("#request-id textarea, #request-id input")
        page.click("#history-refresh")
        page.locator("#history-gallery button").first.click()  # the newest: the continuation
        page.get_by_text(f"continues {first}").wait_for()
        page.click("#history-stitch")
        page.locator("#story-file").first.wait_for(state="visible", timeout=120_000)
        said = page.inner_text("#story-note")
        assert "Stitched 2 clips" in said and "241 frames" in said, said
        with page.expect_download() as download:
            page.click("#story-file")
        saved = tmp_path / "story.mp4"
        download.value.save_as(saved)
        shot(page, "page-story.png")
    assert decoded_frames(saved) == 121 + 120  # the junction frame is not repeated
    assert second != first


def test_variations_run_side_by_side_and_keep_fills_the_seed(
    page_app: str, browser: Browser, standin: Any
) -> None:
    standin.configure(queue_s=0.2, run_s=0.4)
    before = standin.stats()["submissions"]
    with visit(browser, page_app, "en", LAPTOP, "variations") as page:
        page.click("#variations label:has-text('3')")
        press_generate(page)
        page.wait_for_function("document.querySelectorAll('#variations-grid video').length === 3",
                               timeout=90_000)
        page.get_by_text("3 of 3 variations ready").wait_for()
        ids = page.input_value("#request-id textarea, #request-id input").split(", ")
        seeds = [int(s) for s in page.inner_text("#facts").split(":", 1)[1].split(",")]
        assert len(set(ids)) == 3 and len(set(seeds)) == 3
        page.click("#variations-keep label >> nth=2")
        page.wait_for_function(f"document.querySelector('#seed input').value === '{seeds[2]}'")
        assert not page.is_checked("#seed-random input")
        shot(page, "page-variations.png")
    assert standin.stats()["submissions"] == before + 3


def test_a_batch_on_the_page_checks_every_picture_first_then_runs_them_all(
    page_app: str, browser: Browser, standin: Any, tmp_path: Path
) -> None:
    standin.configure(queue_s=0.2, run_s=0.3)
    good = [tmp_path / f"good{i}.jpg" for i in range(2)]
    for i, path in enumerate(good):
        path.write_bytes(photo(640 + 8 * i, 480, "JPEG"))
    small = tmp_path / "small.png"
    small.write_bytes(photo(200, 200, "PNG"))
    before = standin.stats()["submissions"]
    with visit(browser, page_app, "en", LAPTOP, "batch") as page:
        page.click("#batch-panel button, #batch-panel .label-wrap")
        page.locator("#batch-files input[type=file]").set_input_files([str(p) for p in [*good, small]])
        page.fill("#batch-prompt textarea", "A slow pan, for the batch")
        page.click("#batch-start")
        page.get_by_text("Nothing was sent").wait_for()
        assert "row 3 (small.png)" in page.inner_text("#batch-note")
        assert standin.stats()["submissions"] == before
    with visit(browser, page_app, "en", LAPTOP, "batch") as page:
        page.click("#batch-panel button, #batch-panel .label-wrap")
        page.locator("#batch-files input[type=file]").set_input_files([str(p) for p in good])
        page.fill("#batch-prompt textarea", "A slow pan, for the batch")
        page.click("#batch-start")
        page.get_by_text("Batch finished: 2 of 2 videos made").wait_for(timeout=90_000)
        shot(page, "page-batch.png")
    assert standin.stats()["submissions"] == before + 2
