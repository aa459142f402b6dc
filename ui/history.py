"""The history panel's handlers: list a visitor's jobs, show one, reuse, delete, retry, recover by id.

Every method takes the browser's owner id (from ``gr.BrowserState``) and asks the store through the
job :class:`~client.Registry`, which decides what that id may see: a request id alone never reaches
another owner's job (ids shown in the gallery are kept server-side, in ``gr.State``). Store calls
and file work run in worker threads; the methods return plain data (tests read it), and
:mod:`ui.history_panel` turns it into component updates.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from client import (
    ENDED_BADLY,
    LOCAL_OWNER,
    UNFINISHED_STATES,
    Completed,
    Event,
    JobRecord,
    Registry,
    RunComfyError,
    clean_request_id,
    recover_events,
)
from ui.gallery import Gallery
from ui.handlers import Playground
from ui.history_text import PAGE_SIZE, caption, count_text, job_facts, needs_fetch
from ui.hosting import into_gradio_cache, place_in_gradio_cache
from ui.messages import msg
from ui.screens import Screen, error_sentence, event_screen, screen
from ui.session import VisitorSession

ACTIVE_START_S = 60.0  # a Generate that has not sent anything yet keeps the panel watching this long


@dataclass(frozen=True)
class Listing:
    """One look at a visitor's history: the gallery's items and what goes with them."""

    items: list[tuple[Any, str]]  # (poster path | thumbnail | image URL, caption), newest first
    ids: list[str]  # the request id of each item, kept server-side for select/delete
    count: str
    more: bool  # older jobs exist beyond the page
    active: bool  # something shown is still on its way: keep refreshing
    signature: tuple[tuple[str, str, float], ...]  # (id, state, updated) of each item


@dataclass(frozen=True)
class Detail:
    """The selected job: its video, its facts, and which actions make sense for it."""

    request_id: str | None
    video: Path | None = None
    facts: str = ""
    reuse: bool = False
    retry: bool = False
    delete: bool = False
    continue_ok: bool = False  # it succeeded and its video is here: its last frame can start the next
    clips: int = 0  # clips of its story up to it (2 or more: it can be stitched)


@dataclass(frozen=True)
class FetchStep:
    """One step of fetching a job again: a sentence, the event behind it, and whether it is the end."""

    text: str
    event: Event | None = None
    final: bool = False
    failed: bool = False


@dataclass(frozen=True)
class FormFill:
    """A past job's settings, ready to put back in the form (``image`` None: the picture was not kept)."""

    prompt: str
    image: Path | None
    image_url: str
    seed: int | None
    frames: int | None
    note: str


