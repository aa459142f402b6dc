"""The history panel ("Your videos"): its components, and its events, each registered once here.

The visitor's owner id comes from their browser (``gr.BrowserState``); the request ids the gallery
shows live in ``gr.State`` on the server, so a click can only name a job this browser was shown.
The panel follows the result panel's events: its timer starts when Generate is pressed (the row
appears at the receipt) and it looks again when a job's stream ends. The handlers it calls are
:class:`~ui.history.HistoryHandlers`; what they return becomes component updates here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from client import Completed, clean_request_id, new_owner_id, valid_owner
from ui.cards import facts_markdown
from ui.form_panel import UPLOAD, URL, FormPanel
from ui.history import Detail, HistoryHandlers, Listing
from ui.history_text import PAGE_SIZE
from ui.messages import msg
from ui.options import PRIVATE, QUICK
from ui.result_panel import ResultEvents
from ui.session import VisitorSession
from ui.story_panel import StoryActions, place_story_actions

# Gradio publishes a BrowserState's key and "secret" in /config, so neither hides anything; they
# must only stay the same across restarts, or every browser would lose its owner id on a redeploy.
OWNER_STORAGE_KEY = "dreamina-playground-owner"
OWNER_STORAGE_SCRAMBLE = "dreamina-playground-owner-v1"


@dataclass(frozen=True)
class HistoryPage:
    """The history panel's components and per-tab states, by name."""

    owner: gr.BrowserState
    problem: gr.Markdown
    gallery: gr.Gallery
    count: gr.Markdown
    refresh: gr.Button
    more: gr.Button
    video: gr.Video
    facts: gr.Markdown
    reuse: gr.Button
    retry: gr.Button
    delete: gr.Button
    story: StoryActions  # continue from its last frame, stitch its story
    detail_col: gr.Column  # the selected job's pane: hidden while none is selected
    confirm: gr.Group  # "Delete for good?" with its two buttons, shown by Delete
    delete_yes: gr.Button
    delete_no: gr.Button
    note: gr.Markdown
    recover_id: gr.Textbox
    recover_go: gr.Button
    recover_status: gr.Markdown
    ids: gr.State
    selected: gr.State
    limit: gr.State
    signature: gr.State
    timer: gr.Timer


