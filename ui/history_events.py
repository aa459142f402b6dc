"""Wiring the history panel: Gradio events that call :class:`~ui.history.HistoryPanel` and update the page.

Every event here is private (``api_visibility="private"``): ``/generate`` stays the only public
endpoint. The visitor's owner id comes from their browser (``gr.BrowserState``); the request ids
the gallery shows live in ``gr.State`` on the server, so a click can only name a job this browser
was shown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import gradio as gr

from client.events import Completed
from ui.form import UPLOAD, URL
from ui.history import Detail, HistoryPanel, Listing
from ui.history_archive import clean_request_id, new_owner_id, valid_owner
from ui.history_view import PAGE_SIZE, HistoryPage
from ui.jobs import VisitorSession
from ui.messages import msg

if TYPE_CHECKING:
    from ui.layout import Page

PRIVATE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
QUICK: dict[str, Any] = {"queue": False, **PRIVATE}


class HistoryEvents:
    """The panel's event functions, bound to its components (``h``) and the form (``p``)."""

    def __init__(self, panel: HistoryPanel, page: Page) -> None:
        self.panel = panel
        self.p = page
        self.h: HistoryPage = page.history

    def _lang(self, request: gr.Request | None) -> str:
        return self.panel.play.language(request)

    def listing_outputs(self) -> list[Any]:
        """The components one look at the history updates."""
        h = self.h
        return [h.gallery, h.ids, h.count, h.more, h.timer, h.signature]

    def detail_outputs(self) -> list[Any]:
        """The components of the detail pane."""
        h = self.h
        return [h.selected, h.video, h.facts, h.reuse, h.retry, h.delete]

    def _listing(
        self, listing: Listing, *, watching: bool = False, unchanged: bool = False
    ) -> dict[Any, Any]:
        h = self.h
        timer = gr.Timer(active=listing.active or watching)
        if unchanged:  # nothing new: leave the gallery alone (no flicker, the selection stays)
            return {h.gallery: gr.skip(), h.ids: gr.skip(), h.count: gr.skip(), h.more: gr.skip(),
                    h.timer: timer, h.signature: gr.skip()}
        return {h.gallery: listing.items, h.ids: listing.ids, h.count: listing.count,
                h.more: gr.Button(visible=listing.more), h.timer: timer, h.signature: listing.signature}

    def _detail(self, detail: Detail) -> dict[Any, Any]:
        h = self.h
        video = str(detail.video) if detail.video else None
        return {h.selected: detail.request_id, h.video: gr.Video(value=video, visible=video is not None),
                h.facts: detail.facts, h.reuse: gr.Button(visible=detail.reuse),
                h.retry: gr.Button(visible=detail.retry), h.delete: gr.Button(visible=detail.delete)}

    # -- events ----------------------------------------------------------------------------------------

    async def on_load(self, owner: Any, limit: Any, request: gr.Request) -> dict[Any, Any]:
        """A page opens: give the browser an owner id if it has none, then show its history."""
        lang = self._lang(request)
        mine = valid_owner(owner) or new_owner_id()
        listing = await self.panel.listing(mine, limit, lang)
        archive = self.panel.archive
        problem = archive.problem
        banner = ""
        if problem:
            # A visitor of a shared app can do nothing about the server's disk: the operator reads the log.
            banner = (msg(lang, "hist_off_shared") if archive.shared
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
        p, lang = self.p, self._lang(request)
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
            async for step in self.panel.fetch(request_id, owner, session, lang):
                updates: dict[Any, Any] = {status: step.text}
                if step.final and not step.failed:
                    detail = await self.panel.detail(clean_request_id(request_id), owner, lang)
                    if detail.request_id is None and isinstance(step.event, Completed):
                        # History off: nothing was recorded, but the video is here; show it anyway.
                        video = step.event.video
                        detail = Detail(step.event.request_id, video.path, video.facts.summary())
                    updates.update(self._detail(detail))
                yield updates

        return run

    async def after_run(self, session: VisitorSession) -> gr.Button:
        """After Generate (or Cancel, or a retry) ends: offer Retry download if the video did not come."""
        return gr.Button(visible=session.download_failed is not None)

    # -- wiring --------------------------------------------------------------------------------------

    def before_run(self) -> None:
        """Generate starts: watch the history (the row appears at the receipt), drop an old retry.

        Registered before Generate's own event: Gradio's page runs the events of one click in
        order and waits for a streaming one to end before starting the next.
        """
        self.p.generate.click(lambda: (gr.Timer(active=True), gr.Button(visible=False)),
                              outputs=[self.h.timer, self.p.retry_download], **QUICK)

    def wire(self, demo: gr.Blocks, run: Any, stop: Any, retry_run: Callable[..., Any]) -> None:
        """Attach every history event; ``run``/``stop`` are Generate's and Cancel's events."""
        h, p = self.h, self.p
        listing, detail = self.listing_outputs(), self.detail_outputs()
        where = [h.owner, h.limit]
        demo.load(self.on_load, inputs=where, outputs=[h.owner, h.problem, *listing], **PRIVATE)
        refresh: dict[str, Any] = {"fn": self.on_refresh, "inputs": where, "outputs": listing, **PRIVATE}
        h.refresh.click(**refresh)
        h.more.click(self.on_more, inputs=where, outputs=[h.limit, *listing], **PRIVATE)
        h.timer.tick(self.on_tick, inputs=[*where, h.signature, p.session], outputs=listing, **PRIVATE)
        h.gallery.select(self.on_select, inputs=[h.ids, h.owner], outputs=[*detail, h.note], **PRIVATE)
        form = [p.prompt, p.image, p.image_url, p.tabs, p.source, p.seed, p.random_seed, p.frames, h.note]
        h.reuse.click(self.on_reuse, inputs=[h.selected, h.owner], outputs=form, **PRIVATE)
        h.delete.click(self.on_delete, inputs=[h.selected, h.owner, h.limit],
                       outputs=[h.note, *detail, *listing], **PRIVATE)
        h.retry.click(self.fetch_event(h.note), inputs=[h.selected, h.owner, p.session],
                      outputs=[h.note, *detail], **PRIVATE).then(**refresh)
        recover: dict[str, Any] = {"inputs": [h.recover_id, h.owner, p.session],
                                   "outputs": [h.recover_status, *detail], **PRIVATE}
        h.recover_go.click(self.fetch_event(h.recover_status), **recover).then(**refresh)
        h.recover_id.submit(self.fetch_event(h.recover_status), **recover).then(**refresh)
        again: dict[str, Any] = {"fn": self.after_run, "inputs": p.session, "outputs": p.retry_download,
                                 **QUICK}
        for event in (run, stop):
            event.then(**again).then(**refresh)
        p.retry_download.click(retry_run, inputs_kwargs={"session": p.session, "owner": h.owner},
                               outputs=[p.status, p.request_id, p.video, p.facts, p.download, p.seed],
                               **PRIVATE).then(**again).then(**refresh)
