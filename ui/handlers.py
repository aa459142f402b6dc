"""Generate and Cancel: the page's job handlers, async generators over a job's events, yielding Screens.

The public ``/generate`` endpoint (:mod:`ui.endpoint`) is built on the same :class:`Playground`.

One :class:`Playground` is created per page by ``build_app`` and owns everything the handlers
share (the routes to the API, the hourly limiter, the job registry); each visitor's own things
(their key, their current job) live in their :class:`~ui.session.VisitorSession` inside
``gr.State``. Nothing here is module-level mutable state, and nothing reads ``os.environ``.

With a history (``registry``), every job is recorded under the visitor's owner id, and a page that
goes away (tab closed, refreshed, laptop asleep) no longer cancels its job: it finishes into the
history and shows up when the page is opened again. Cancel stays the one way to cancel.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import gradio as gr

from client import (
    LOCAL_OWNER,
    PICTURES,
    Admission,
    Completed,
    DownloadFailed,
    InputRefused,
    LiveJob,
    PreparedImage,
    PreparedJob,
    Refused,
    Registry,
    Route,
    Routes,
    Secret,
    SubmitUncertain,
    build_job,
)
from ui.messages import msg
from ui.money import Money
from ui.requests import file_path, headers_of
from ui.screens import Screen, error_sentence, event_screen, failure_screen, said, screen
from ui.session import Attempt, VisitorSession
from ui.story_panel import continued
from ui.texts import pick_language
from ui.visitors import HourlyLimit, signed_in_user, visitor_id

ImageHost = Callable[[PreparedImage], str]
_CANCEL_NOTES = {"not_cancellable": "cancel_running", "unreachable": "cancel_unreachable", "ended": ""}


class Playground:
    """Handlers bound to one page's routes, limiter and registry. Tests build one directly, with no server."""

    def __init__(
        self,
        routes: Routes,
        *,
        limiter: HourlyLimit,
        behind_proxy: bool = False,
        image_host: ImageHost | None = None,
        tick_s: float = 1.0,
        registry: Registry | None = None,
        money: Money | None = None,
        anon_limiter: HourlyLimit | None = None,
    ) -> None:
        self.routes = routes
        self.money = money
        self.anon_limiter = anon_limiter  # with Hugging Face sign-in: the limit of the not signed in
        self.limiter = limiter
        self.behind_proxy = behind_proxy
        self.image_host = image_host
        self.tick_s = tick_s
        self.registry = registry

    @property
    def offline(self) -> bool:
        """True when the app's own way out is the offline preview (no server key)."""
        return self.routes.own.offline

    @property
    def keeps_jobs(self) -> bool:
        """True when jobs are recorded, so one nobody watches still finishes into the history."""
        return self.registry is not None and self.registry.available

    # -- who is asking, and through which key ---------------------------------------------------------

    @staticmethod
    def language(request: gr.Request | None) -> str:
        """'en' or 'fr', from the request's Accept-Language (the browser's own preference)."""
        return pick_language(headers_of(request).get("accept-language"))

    def visitor(self, request: gr.Request | None) -> str:
        """The visitor's IP (first X-Forwarded-For hop behind a Space's proxy)."""
        client = getattr(request, "client", None) if request is not None else None
        return visitor_id(headers_of(request), getattr(client, "host", None), behind_proxy=self.behind_proxy)

    def fair_use(self, request: gr.Request | None) -> tuple[HourlyLimit, str]:
        """Whose hourly share a run on the server's key is taken from: a signed-in Hugging Face user's
        (by name), else the address's; with sign-in offered, the not signed in share a lower limit."""
        if self.anon_limiter is None:
            return self.limiter, self.visitor(request)
        user = signed_in_user(request)
        return (self.limiter, f"hf:{user}") if user else (self.anon_limiter, self.visitor(request))

    def route(self, key: Secret | None) -> Route:
        """A visitor's key > the server's key > the offline stand-in."""
        return self.routes.pick(key)

    @staticmethod
    def mode_label(route: Route, lang: str) -> str:
        """'offline preview', 'your key' or 'app key', for the status card."""
        return msg(lang, f"mode_{route.mode}")

    async def prepare(
        self, route: Route, *, prompt: str, image: Any, image_url: str | None, seed: Any, frames: Any
    ) -> PreparedJob:
        """Check the inputs and build the request (in the pictures lane: preparing an image takes time)."""
        host = None if route.offline else self.image_host  # the stand-in never fetches from us
        return await PICTURES.run(build_job, prompt, image=file_path(image), image_url=image_url or None,
                                  seed=seed, frames=frames, image_host=host)

    def refusal(self, exc: InputRefused, lang: str) -> str:
        """The sentence for inputs that were refused before anything was sent."""
        return msg(lang, "err_no_image") if exc.rule == "image" else error_sentence(exc, lang)

    async def admit(self, route: Route, job: PreparedJob, lang: str) -> Admission | str | None:
        """The price, the visitor's balance, the owner's budget: the sentence if the run may not go."""
        if self.money is None:
            return None
        try:
            return await self.money.admit(route, job.request.frames)
        except Refused as exc:
            return self.money.refusal(exc, lang)

    def start(
        self, route: Route, job: PreparedJob, request: gr.Request | None, lang: str, *, owner: Any = None,
        admission: Admission | None = None, parent_id: str | None = None,
    ) -> LiveJob | str:
        """Start the job (recorded under ``owner``'s name), or say why not (the hourly limit)."""
        if route.limited:
            limiter, who = self.fair_use(request)
            verdict = limiter.take(who)
            if not verdict.allowed:
                if admission is not None:
                    admission.release()  # nothing will be sent: its share of the budget goes back
                return msg(lang, "limit_reached", limit=verdict.limit, minutes=verdict.retry_after_min)
        registry = self.registry
        name = registry.recording_owner(owner) if registry is not None else LOCAL_OWNER
        return LiveJob(route, job, registry=registry, owner=name, admission=admission, parent_id=parent_id)

    def settle_limit(self, live: LiveJob, request: gr.Request | None) -> None:
        """Give the use back when nothing reached RunComfy (refused key, network down before sending)."""
        if live.route.limited and live.request_id is None and not isinstance(live.error, SubmitUncertain):
            limiter, who = self.fair_use(request)
            limiter.give_back(who)

    # -- the page ------------------------------------------------------------------------------------

    async def generate(
        self,
        prompt: str,
        image: Any,  # an uploaded file (FileData dict or path): see file_path
        image_url: str,
        source: str,
        seed: Any,
        random_seed: bool,
        frames: Any,
        session: VisitorSession,
        request: gr.Request,
        owner: Any = None,  # the browser's owner id (gr.BrowserState): whose history keeps the job
        parent: Any = None,  # set by "Continue from last frame": the job this one continues
        variations: Any = 1,  # more than one: ui.variations_panel runs them, not this
    ) -> AsyncIterator[Screen]:
        """Generate from the form: check, submit once, then stream each state to the end."""
        if str(variations or 1) not in ("1", ""):
            return
        lang = self.language(request)
        attempt = Attempt()
        session.attempt = attempt  # set before any await: a Cancel from now on finds this attempt
        session.download_failed = None
        session.refused = True  # until something is sent: a refusal below stays only until inputs change
        route = self.route(session.key)
        mode = self.mode_label(route, lang)
        # Clears the last result at once, so an old video never sits next to a new job's status.
        kw = {"request_id": None, "mode": mode, "video": None, "facts": "", "download": None}
        yield screen("working", lang, msg(lang, "preparing"), **kw)
        use_url = source == "url"
        try:
            job = await self.prepare(route, prompt=prompt, image=None if use_url else image,
                                     image_url=image_url if use_url else None,
                                     seed=-1 if random_seed else seed, frames=frames)
        except InputRefused as exc:
            yield screen("failed", lang, msg(lang, "failed"), self.refusal(exc, lang), mode=mode)
            return
        if attempt.stop:
            stopped = said(lang, "cancel_before_submit", offline=route.offline)
            yield screen("cancelled", lang, stopped, mode=mode)
            return
        admission = await self.admit(route, job, lang)
        if isinstance(admission, str):
            yield screen("failed", lang, msg(lang, "failed"), admission, mode=mode)
            return
        parent_id = await continued(parent, None if use_url else file_path(image))
        started = self.start(route, job, request, lang, owner=owner, admission=admission, parent_id=parent_id)
        if isinstance(started, str):
            yield screen("notice", lang, msg(lang, "limit_title"), started, mode=mode)
            return
        attempt.live = started
        session.refused = False
        note = "; ".join(job.fixes_in(lang))
        yield screen("working", lang, msg(lang, "preparing"), note, mode=mode, seed=job.request.seed)
        async for update in self._watch(
            started, lang=lang, mode=mode, note=note, session=session, attempt=attempt, request=request
        ):
            yield update

    async def _watch(
        self,
        live: LiveJob,
        *,
        lang: str,
        mode: str,
        note: str,
        session: VisitorSession,
        attempt: Attempt,
        request: gr.Request | None,
    ) -> AsyncIterator[Screen]:
        """Relay a job's events as Screens; leaving early cancels it only if it may still be queued."""
        finished = False
        previous = None
        try:
            async for event in live.watch(0, tick_s=self.tick_s):
                if session.attempt is not attempt:
                    finished = True  # a newer Generate owns the page now; this job is left alone
                    return
                elapsed = event.elapsed if isinstance(event, Completed) else live.elapsed()
                yield event_screen(
                    event,
                    previous,
                    lang=lang,
                    mode=mode,
                    elapsed_s=elapsed,
                    seed=live.request.seed,
                    note=note,
                    offline=live.route.offline,
                )
                previous = event if event is not None else previous
            finished = True
        finally:
            if not finished and not self.keeps_jobs:
                live.stop_watching()
        if live.error is not None:
            if isinstance(live.error, DownloadFailed):
                session.download_failed = live.request_id  # offers "Retry download" for this id
            self.settle_limit(live, request)
            yield failure_screen(live.error, lang=lang, mode=mode, elapsed_s=live.elapsed())

    async def cancel(self, session: VisitorSession, request: gr.Request) -> AsyncIterator[Screen]:
        """Cancel: a queued job is cancelled (nothing billed); a running one is followed to its video."""
        lang = self.language(request)
        attempt = session.attempt
        if session.group is not None and not session.group.done:
            return  # a set of variations: its own Cancel says what happened (ui.variations_panel)
        if attempt is None:
            yield screen("notice", lang, msg(lang, "cancel_nothing"))
            return
        live = attempt.live
        if live is None:
            attempt.stop = True  # the Generate handler checks this just before submitting
            stopped = said(lang, "cancel_before_submit", offline=self.route(session.key).offline)
            yield screen("cancelled", lang, stopped, request_id=None)
            return
        mode, offline = self.mode_label(live.route, lang), live.route.offline
        if not live.done:
            yield screen("notice", lang, msg(lang, "cancelling"), request_id=live.request_id, mode=mode)
        # Shielded: if this handler is itself stopped, the one cancel request still completes.
        report = await asyncio.shield(live.cancel())
        if report.cancelled:
            cancelled = said(lang, "cancelled", offline=offline)
            yield screen("cancelled", lang, cancelled, request_id=report.request_id, mode=mode)
            return
        key = _CANCEL_NOTES.get(report.outcome, "cancel_unknown")
        note = said(lang, key, offline=offline, outcome=report.outcome) if key else ""
        async for update in self._watch(
            live, lang=lang, mode=mode, note=note, session=session, attempt=attempt, request=request
        ):
            yield update
