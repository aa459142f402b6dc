"""Batch on the page: several pictures, one prompt, a table of rows that fills in as they go.

The same rules as ``python -m client batch``: every picture is checked first and, if one is refused,
nothing is sent and each refusal is listed with its row; then each row is admitted on its own (price,
balance, budget, hourly limit) and sent as its own paid job, recorded before its first poll, at most
N at a time. Every job lands in the history like any other. (A CSV of URLs, resumable runs and the
results file are the CLI's: see README, "Batch runs".)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from client import SCHEMA, Completed, InputRefused, PreparedJob
from ui.handlers import Playground
from ui.messages import msg
from ui.options import PRIVATE, RAW
from ui.requests import file_path
from ui.session import VisitorSession
from ui.texts import frames_key

MAX_ROWS = 24  # a page batch; bigger ones belong to the CLI, which can resume


@dataclass(frozen=True)
class BatchPanel:
    """The batch section's components."""

    files: gr.File
    prompt: gr.Textbox
    frames: gr.Radio
    concurrency: gr.Slider
    start: gr.Button
    note: gr.Markdown
    table: gr.Dataframe


def place_batch(t: gr.I18n) -> BatchPanel:
    """Place the batch section (closed); call inside ``with gr.Blocks():``."""
    with gr.Accordion(t("batch_panel"), open=False, elem_id="batch-panel"):
        gr.Markdown(t("batch_info"))
        files = gr.File(file_count="multiple", file_types=["image"], label=t("batch_files"),
                        elem_id="batch-files")
        prompt = gr.Textbox(label=t("prompt"), lines=2, elem_id="batch-prompt")
        with gr.Row(equal_height=False):
            frames = gr.Radio([(t(frames_key(f)), f) for f in SCHEMA.frames_choices],
                              value=SCHEMA.default_frames, label=t("frames"), elem_id="batch-frames",
                              min_width=200)
            concurrency = gr.Slider(1, 4, value=2, step=1, label=t("batch_concurrency"), elem_id="batch-n",
                                    min_width=200)
        start = gr.Button(t("batch_start"), variant="primary", elem_id="batch-start")
        note = gr.Markdown(elem_id="batch-note")
        # Its headers come with its rows, in the visitor's language (a table's headers are not translated).
        table = gr.Dataframe(interactive=False, visible=False, elem_id="batch-table", wrap=True)
    return BatchPanel(files, prompt, frames, concurrency, start, note, table)


class BatchHandlers:
    """Runs a page batch through the page's :class:`Playground` (its routes, limits, money, history)."""

    def __init__(self, play: Playground) -> None:
        self.play = play

    async def _check(self, files: list[Any], prompt: str, frames: Any, route: Any,
                     lang: str) -> tuple[list[PreparedJob], list[str]]:
        jobs, refusals = [], []
        for row, item in enumerate(files, 1):
            path = file_path(item)
            try:
                jobs.append(await self.play.prepare(route, prompt=prompt, image=str(path) if path else None,
                                                    image_url=None, seed=-1, frames=frames))
            except InputRefused as exc:
                name = path.name if path else "?"
                refusals.append(msg(lang, "batch_refused_row", row=row, name=name,
                                    why=self.play.refusal(exc, lang)))
        return jobs, refusals

    async def run(self, files: Any, prompt: str, frames: Any, concurrency: Any, session: VisitorSession,
                  request: gr.Request, owner: Any = None) -> AsyncIterator[tuple[Any, Any]]:
        """Check every row, then send them N at a time; the table after each change."""
        lang = self.play.language(request)
        files = list(files or [])[:MAX_ROWS + 1]
        if not files or len(files) > MAX_ROWS:
            yield msg(lang, "batch_none" if not files else "batch_too_many", max=MAX_ROWS), gr.skip()
            return
        route = self.play.route(session.key)
        jobs, refusals = await self._check(files, prompt, frames, route, lang)
        if refusals:
            yield "\n".join(["**" + msg(lang, "batch_nothing_sent") + "**", *("- " + r for r in refusals)]), \
                gr.Dataframe(visible=False)
            return
        names = [p.name if (p := file_path(f)) else "?" for f in files]
        sent = msg(lang, "variation_sent")
        rows = [[i + 1, names[i], sent, "", job.request.seed] for i, job in enumerate(jobs)]
        changed = asyncio.Event()
        gate = asyncio.Semaphore(max(1, min(4, int(concurrency or 1))))
        tasks = [asyncio.create_task(self._row(rows[i], job, gate, changed, route, request, lang, owner))
                 for i, job in enumerate(jobs)]
        while not all(task.done() for task in tasks):
            yield msg(lang, "batch_running", n=len(rows)), _table(rows, lang)
            changed.clear()
            waiter = asyncio.ensure_future(changed.wait())
            await asyncio.wait([waiter, *tasks], timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
        done = sum(1 for row in rows if row[2] == msg(lang, "variation_completed"))
        yield msg(lang, "batch_done", done=done, n=len(rows)), _table(rows, lang)

    async def _row(self, row: list[Any], job: PreparedJob, gate: asyncio.Semaphore, changed: asyncio.Event,
                   route: Any, request: gr.Request, lang: str, owner: Any) -> None:
        """One row: admitted, sent and followed to its end, its cells kept up to date."""
        async with gate:
            admission = await self.play.admit(route, job, lang)
            started = admission if isinstance(admission, str) else self.play.start(
                route, job, request, lang, owner=owner, admission=admission)
            if isinstance(started, str):
                row[2] = started
                changed.set()
                return
            async for event in started.watch(0):
                if event is not None:
                    row[2] = msg(lang, f"variation_{type(event).__name__.lower()}")
                    row[3] = event.request_id or row[3]
                    changed.set()
            if not isinstance(started.last, Completed):
                row[2] = msg(lang, "variation_failed")
            self.play.settle_limit(started, request)
            changed.set()


def _table(rows: list[list[Any]], lang: str) -> Any:
    headers = [msg(lang, key) for key in ("batch_col_row", "batch_col_file", "batch_col_state",
                                          "batch_col_request", "batch_col_seed")]
    return gr.Dataframe(value=rows, headers=headers, visible=True)


def wire_batch(panel: BatchPanel, handlers: BatchHandlers, *, session: gr.State, owner: Any) -> None:
    """Start: check, then run, the table filling in."""
    inputs = [panel.files, panel.prompt, panel.frames, panel.concurrency, session, owner]
    panel.start.click(handlers.run, inputs=inputs, outputs=[panel.note, panel.table], api_name="page_batch",
                      **PRIVATE, **RAW)
