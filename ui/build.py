"""Building the page (``build_app``) and the safe launch settings (``launch_options``), apart.

``build_app`` makes the ``gr.Blocks`` without starting a server, with the handlers tests call
(``App.play``, ``App.history``); ``app.py`` builds it and launches it. Read ``build_app`` as the
page's table of contents: what is placed where, then each panel's events, each wired in its file.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from client import DB_NAME, AnyStore, Connection, DailyBudget, PriceBook, Registry, Routes, Settings, connect
from ui.admission import TakeTurns
from ui.api_panel import place_api_panel, wire_api_panel
from ui.batch_panel import BatchHandlers, place_batch, wire_batch
from ui.calls import CheckCalls
from ui.endpoint import ApiEndpoint, place_endpoint, wire_endpoint
from ui.estimate_panel import EstimateHandlers, wire_estimate
from ui.form_panel import FormHandlers, place_form, place_form_examples, wire_form
from ui.handlers import Playground
from ui.header import place_header, wire_header
from ui.history import HistoryHandlers
from ui.history_panel import place_history, wire_history
from ui.hosting import PublicImageHost, RefuseRemoteFiles
from ui.key_panel import KeyHandlers, place_key_panel, wire_key_panel
from ui.links import NOTIFY_JS, JobLinks, wire_job_links
from ui.mcp_tools import McpTools, wire_mcp_tools
from ui.money import Money
from ui.result_panel import place_result, wire_result
from ui.session import VisitorSession, close_session
from ui.story_panel import StoryHandlers, wire_story
from ui.texts import labels
from ui.theme import page_theme
from ui.variations_panel import wire_variations
from ui.visitors import HourlyLimit

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
</script>
<script>""" + NOTIFY_JS + """</script>"""


def make_i18n(hourly_limit: int) -> gr.I18n:
    """English and French labels; the browser's language picks one."""
    return gr.I18n(**labels(hourly_limit))


@dataclass(frozen=True)
class App:
    """A built page and what serves it: the Blocks, the handlers tests call, and the job registry."""

    demo: gr.Blocks
    play: Playground
    history: HistoryHandlers
    registry: Registry


def build_app(
    settings: Settings,
    client: Connection | None = None,
    real_client: Connection | None = None,
    *,
    behind_proxy: bool = False,
    tick_s: float = 1.0,
    store: AnyStore | None = None,
    shared: bool = False,
    sign_in: bool = False,
) -> App:
    """The whole page, not launched.

    ``client`` defaults to ``connect(settings)`` (the offline stand-in when there is no token);
    ``real_client``, used for visitors' own keys, defaults to ``client`` when it is real, else to a
    real-API connection built from the settings. ``behind_proxy`` (on a Space): tell visitors apart
    by the first X-Forwarded-For hop. ``store``: the job history opened by ``app.py`` (None: history
    off); ``shared``: each browser sees only its own jobs. ``sign_in`` (a Space with ``hf_oauth``): a
    "Sign in with Hugging Face" button; the hourly limit then counts per user, and visitors not signed
    in share ``RUNCOMFY_ANON_HOURLY_LIMIT`` per address.
    """
    own = client or connect(settings)
    routes = Routes(own, real_client or (connect(settings, offline=False) if own.offline else own))
    registry = Registry(store, settings.files(), shared=shared)
    play = _playground(settings, routes, registry, behind_proxy=behind_proxy, tick_s=tick_s, sign_in=sign_in)
    history = HistoryHandlers(play, registry)
    t = make_i18n(settings.hourly_limit)
    with gr.Blocks(title="Dreamina 3.0 Pro · image to video", analytics_enabled=False) as demo:
        session = gr.State(VisitorSession(), delete_callback=close_session)
        place_header(t, offline=own.offline, sign_in=sign_in)
        key = place_key_panel(t)
        with gr.Row(equal_height=False):
            form = place_form(t)
            result = place_result(t, form)
        examples = place_form_examples(t, form)
        past = place_history(t)
        batch = place_batch(t)
        api = place_api_panel(t)
        endpoint = place_endpoint()

        wire_header(demo)
        wire_key_panel(key, session, KeyHandlers(play))
        wire_form(form, examples, FormHandlers(play), demo)
        ran = wire_result(result, form, session=session, owner=past.owner, play=play, history=history,
                          demo=demo)
        wire_history(past, form, ran, session=session, panel=history, demo=demo)
        wire_story(form, result, past, StoryHandlers(registry, play.language))
        wire_variations(form, result, play, session=session, owner=past.owner, ran=ran)
        wire_estimate(form, key, ran, session=session, owner=past.owner, handlers=EstimateHandlers(play),
                      demo=demo)
        wire_api_panel(api, form, base_url=routes.real.base_url, demo=demo)
        wire_endpoint(endpoint, ApiEndpoint(play))
        wire_job_links(JobLinks(play, history, result), past.owner, demo)
        wire_batch(batch, BatchHandlers(play), session=session, owner=past.owner)
        if settings.mcp:
            wire_mcp_tools(McpTools(play))
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size, api_open=False)
    return App(demo, play, history, registry)