def place_history(t: gr.I18n) -> HistoryPage:
    """Place the history panel; call inside ``with gr.Blocks():`` where it should appear."""
    owner = gr.BrowserState(None, storage_key=OWNER_STORAGE_KEY, secret=OWNER_STORAGE_SCRAMBLE)
    hidden: dict[str, Any] = {"visible": False}
    with gr.Accordion(t("history_panel"), open=True, elem_id="history-panel"):
        problem = gr.Markdown(elem_id="history-problem", **hidden)
        gr.Markdown(t("history_info"), elem_id="history-info")
        with gr.Row(equal_height=True):
            count = gr.Markdown(elem_id="history-count")
            refresh = gr.Button(t("history_refresh"), size="sm", elem_id="history-refresh", scale=0)
            more = gr.Button(t("history_more"), size="sm", elem_id="history-more", scale=0, **hidden)
        with gr.Row(equal_height=False):
            with gr.Column(scale=6):
                # Hidden while there is nothing to show: an empty history is one short line, not a void.
                gallery = gr.Gallery(show_label=False, columns=4, height="auto", allow_preview=False,
                                     visible=False,
                                     object_fit="cover", interactive=False, elem_id="history-gallery",
                                     buttons=[], format="jpeg", fit_columns=False)
            with gr.Column(scale=5, elem_id="history-detail", visible=False) as detail_col:
                video = gr.Video(show_label=False, interactive=False, autoplay=False, height=260,
                                 elem_id="history-video", **hidden)
                facts = gr.Markdown(elem_id="history-facts")
                with gr.Row():
                    reuse = gr.Button(t("history_reuse"), size="sm", variant="primary",
                                      elem_id="history-reuse", **hidden)
                    retry = gr.Button(t("history_retry"), size="sm", elem_id="history-retry", **hidden)
                    delete = gr.Button(t("history_delete"), size="sm", variant="stop", icon=None,
                                       elem_id="history-delete", elem_classes=["pg-danger"], **hidden)
                story = place_story_actions(t)
                # Deleting takes the video and its files for good: a second, explicit click.
                with gr.Group(elem_id="history-confirm", **hidden) as confirm:
                    gr.Markdown(t("history_confirm"), elem_id="history-confirm-text")
                    with gr.Row():
                        delete_yes = gr.Button(t("history_delete_yes"), size="sm", variant="stop",
                                               elem_id="history-delete-yes", elem_classes=["pg-danger"])
                        delete_no = gr.Button(t("history_delete_no"), size="sm", elem_id="history-delete-no")
        note = gr.Markdown(elem_id="history-note")  # outside the pane: "Deleted." outlives the job's pane
        with gr.Row(equal_height=False, elem_classes=["pg-inline"]):
            recover_id = gr.Textbox(label=t("recover_box"), placeholder=t("recover_placeholder"),
                                    elem_id="recover-id", scale=4, min_width=200, max_lines=1)
            recover_go = gr.Button(t("recover_go"), elem_id="recover-go", scale=0, min_width=120)
        recover_status = gr.Markdown(elem_id="recover-status")
    return HistoryPage(
        owner=owner, problem=problem, gallery=gallery, count=count, refresh=refresh, more=more, video=video,
        facts=facts, reuse=reuse, retry=retry, delete=delete, story=story, detail_col=detail_col,
        confirm=confirm, delete_yes=delete_yes, delete_no=delete_no, note=note, recover_id=recover_id,
        recover_go=recover_go, recover_status=recover_status, ids=gr.State([]), selected=gr.State(None),
        limit=gr.State(PAGE_SIZE), signature=gr.State(None), timer=gr.Timer(2.0, active=False),
    )