class HistoryHandlers:
    """The panel's handlers, bound to a page's :class:`Playground` and job :class:`Registry`."""

    def __init__(self, play: Playground, registry: Registry) -> None:
        self.play = play
        self.registry = registry
        self.store = registry.store
        self.files = registry.files
        self.gallery = Gallery(registry.files)

    # -- listing ---------------------------------------------------------------------------------

    def _list(self, owner: Any, limit: int, lang: str) -> Listing:
        who = self.registry.listing_owner(owner)
        jobs = self.store.list_jobs(owner=who, limit=limit)
        total = self.store.count(owner=who) if len(jobs) >= limit else len(jobs)
        now = time.time()
        items = [(self.gallery.picture(job), caption(job, lang, now)) for job in jobs]
        active = any(j.state in UNFINISHED_STATES and self.registry.is_followed(j.request_id) for j in jobs)
        return Listing(items, [j.request_id for j in jobs], count_text(len(jobs), total, lang),
                       total > len(jobs), active, tuple((j.request_id, j.state, j.updated_at) for j in jobs))

    async def listing(self, owner: Any, limit: int | None, lang: str) -> Listing:
        """The newest ``limit`` jobs this browser may see (everyone's on a local run)."""
        return await asyncio.to_thread(self._list, owner, max(1, int(limit or PAGE_SIZE)), lang)

    # -- one job ---------------------------------------------------------------------------------

    async def job(self, request_id: Any, owner: Any) -> JobRecord | None:
        """The job if this browser may see it, else None (another's job looks like a missing one)."""
        if not isinstance(request_id, str) or not request_id:
            return None
        return await asyncio.to_thread(self.store.get, request_id, self.registry.listing_owner(owner))

    def _detail(self, job: JobRecord, lang: str) -> Detail:
        followed = self.registry.is_followed(job.request_id)
        video = None
        if job.has_local_video and job.video_path is not None and job.video_path.is_file():
            video = place_in_gradio_cache(job.video_path)
        clips = len(self.store.story_of(job.request_id)) if job.parent_id else 1
        facts = job_facts(job, lang, followed=followed)
        if clips > 1:
            facts += "\n\n" + msg(lang, "story_clip", n=clips, parent=job.parent_id)
        return Detail(job.request_id, video, facts, reuse=bool(job.prompt),
                      retry=needs_fetch(job, followed=followed), delete=not followed,
                      continue_ok=video is not None and job.state == "succeeded", clips=clips)

    async def detail(self, request_id: Any, owner: Any, lang: str) -> Detail:
        """What the detail pane shows for a job (an empty pane when it is not this browser's)."""
        job = await self.job(request_id, owner)
        if job is None:
            return Detail(None, facts=msg(lang, "hist_gone") if request_id else "")
        return await asyncio.to_thread(self._detail, job, lang)  # stats and maybe copies files

    async def reuse(self, request_id: Any, owner: Any, lang: str) -> FormFill | None:
        """The job's prompt, picture (the kept input), seed and length; None if it is not this browser's."""
        job = await self.job(request_id, owner)
        if job is None:
            return None
        kept = await asyncio.to_thread(self.files.input_of, job.request_id)
        image = await into_gradio_cache(kept) if kept else None
        missing = image is None and not job.image_url
        return FormFill(job.prompt, image, job.image_url or "", job.seed, job.frames,
                        msg(lang, "hist_reuse_no_image" if missing else "hist_reused"))

    async def delete(self, request_id: Any, owner: Any, lang: str) -> str:
        """Delete the job, its video, input and poster if this browser owns it; a sentence either way."""
        job = await self.job(request_id, owner)
        if job is None:
            return msg(lang, "hist_gone")
        if self.registry.is_followed(job.request_id):
            return msg(lang, "hist_delete_running")  # its receipt must outlive the run
        who = self.registry.listing_owner(owner)
        # Found before the video goes: the copies are named by its content.
        copies = await asyncio.to_thread(self.gallery.cached_copies, job)
        deleted = await asyncio.to_thread(self.files.delete, self.store, job, who, copies=copies)
        return msg(lang, "hist_deleted" if deleted else "hist_gone")

    # -- fetching again ----------------------------------------------------------------------------

    async def _fetch_owner(self, request_id: str, owner: Any) -> str:
        """Whose name a fetched job is recorded under; a local run keeps an existing row's owner."""
        if self.registry.shared:
            return self.registry.recording_owner(owner)
        known = await asyncio.to_thread(self.store.get, request_id)
        return known.owner if known is not None else LOCAL_OWNER

    async def fetch(
        self, request_id: Any, owner: Any, session: VisitorSession, lang: str
    ) -> AsyncIterator[FetchStep]:
        """Recover a job by id (or retry its download) into this browser's history, step by step.

        Uses the visitor's own key if they gave one, else the app's key (or the offline preview).
        The last step is ``final``; a refusal or failure is a ``failed`` step with one sentence.
        """
        rid = clean_request_id(request_id)
        if rid is None:
            yield FetchStep(msg(lang, "rec_bad_id"), final=True, failed=True)
            return
        if not self.registry.follow(rid):
            yield FetchStep(msg(lang, "rec_busy"), final=True)
            return
        final: FetchStep | None = None
        try:
            route = self.play.route(session.key)
            yield FetchStep(msg(lang, "rec_fetching", rid=rid))
            who = await self._fetch_owner(rid, owner)
            previous = None
            files = self.files if self.registry.available else None
            async for event in recover_events(route.conn, self.store, rid, owner=who, token=route.token,
                                              files=files):
                text = event_screen(event, previous, lang=lang, mode="", elapsed_s=event.elapsed, seed=0,
                                    offline=route.offline).text
                previous = event
                yield FetchStep(text, event)
            final = await self._last_step(rid, previous, lang)
        except RunComfyError as exc:
            final = FetchStep(error_sentence(exc, lang), final=True, failed=True)
        finally:
            self.registry.release(rid)
        # Said after the release, so whatever shows the job next sees it ended, not "still on its way".
        yield final

    async def _last_step(self, rid: str, previous: Any, lang: str) -> FetchStep:
        """The closing sentence of a fetch, from what the history now holds."""
        job = await asyncio.to_thread(self.store.get, rid)
        if job is None:
            return FetchStep(msg(lang, "rec_unrecorded", rid=rid), previous, final=True)
        if job.state in ENDED_BADLY:
            return FetchStep(msg(lang, "rec_ended", rid=rid, state=job.state), previous, final=True)
        return FetchStep(msg(lang, "rec_done", rid=rid), previous, final=True)

    async def retry_download(
        self, session: VisitorSession, request: gr.Request, owner: Any = None
    ) -> AsyncIterator[Screen]:
        """The result panel's "Retry download": fetch the video of the job whose download failed."""
        lang = self.play.language(request)
        rid = session.download_failed
        if rid is None:
            yield screen("notice", lang, msg(lang, "hist_gone"))
            return
        route = self.play.route(session.key)
        mode, offline = self.play.mode_label(route, lang), route.offline
        live = session.attempt.live if session.attempt is not None else None
        seed = live.request.seed if live is not None else 0
        yield screen("downloading", lang, msg(lang, "retry_fetching"), request_id=rid, mode=mode)
        delivered = False
        # Read to the end, never break out: the fetch releases the job only when it finishes.
        async for step in self.fetch(rid, owner, session, lang):
            if step.failed:
                yield screen("failed", lang, msg(lang, "failed"), step.text, request_id=rid, mode=mode)
            elif step.final:
                if not delivered:
                    yield screen("notice", lang, step.text, request_id=rid, mode=mode)
            elif step.event is not None:
                delivered = isinstance(step.event, Completed)
                if delivered:
                    session.download_failed = None
                yield event_screen(step.event, None, lang=lang, mode=mode, elapsed_s=step.event.elapsed,
                                   seed=seed, offline=offline)

    def watching(self, session: VisitorSession | None) -> bool:
        """True while this tab's own Generate may still add or change a job (keep the panel fresh)."""
        attempt = session.attempt if session is not None else None
        if attempt is None or attempt.stop:
            return False
        if attempt.live is None:
            return time.monotonic() - attempt.started < ACTIVE_START_S
        return not attempt.live.done
