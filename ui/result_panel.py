"""The result: the status card, the receipt, the video and its facts; what Generate, Cancel and Retry do.

Generate is one chain, so nothing depends on the order events are registered in: the press (a quick
step hiding an old "Retry download"), then the job's stream. Cancel first stops that stream (Gradio's
``cancels=``), then streams what RunComfy said: a queued job is cancelled (nothing billed); a running
one cannot be, so its video is still followed here. A new Generate takes the page back from a Cancel
still following a running job. The job itself runs in its own task (``client.LiveJob``): stopping a
stream never loses a paid job. The events are returned (:class:`ResultEvents`) for the history
panel to follow.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ui.form_panel import FormPanel
from ui.handlers import Playground
from ui.history import HistoryHandlers
from ui.hosting import into_gradio_cache
from ui.messages import msg
from ui.options import PRIVATE, QUICK, RAW
from ui.screens import KEEP, Screen, screen
from ui.session import VisitorSession
from ui.story_panel import place_continue_button
from ui.variations_grid import place_variations_grid

# On Generate, bring the status card (and the video under it) into view if it is not: on a laptop the
# result column is sticky beside the form, on a phone it sits below Generate. Runs in the browser only.
SHOW_STATUS_JS = """() => {
  const card = document.querySelector('#status');
  if (card) {
    const r = card.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) card.scrollIntoView({block: 'start', behavior: 'smooth'});
  }
  return [];
}"""


@dataclass(frozen=True)
class ResultPanel:
    """The result column's components."""

    status: gr.HTML
    request_id: gr.Textbox
    video: gr.Video
    facts: gr.Markdown
    download: gr.DownloadButton
    retry: gr.Button
    continue_box: gr.Column  # holds "Continue from last frame", shown with the download (ui.story_panel)
    continue_btn: gr.Button
    grid: gr.HTML  # the players of a set of variations (ui.variations_panel)
    keep: gr.Radio  # "Keep" one variation's seed

    def shown(self) -> list[Any]:
        """What a Screen updates, in order."""
        return [self.status, self.request_id, self.video, self.facts, self.download, self.continue_box,
                self.grid, self.keep]


@dataclass(frozen=True)
class ResultEvents:
    """The events other panels follow: Generate pressed, and the three streams that can end a job."""

    press: Any
    run: Any
    stop: Any
    retry: Any


def place_result(t: gr.I18n, form: FormPanel) -> ResultPanel:
    """Place the result column, headed by the form's Generate, Cancel and estimate; call inside a
    ``gr.Row`` beside the form."""
    with gr.Column(scale=6, elem_id="result-col"):
        with gr.Row(elem_id="actions"):
            form.generate.render()
            form.cancel.render()
        form.estimate.render()
        status = gr.HTML(elem_id="status", padding=False)
        request_id = gr.Textbox(label=t("request_id"), interactive=False, buttons=["copy"],
                                elem_id="request-id", placeholder="—")
        video = gr.Video(show_label=False, autoplay=True, loop=True, interactive=False, elem_id="video",
                         height=380)
        facts = gr.Markdown(elem_id="facts")
        download = gr.DownloadButton(t("download"), visible=False, variant="primary", elem_id="download")
        retry = gr.Button(t("history_retry"), visible=False, elem_id="retry-download")
        continue_box, continue_btn = place_continue_button(t)
        grid, keep = place_variations_grid(t)
    return ResultPanel(status, request_id, video, facts, download, retry, continue_box, continue_btn, grid,
                       keep)