class HistoryEvents:
    """The panel's event functions, bound to its components (``h``) and the form (``f``)."""

    def __init__(self, panel: HistoryHandlers, history: HistoryPage, form: FormPanel) -> None:
        self.panel = panel
        self.h = history
        self.f = form

    def _lang(self, request: gr.Request | None) -> str:
        return self.panel.play.language(request)

    def listing_outputs(self) -> list[Any]:
        """The components one look at the history updates."""
        h = self.h
        return [h.gallery, h.ids, h.count, h.more, h.timer, h.signature]

    def detail_outputs(self) -> list[Any]:
        """The components of the detail pane."""
        h = self.h
        return [h.selected, h.video, h.facts, h.reuse, h.retry, h.delete, h.confirm, h.story.continue_btn,
                h.story.stitch_btn, h.story.story_file, h.story.note, h.detail_col]

    def _listing(
        self, listing: Listing, *, watching: bool = False, unchanged: bool = False
    ) -> dict[Any, Any]:
        h = self.h
        timer = gr.Timer(active=listing.active or watching)
        if unchanged:  # nothing new: leave the gallery alone (no flicker, the selection stays)
            return {h.gallery: gr.skip(), h.ids: gr.skip(), h.count: gr.skip(), h.more: gr.skip(),
                    h.timer: timer, h.signature: gr.skip()}
        return {h.gallery: gr.Gallery(listing.items, visible=bool(listing.items)), h.ids: listing.ids,
                h.count: listing.count,
                h.more: gr.Button(visible=listing.more), h.timer: timer, h.signature: listing.signature}

    def _detail(self, detail: Detail) -> dict[Any, Any]:
        h = self.h
        video = str(detail.video) if detail.video else None
        return {h.selected: detail.request_id, h.video: gr.Video(value=video, visible=video is not None),
                h.facts: detail.facts, h.reuse: gr.Button(visible=detail.reuse),
                h.retry: gr.Button(visible=detail.retry), h.delete: gr.Button(visible=detail.delete),
                h.confirm: gr.Group(visible=False),
                h.story.continue_btn: gr.Button(visible=detail.continue_ok),
                h.story.stitch_btn: gr.Button(visible=detail.clips > 1),
                h.story.story_file: gr.DownloadButton(visible=False), h.story.note: "",
                h.detail_col: gr.Column(visible=detail.request_id is not None)}

    # -- events ----------------------------------------------------------------------------------------

    async def on_load(self, owner: Any, limit: Any, request: gr.Request) -> dict[Any, Any]:
        """A page opens: give the browser an owner id if it has none, then show its history."""
        lang = self._lang(request)
        mine = valid_owner(owner) or new_owner_id()
        listing = await self.panel.listing(mine, limit, lang)
        registry = self.panel.registry
        problem = registry.problem
        banner = ""
        if problem:
            # A visitor of a shared app can do nothing about the server's disk: the operator reads the log.
            banner = (msg(lang, "hist_off_shared") if registry.shared
                      else msg(lang, "hist_off_local", problem=problem))
        return {self.h.owner: mine if mine != owner else gr.skip(),
                self.h.problem: gr.Markdown(banner, visible=bool(banner)), **self._listing(listing)}

    async def on_refresh(self, owner: Any, limit: Any, request: gr.Request) -> dict[Any, Any]:
        """Refresh (and after every change): the newest jobs again."""
        return self._listing(await self.panel.listing(owner, limit, self._lang(request)))

    async def on_more(self, owner: Any, limit: Any, request: gr.Request) -> dict[Any, Any]:
        """Show one more page of older jobs."""
        bigger = int(limit or PAGE_SIZE) + PAGE_SIZE
        listing = await self.panel.listing(owner, bigger, self._lang(request))
        return {self.h.limit: bigger, **self._listing(listing)}

    async def on_tick(
        self, owner: Any, limit: Any, signature: Any, session: VisitorSession, request: gr.Request
    ) -> dict[Any, Any]:
        """While something is on its way: look again, and redraw only when a job changed."""
        listing = await self.panel.listing(owner, limit, self._lang(request))
        same = signature is not None and tuple(map(tuple, signature)) == listing.signature
        return self._listing(listing, watching=self.panel.watching(session), unchanged=same)

    async def on_select(
        self, ids: list[str], owner: Any, evt: gr.SelectData, request: gr.Request
    ) -> dict[Any, Any]:
        """A gallery item is clicked: its video, facts and actions."""
        index = evt.index if isinstance(evt.index, int) else -1
        rid = ids[index] if ids and 0 <= index < len(ids) else None
        detail = await self.panel.detail(rid, owner, self._lang(request))
        return {**self._detail(detail), self.h.note: ""}

    async def on_reuse(self, selected: Any, owner: Any, request: gr.Request) -> dict[Any, Any]:
        """Put the selected job's settings back in the form."""
        p, lang = self.f, self._lang(request)
        fill = await self.panel.reuse(selected, owner, lang)
        if fill is None:
            return {self.h.note: msg(lang, "hist_gone")}
        updates: dict[Any, Any] = {p.prompt: fill.prompt, self.h.note: fill.note}
        if fill.image is not None or not fill.image_url:
            updates.update({p.tabs: gr.Tabs(selected=UPLOAD), p.source: UPLOAD})
            if fill.image is not None:
                updates[p.image] = str(fill.image)
        else:
            updates.update({p.tabs: gr.Tabs(selected=URL), p.source: URL, p.image_url: fill.image_url})
        if fill.seed is not None:
            updates.update({p.seed: fill.seed, p.random_seed: False})
        if fill.frames:
            updates[p.frames] = fill.frames
        return updates

    async def on_delete(self, selected: Any, owner: Any, limit: Any, request: gr.Request) -> dict[Any, Any]:
        """Delete the selected job (only this browser's), then show the history again."""
        lang = self._lang(request)
        note = await self.panel.delete(selected, owner, lang)
        listing = await self.panel.listing(owner, limit, lang)
        detail = await self.panel.detail(selected, owner, lang)
        if detail.request_id is None:
            detail = Detail(None)
        return {self.h.note: note, **self._detail(detail), **self._listing(listing)}

    def fetch_event(self, status: Any) -> Callable[..., AsyncIterator[dict[Any, Any]]]:
        """Recover-by-id / retry: stream the steps into ``status``, then show the job."""

        async def run(request_id: Any, owner: Any, session: VisitorSession,
                      request: gr.Request) -> AsyncIterator[dict[Any, Any]]:
            lang = self._lang(request)
            first = True
            async for step in self.panel.fetch(request_id, owner, session, lang):
                updates: dict[Any, Any] = {status: step.text}
                if first and status is not self.h.note:
                    updates[self.h.note] = ""  # an old "Deleted." must not sit beside a recovered job
                first = False
                if step.final and not step.failed:
                    detail = await self.panel.detail(clean_request_id(request_id), owner, lang)
                    if detail.request_id is None and isinstance(step.event, Completed):
                        # History off: nothing was recorded, but the video is here; show it anyway.
                        done = step.event
                        facts = facts_markdown(done.video.facts, seed=None, total_s=done.elapsed,
                                               cost=done.cost, lang=lang)
                        detail = Detail(done.request_id, done.video.path, facts)
                    updates.update(self._detail(detail))
                yield updates

        return run


