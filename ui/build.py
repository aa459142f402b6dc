"""Building the page (``build_demo``) and the safe launch settings (``launch_options``), apart.

``build_demo`` makes a ``gr.Blocks`` without starting a server, so tests build it directly with
injected clients. ``app.py`` reads the settings, calls both, and launches.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
from starlette.middleware import Middleware

from client import SCHEMA, Settings
from client.api import RunComfyClient
from client.connect import connect
from client.store_schema import DB_NAME
from ui.admission import TakeTurns
from ui.endpoint import ApiEndpoint
from ui.form import UPLOAD, URL, FormHelpers
from ui.handlers import Playground
from ui.history import HistoryPanel
from ui.history_archive import Archive
from ui.history_events import HistoryEvents
from ui.hosting import PublicImageHost, RefuseRemoteFiles, into_gradio_cache
from ui.layout import Page, lay_out
from ui.screens import KEEP, Screen
from ui.texts import labels
from ui.visitors import HourlyLimit

if TYPE_CHECKING:
    from client.store import AnyStore

HERE = Path(__file__).resolve().parent
# Phone photos are often 5-15 MB and get fixed (downscaled, re-encoded) before sending; 50 MB
# matches the client's own cap on what it will read, so a bigger file is refused at the door.
MAX_UPLOAD_BYTES = 50_000_000
# Browsers only autoplay muted videos; Gradio's Video has no "muted" option, so the page mutes it.
HEAD = """<script>
(() => {
  const mute = () => document.querySelectorAll('#video video').forEach((v) => {
    v.muted = true; v.playsInline = true;
  });
  new MutationObserver(mute).observe(document.documentElement, {childList: true, subtree: true});
})();
</script>"""
COUNTER_JS = f"""(p) => {{
  const n = [...(p || '')].length, max = {SCHEMA.prompt_max_chars};
  return `<span class="${{n > max ? 'pg-over' : ''}}">${{n}} / ${{max}}</span>`;
}}"""


def make_i18n(hourly_limit: int) -> gr.I18n:
    """English and French labels; the browser's language picks one."""
    return gr.I18n(**labels(hourly_limit))


def _streamed(
    handler: Callable[..., AsyncIterator[Screen]], to_updates: Callable[[Screen], dict[Any, Any]]
) -> Callable[..., AsyncIterator[dict[Any, Any]]]:
    """Wrap a Screen-yielding handler so it yields component updates; keeps the signature for Gradio."""

    @functools.wraps(handler)
    async def run(*args: Any, **kwargs: Any) -> AsyncIterator[dict[Any, Any]]:
        async for update in handler(*args, **kwargs):
            yield to_updates(await _cached(update))

    return run


async def _cached(screen: Screen) -> Screen:
    """``screen`` with its video and download placed in Gradio's cache (hashed off the event loop)."""
    changes = {name: await into_gradio_cache(path) for name in ("video", "download")
               if isinstance(path := getattr(screen, name), Path)}
    return dataclasses.replace(screen, **changes) if changes else screen


def _updates(page: Page) -> Callable[[Screen], dict[Any, Any]]:
    """Turn a Screen into updates of the result components (``KEEP`` becomes ``gr.skip()``)."""

    def keep(value: Any, make: Callable[[Any], Any] = lambda v: v) -> Any:
        return gr.skip() if value is KEEP else make(value)

    def download(path: Any) -> gr.DownloadButton:
        return gr.DownloadButton(value=str(path) if path else None, visible=bool(path))

    def to_updates(s: Screen) -> dict[Any, Any]:
        return {
            page.status: s.status,
            page.request_id: keep(s.request_id),
            page.video: keep(s.video, lambda v: str(v) if v else None),
            page.facts: keep(s.facts),
            page.download: keep(s.download, download),
            page.seed: keep(s.seed),
        }

    return to_updates


