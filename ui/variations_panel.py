"""Variations: the same picture and prompt with 2 to 4 seeds, sent together, compared side by side.

"Variations" beside the length picks how many. With more than one, Generate checks the inputs once,
chooses the seeds (shown), admits each run (price, balance, budget: the total shows before anything
is sent), and starts one paid job per seed, each recorded before its first poll and resumable like
any other. The status card counts them as they go; their videos land in a grid of players that play
in step; "Keep" puts the chosen seed in the seed box. Cancel cancels those still queued. With one,
nothing here runs: the page's usual Generate does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import gradio as gr

from client import Completed, InputRefused, LiveJob, PreparedJob, Variations, plan_variations
from ui.form_panel import FormPanel
from ui.handlers import Playground
from ui.hosting import into_gradio_cache
from ui.messages import msg
from ui.options import PRIVATE, QUICK, RAW
from ui.result_panel import ResultPanel
from ui.screens import screen
from ui.session import VisitorSession
from ui.variations_grid import grid_html


class VariationHandlers:
    """Generate with N seeds, and Cancel of such a set, bound to the page's :class:`Playground`."""

    def __init__(self, play: Playground, result: ResultPanel, grid: gr.HTML, keep: gr.Radio) -> None:
        self.play, self.result, self.grid, self.keep = play, result, grid, keep

    def _card(self, kind: str, lang: str, headline: str, detail: str = "",
              shown: dict[Any, Any] | None = None) -> dict[Any, Any]:
        r = self.result
        s = screen(kind, lang, headline, detail)  # type: ignore[arg-type]
        # The grid replaces the single player while a set is shown.
        return {r.status: s.status, r.video: gr.Video(value=None, visible=False),
                r.download: gr.DownloadButton(visible=False),
                r.continue_box: gr.Column(visible=False), **(shown or {})}

    async def _start(self, jobs: tuple[PreparedJob, ...], route: Any, request: gr.Request, lang: str,
                     owner: Any) -> list[LiveJob] | str:
        """Admit every run first (all or none), then start each; a sentence if none may go."""
        admissions = []
        for job in jobs:
            admission = await self.play.admit(route, job, lang)
            if isinstance(admission, str):
                for earlier in admissions:
                    if earlier is not None:
                        earlier.release()
                return admission
            admissions.append(admission)
        lives = []
        for job, admission in zip(jobs, admissions, strict=True):
            started = self.play.start(route, job, request, lang, owner=owner, admission=admission)
            if isinstance(started, str):  # the hourly limit: the ones already sent go on, the rest do not
                for later in admissions[len(lives) + 1:]:
                    if later is not None:
                        later.release()
                return lives or started
            lives.append(started)
        return lives

    async def generate(self, prompt: str, image: Any, image_url: str, source: str, seed: Any,
                       random_seed: bool, frames: Any, variations: Any, session: VisitorSession,
                       request: gr.Request, owner: Any = None) -> AsyncIterator[dict[Any, Any]]:
        """With 2 to 4 variations: check once, start one job per seed, stream them side by side."""
        count = int(variations or 1) if str(variations or 1).isdigit() else 1
        if count <= 1:
            return  # the page's usual Generate runs this one
        play, lang = self.play, self.play.language(request)
        route = play.route(session.key)
        use_url = source == "url"
        session.group = None
        try:
            job = await play.prepare(route, prompt=prompt, image=None if use_url else image,
                                     image_url=image_url if use_url else None,
                                     seed=-1 if random_seed else seed, frames=frames)
        except InputRefused as exc:
            yield self._card("failed", lang, msg(lang, "failed"), play.refusal(exc, lang), {self.grid: ""})
            return
        jobs = plan_variations(job, count)
        started = await self._start(jobs, route, request, lang, owner)
        if isinstance(started, str):
            yield self._card("failed", lang, msg(lang, "failed"), started, {self.grid: ""})
            return
        group = session.group = Variations(started)
        async for update in self._watch(group, lang):
            yield update

    async def _watch(self, group: Variations, lang: str) -> AsyncIterator[dict[Any, Any]]:
        lives = list(group.lives)
        states = [msg(lang, "variation_sent")] * len(lives)
        videos: list[str | None] = [None] * len(lives)
        async for update in group.watch(tick_s=self.play.tick_s):
            if update is not None:
                i, event = update
                if isinstance(event, Completed):
                    videos[i] = str(await into_gradio_cache(event.video.path))
                if event is not None:
                    states[i] = msg(lang, f"variation_{type(event).__name__.lower()}")
                elif lives[i].error is not None:
                    states[i] = msg(lang, "variation_failed")
            done = sum(v is not None for v in videos)
            ended = group.done
            seeds = [(msg(lang, "variation_keep", n=i + 1, seed=live.request.seed), live.request.seed)
                     for i, live in enumerate(lives) if videos[i] is not None]
            yield self._card("done" if ended and done else "failed" if ended else "running", lang,
                             msg(lang, "variations_status", done=done, n=len(lives)), "",
                             {self.result.request_id: ", ".join(r or "…" for r in group.request_ids),
                                self.result.facts: msg(lang, "variations_seeds",
                                                       seeds=", ".join(str(s) for s in group.seeds)),
                                self.grid: grid_html(lives, videos, states, lang),
                                self.keep: gr.Radio(choices=seeds, value=None, visible=bool(seeds))})

    async def cancel(self, session: VisitorSession, request: gr.Request) -> str | Any:
        """Cancel the set's queued jobs (the running ones finish and stay in the history)."""
        group = getattr(session, "group", None)
        if group is None or group.done:
            return gr.skip()
        await group.cancel()
        lang = self.play.language(request)
        return screen("notice", lang, msg(lang, "variations_cancelled")).status


def wire_variations(form: FormPanel, result: ResultPanel, play: Playground, *, session: gr.State, owner: Any,
                    ran: Any) -> None:
    """Generate with N seeds (beside the usual one), its Cancel, and Keep."""
    handlers = VariationHandlers(play, result, result.grid, result.keep)
    inputs = {**form.job_inputs(), "session": session, "owner": owner}
    inputs.pop("parent", None)
    outputs = [result.status, result.request_id, result.video, result.facts, result.download,
               result.continue_box, handlers.grid, handlers.keep]
    # Named apart from the public /generate, whatever order they are registered in.
    many = ran.press.then(handlers.generate, inputs_kwargs=inputs, outputs=outputs,
                          api_name="page_variations", **PRIVATE, **RAW)
    form.cancel.click(handlers.cancel, inputs=session, outputs=result.status, cancels=[many], **PRIVATE)
    handlers.keep.change(_kept, inputs=handlers.keep, outputs=[form.seed, form.random_seed], **QUICK)


def _kept(seed: Any) -> tuple[Any, Any]:
    """ "Keep" on a variation: its seed in the seed box, Random unticked (nothing starts)."""
    if seed is None:
        return gr.skip(), gr.skip()
    return gr.Number(seed, interactive=True), False