def wire_history(
    h: HistoryPage, form: FormPanel, ran: ResultEvents, *, session: gr.State, panel: HistoryHandlers,
    demo: gr.Blocks,
) -> None:
    """Attach every history event; ``ran`` are the result panel's Generate, Cancel and Retry events."""
    events = HistoryEvents(panel, h, form)
    listing, detail = events.listing_outputs(), events.detail_outputs()
    where = [h.owner, h.limit]
    demo.load(events.on_load, inputs=where, outputs=[h.owner, h.problem, *listing], **PRIVATE)
    refresh: dict[str, Any] = {"fn": events.on_refresh, "inputs": where, "outputs": listing, **PRIVATE}
    h.refresh.click(**refresh)
    h.more.click(events.on_more, inputs=where, outputs=[h.limit, *listing], **PRIVATE)
    h.timer.tick(events.on_tick, inputs=[*where, h.signature, session], outputs=listing, **PRIVATE)
    h.gallery.select(events.on_select, inputs=[h.ids, h.owner], outputs=[*detail, h.note], **PRIVATE)
    filled = [form.prompt, form.image, form.image_url, form.tabs, form.source, form.seed, form.random_seed,
              form.frames, h.note]
    h.reuse.click(events.on_reuse, inputs=[h.selected, h.owner], outputs=filled, **PRIVATE)
    asking = [h.confirm, h.delete]
    h.delete.click(lambda: (gr.Group(visible=True), gr.Button(visible=False)), outputs=asking, **QUICK)
    h.delete_no.click(lambda: (gr.Group(visible=False), gr.Button(visible=True)), outputs=asking, **QUICK)
    h.delete_yes.click(events.on_delete, inputs=[h.selected, h.owner, h.limit],
                       outputs=[h.note, *detail, *listing], **PRIVATE)
    h.retry.click(events.fetch_event(h.note), inputs=[h.selected, h.owner, session],
                  outputs=[h.note, *detail], **PRIVATE).then(**refresh)
    recover: dict[str, Any] = {"inputs": [h.recover_id, h.owner, session],
                               "outputs": [h.recover_status, h.note, *detail], **PRIVATE}
    h.recover_go.click(events.fetch_event(h.recover_status), **recover).then(**refresh)
    h.recover_id.submit(events.fetch_event(h.recover_status), **recover).then(**refresh)
    # Generate pressed: watch the history (the row appears at the receipt). A stream ended: look again.
    ran.press.then(lambda: gr.Timer(active=True), outputs=h.timer, **QUICK)
    for ended in (ran.run, ran.stop, ran.retry):
        ended.then(**refresh)