def _playground(settings: Settings, routes: Routes, registry: Registry, *, behind_proxy: bool, tick_s: float,
                sign_in: bool) -> Playground:
    """The page's handlers and everything they share: its own limiters (no counter is shared across
    pages or tests), its price book and budget, its registry."""
    host = PublicImageHost(settings.public_url, public_inputs(settings)) if settings.public_url else None
    budget = DailyBudget(registry.store, settings.daily_budget_usd) if settings.daily_budget_usd else None
    money = Money(prices=PriceBook(), budget=budget, registry=registry)
    anon = HourlyLimit(settings.anon_hourly_limit) if sign_in else None
    return Playground(routes, limiter=HourlyLimit(settings.hourly_limit), behind_proxy=behind_proxy,
                      image_host=host, tick_s=tick_s, registry=registry, money=money, anon_limiter=anon)


def build_demo(settings: Settings, client: Connection | None = None, real_client: Connection | None = None,
               **options: Any) -> gr.Blocks:
    """:func:`build_app`'s Blocks alone (for whoever only needs the page)."""
    return build_app(settings, client, real_client, **options).demo


def resume_at_start(app: App) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    """A server lifespan that follows the history's unfinished jobs in the background after a restart.

    It runs on the server's own event loop, the one the handlers and the page's connection use.
    """

    @contextlib.asynccontextmanager
    async def lifespan(_server: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(app.registry.resume_at_start(app.play.routes.own), name="resume-at-start")
        try:
            yield
        finally:
            task.cancel()  # whatever is unfinished is resumed at the next start
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


def public_inputs(settings: Settings) -> Path:
    """The folder of uploaded pictures published for RunComfy when ``RUNCOMFY_PUBLIC_URL`` is set."""
    return settings.outputs_dir / "inputs"


def launch_options(settings: Settings, *, on_space: bool, app: App | None = None) -> dict[str, Any]:
    """Safe ``launch()`` arguments: no run history, no share link, only our outputs served.

    With ``app``, unfinished jobs of its history are resumed when the server starts.
    """
    # The job history is never served, even if someone puts the data folder inside the outputs.
    db = (settings.data_dir / DB_NAME).resolve()
    # Gradio's file route would otherwise fetch any public URL given to it: refuse, we are no proxy.
    # A crowd's page loads and queue joins go in one at a time, so they never hold the event loop together.
    app_kwargs: dict[str, Any] = {"middleware": [Middleware(RefuseRemoteFiles), Middleware(TakeTurns)]}
    if app is not None:
        app_kwargs["lifespan"] = resume_at_start(app)
        # A hand-made call that does not fit its event: one warning line, not Gradio's traceback.
        app_kwargs["middleware"].append(Middleware(CheckCalls, blocks=app.demo))
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
        "mcp_server": settings.mcp,  # only generate_video, get_job and estimate (ui.mcp_tools)
        "ssr_mode": False,
        "footer_links": ["api", "gradio", "settings"],
        "i18n": make_i18n(settings.hourly_limit),
        "theme": page_theme(),
        "css_paths": [HERE / "theme.css"],
        "head": HEAD,
    }