def build_demo(
    settings: Settings,
    client: RunComfyClient | None = None,
    real_client: RunComfyClient | None = None,
    *,
    behind_proxy: bool = False,
    tick_s: float = 1.0,
    store: AnyStore | None = None,
    shared: bool = False,
) -> gr.Blocks:
    """The whole page, not launched.

    ``client`` defaults to ``connect(settings)`` (the offline stand-in when there is no token);
    ``real_client``, used for visitors' own keys, defaults to ``client`` when it is real, else to a
    real-API client built from the settings. ``behind_proxy`` (on a Space): tell visitors apart by
    the first X-Forwarded-For hop. ``store``: the job history opened by ``app.py`` (None: history
    off); ``shared``: each browser sees only its own jobs. The demo's :class:`Playground` is
    ``demo.playground``, its :class:`HistoryPanel` ``demo.history``.
    """
    client = client or connect(settings)
    if real_client is None:
        real_client = connect(settings, offline=False) if client.offline else client
    public = settings.public_url
    host = PublicImageHost(public, public_inputs(settings)) if public else None
    limiter = HourlyLimit(settings.hourly_limit)  # owned by this demo: no counter shared across demos
    archive = Archive(store, data_dir=settings.data_dir, shared=shared,
                      budget_mb=settings.video_budget_mb)
    play = Playground(client, real_client, limiter=limiter, behind_proxy=behind_proxy, image_host=host,
                      tick_s=tick_s, archive=archive)
    history = HistoryPanel(play, archive)
    form = FormHelpers(play, api_base_url=real_client.base_url)
    t = make_i18n(settings.hourly_limit)

    with gr.Blocks(title="Dreamina 3.0 Pro · image to video", analytics_enabled=False) as demo:
        page = lay_out(t, offline=client.offline)
        p = page
        # The public API: one endpoint. Every other event below is private.
        # Image events skip Gradio's preprocessing (see ui.handlers.file_path): our checks judge the file.
        raw: dict[str, Any] = {"preprocess": False}
        endpoint = ApiEndpoint(play)
        p.api_trigger.click(endpoint.generate, inputs_kwargs=p.api_in, outputs=p.api_out, api_name="generate",
                            api_description=API_DESCRIPTION, **raw)

        results = [p.status, p.request_id, p.video, p.facts, p.download, p.seed]
        to_updates = _updates(page)
        private: dict[str, Any] = {"api_visibility": "private"}
        quick: dict[str, Any] = {"queue": False, "api_visibility": "private", "show_progress": "hidden"}
        # Cancel wiring. The job runs in its own task (ui.jobs.LiveJob); Generate's handler only
        # *watches* it. Cancel stops that watcher with cancels=, and its own handler asks RunComfy to
        # cancel: a queued job is cancelled (nothing billed), while a running one cannot be, so the
        # Cancel handler says so and goes on streaming the same job until its video arrives. (If the
        # Generate handler is stopped any other way, e.g. the tab closes, the job goes on into the
        # history; with the history off, it is cancelled only while it may still be queued.)
        form_inputs = {"prompt": p.prompt, "image": p.image, "image_url": p.image_url, "source": p.source,
                       "seed": p.seed, "random_seed": p.random_seed, "frames": p.frames, "session": p.session,
                       "owner": p.history.owner}
        events = HistoryEvents(history, page)
        events.before_run()  # must come first: the page runs a click's events in order, awaiting streams
        run = p.generate.click(_streamed(play.generate, to_updates), inputs_kwargs=form_inputs,
                               outputs=results, show_progress="hidden", **private, **raw)
        stop = p.cancel.click(_streamed(play.cancel, to_updates), inputs_kwargs={"session": p.session},
                              outputs=results, cancels=[run], show_progress="hidden", **private)
        # A new Generate takes the page back from a Cancel that is still following a running job.
        p.generate.click(None, cancels=[stop])

        # After an example fills the form, show its tab: the URL tab for the schema's default.
        p.examples.load_input_event.then(form.apply_example, inputs=[p.image, p.image_url],
                                         outputs=[p.tabs, p.source], **quick)
        p.prompt.change(None, inputs=p.prompt, outputs=p.counter, js=COUNTER_JS, **private)
        p.image.change(form.check_image, inputs=p.image, outputs=p.image_check, **quick, **raw)
        p.image_url.change(form.check_url, inputs=p.image_url, outputs=p.url_check, **quick)
        p.tab_upload.select(lambda: UPLOAD, outputs=p.source, **quick)
        p.tab_url.select(lambda: URL, outputs=p.source, **quick)
        p.random_seed.change(lambda r: gr.Number(interactive=not r), inputs=p.random_seed, outputs=p.seed,
                             **quick)
        code_triggers = [p.prompt.change, p.image_url.change, p.seed.change, p.random_seed.change,
                         p.frames.change, p.source.change, demo.load]
        code_inputs = [p.prompt, p.source, p.image_url, p.seed, p.random_seed, p.frames]
        gr.on(code_triggers, form.code, inputs=code_inputs, outputs=[p.curl, p.python], **quick)
        key_events = {"outputs": [p.key_box, p.key_status], **quick}
        p.key_use.click(form.set_key, inputs=[p.key_box, p.session], **key_events)
        p.key_box.submit(form.set_key, inputs=[p.key_box, p.session], **key_events)
        p.key_forget.click(form.forget_key, inputs=[p.session], **key_events)
        demo.load(form.on_load, inputs=[p.image], outputs=[p.status, p.image_check], **quick, **raw)
        events.wire(demo, run, stop, _streamed(history.retry_download, to_updates))
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size, api_open=False)
    demo.playground = play  # type: ignore[attr-defined]  # tests reach the limiter and clients here
    demo.history = history  # type: ignore[attr-defined]
    return demo