def _updates(result: ResultPanel, seed: gr.Number) -> Callable[[Screen], dict[Any, Any]]:
    """Turn a Screen into updates of the result components and the seed box (``KEEP``: ``gr.skip()``)."""

    def keep(value: Any, make: Callable[[Any], Any] = lambda v: v) -> Any:
        return gr.skip() if value is KEEP else make(value)

    def download(path: Any) -> gr.DownloadButton:
        return gr.DownloadButton(value=str(path) if path else None, visible=bool(path))

    def to_updates(s: Screen) -> dict[Any, Any]:
        return {
            result.status: s.status,
            result.request_id: keep(s.request_id),
            result.video: keep(s.video, lambda v: gr.Video(value=str(v) if v else None, visible=True)),
            result.facts: keep(s.facts),
            result.download: keep(s.download, download),
            result.continue_box: keep(s.download, lambda path: gr.Column(visible=bool(path))),
            # One video in the player: a set of variations shown before goes.
            result.grid: keep(s.video, lambda _: ""),
            result.keep: keep(s.video, lambda _: gr.Radio(choices=[], visible=False)),
            seed: keep(s.seed),
        }

    return to_updates


def _streamed(
    handler: Callable[..., AsyncIterator[Screen]], to_updates: Callable[[Screen], dict[Any, Any]]
) -> Callable[..., AsyncIterator[dict[Any, Any]]]:
    """Wrap a Screen-yielding handler so it yields component updates; keeps the signature for Gradio."""

    @functools.wraps(handler)
    async def run(*args: Any, **kwargs: Any) -> AsyncIterator[dict[Any, Any]]:
        async for update in handler(*args, **kwargs):
            yield to_updates(await _cached(update))

    return run


async def _cached(shown: Screen) -> Screen:
    """``shown`` with its video and download placed in Gradio's cache (hashed off the event loop)."""
    changes = {name: await into_gradio_cache(path) for name in ("video", "download")
               if isinstance(path := getattr(shown, name), Path)}
    return dataclasses.replace(shown, **changes) if changes else shown


def _idle(play: Playground) -> Callable[[gr.Request], str]:
    def idle(request: gr.Request) -> str:
        """A new tab: the idle status card, in the visitor's language."""
        lang = play.language(request)
        return screen("idle", lang, msg(lang, "idle")).status

    return idle


def _clear_refusal(play: Playground) -> Callable[[VisitorSession, gr.Request], Any]:
    def clear(session: VisitorSession, request: gr.Request) -> Any:
        """An input changed: a refusal about the old inputs goes (the idle card comes back)."""
        if session is None or not session.refused:
            return gr.skip()
        session.refused = False
        lang = play.language(request)
        return screen("idle", lang, msg(lang, "idle")).status

    return clear


def offer_retry(session: VisitorSession) -> gr.Button:
    """After a job's stream ends: offer "Retry download" if its video did not come."""
    return gr.Button(visible=session.download_failed is not None)


def wire_result(
    result: ResultPanel,
    form: FormPanel,
    *,
    session: gr.State,
    owner: gr.BrowserState,
    play: Playground,
    history: HistoryHandlers,
    demo: gr.Blocks,
) -> ResultEvents:
    """Generate, Cancel and Retry download, each registered once; see the module docstring."""
    to_updates = _updates(result, form.seed)
    shown = [*result.shown(), form.seed]
    press = form.generate.click(lambda: gr.Button(visible=False), outputs=result.retry, js=SHOW_STATUS_JS,
                                **QUICK)
    # Named apart from the public /generate (ui.endpoint), whatever order the two are registered in.
    run = press.then(_streamed(play.generate, to_updates), inputs_kwargs={**form.job_inputs(),
                     "session": session, "owner": owner}, outputs=shown, api_name="page_generate",
                     **PRIVATE, **RAW)
    stop = form.cancel.click(None, cancels=[run], **QUICK).then(
        _streamed(play.cancel, to_updates), inputs_kwargs={"session": session}, outputs=shown, **PRIVATE)
    press.then(None, cancels=[stop], **QUICK)
    retry = result.retry.click(_streamed(history.retry_download, to_updates),
                               inputs_kwargs={"session": session, "owner": owner}, outputs=shown, **PRIVATE)
    for ended in (run, stop, retry):
        ended.then(offer_retry, inputs=session, outputs=result.retry, **QUICK)
    demo.load(_idle(play), outputs=result.status, **QUICK)
    for changed in (form.prompt, form.image, form.image_url, form.frames, form.seed):
        changed.change(_clear_refusal(play), inputs=session, outputs=result.status, **QUICK)
    return ResultEvents(press, run, stop, retry)