def resume_at_start(demo: gr.Blocks) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    """A server lifespan that follows the history's unfinished jobs in the background after a restart.

    It runs on the server's own event loop, the one the handlers and the demo's client use.
    """
    panel: HistoryPanel = demo.history  # type: ignore[attr-defined]

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(panel.archive.resume_at_start(panel.play.client), name="resume-at-start")
        try:
            yield
        finally:
            task.cancel()  # whatever is unfinished is resumed at the next start
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


_FRAMES_TEXT = " or ".join(f"{n} (≈{SCHEMA.seconds_for(n)} s)" for n in SCHEMA.frames_choices)
API_DESCRIPTION = (
    "Generate a video. image: a JPEG or PNG file (gradio_client.handle_file), or None with image_url set to "
    f"a public https URL. seed: {SCHEMA.seed_random} = random (the seed used is in facts). frames: "
    f"{_FRAMES_TEXT}. Send your own RunComfy key in an x-api-key header; without one the app's key "
    "(limited per visitor per hour) or its offline preview is used. Streams (None, {state, request_id, "
    "...}) while waiting, then (video, facts)."
)


def public_inputs(settings: Settings) -> Path:
    """The folder of uploaded pictures published for RunComfy when ``RUNCOMFY_PUBLIC_URL`` is set."""
    return settings.outputs_dir / "inputs"


def launch_options(settings: Settings, *, on_space: bool, demo: gr.Blocks | None = None) -> dict[str, Any]:
    """Safe ``launch()`` arguments: no run history, no share link, no MCP, only our outputs served.

    With ``demo``, unfinished jobs of its history are resumed when the server starts.
    """
    # The job history is never served, even if someone puts the data folder inside the outputs.
    db = (settings.data_dir / DB_NAME).resolve()
    # Gradio's file route would otherwise fetch any public URL given to it: refuse, we are no proxy.
    # A crowd's page loads and queue joins go in one at a time, so they never hold the event loop together.
    app_kwargs: dict[str, Any] = {"middleware": [Middleware(RefuseRemoteFiles), Middleware(TakeTurns)]}
    if demo is not None:
        app_kwargs["lifespan"] = resume_at_start(demo)
    return {
        "app_kwargs": app_kwargs,
        "blocked_paths": [str(db), f"{db}-wal", f"{db}-shm"],
        "server_name": "0.0.0.0" if on_space else "127.0.0.1",  # noqa: S104 - a Space must listen on all
        "share": False,
        "run_history": False,  # it would keep every visitor's inputs in their browser, in plain text
        "max_file_size": MAX_UPLOAD_BYTES,
        # Nothing of ours is served by its own path: videos and posters reach a page through Gradio's
        # cache (ui.hosting), under a folder named by their content. Only with RUNCOMFY_PUBLIC_URL are
        # uploaded pictures served from outputs/inputs, for RunComfy to fetch.
        "allowed_paths": [str(public_inputs(settings).resolve())] if settings.public_url else [],
        "show_error": False,  # only our gr.Error sentences reach the page, never raw exceptions
        # Gradio runs at most max_threads queued events at once (default 40), whatever the queue's
        # concurrency says: room for every generation allowed at once, plus the quick events.
        "max_threads": settings.concurrency + 16,
        "enable_monitoring": False,
        "mcp_server": False,
        "ssr_mode": False,
        "footer_links": ["api", "gradio", "settings"],
        "i18n": make_i18n(settings.hourly_limit),
        "theme": gr.themes.Soft(primary_hue="indigo", secondary_hue="rose"),
        "css_paths": [HERE / "theme.css"],
        "head": HEAD,
    }
