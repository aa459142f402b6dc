"""The history panel's components (:func:`lay_out_history`) and what they show (pure functions).

Captions and facts are built from a :class:`~client.store.JobRecord` in the visitor's language;
every value typed by a person (the prompt) is escaped here. Posters are extracted from a local
video with PyAV once and cached next to it.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import av
import gradio as gr

from client import SCHEMA
from client.store import JobRecord
from ui.messages import MESSAGES, msg
from ui.panels import megabytes

log = logging.getLogger(__name__)
PAGE_SIZE = 24
POSTER_LONG_SIDE = 360
# Gradio publishes a BrowserState's key and "secret" in /config, so neither hides anything; they
# must only stay the same across restarts, or every browser would lose its owner id on a redeploy.
OWNER_STORAGE_KEY = "dreamina-playground-owner"
OWNER_STORAGE_SCRAMBLE = "dreamina-playground-owner-v1"
UNFINISHED = ("submitted", "queued", "running", "downloading")


def extract_poster(video: Path, dest: Path, long_side: int = POSTER_LONG_SIDE) -> Path | None:
    """Write the first frame of ``video`` as a small JPEG at ``dest`` (None if it cannot be decoded)."""
    try:
        with av.open(str(video)) as container:
            frame = next(container.decode(video=0), None)
            if frame is None:
                return None
            # Scaled while converting to RGB (one swscale pass): half the CPU of a full-size
            # picture shrunk afterwards (13 ms instead of 26 ms for a 1280x720 frame).
            image = frame.to_image(**poster_size(frame.width, frame.height, long_side))
    except (av.FFmpegError, OSError, ValueError) as exc:
        log.info("no poster for %s: %s", video.name, exc)
        return None
    part = dest.with_name(f".{dest.name}.part")
    try:
        image.convert("RGB").save(part, "JPEG", quality=82)
        os.replace(part, dest)  # two listings at once never serve half a poster
    except OSError as exc:
        log.info("poster for %s not cached: %s", video.name, exc)
        part.unlink(missing_ok=True)
        return None
    return dest


def poster_size(width: int, height: int, long_side: int) -> dict[str, int]:
    """``width`` and ``height`` for a poster whose longer side is at most ``long_side`` (never enlarged)."""
    scale = min(1.0, long_side / max(width, height, 1))
    return {"width": max(1, round(width * scale)), "height": max(1, round(height * scale))}


def age(created_at: float, lang: str, now: float | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', '2 d ago' (no time zone needed: the browser's is unknown)."""
    seconds = max(0.0, (time.time() if now is None else now) - created_at)
    if seconds < 60:
        return msg(lang, "age_now")
    if seconds < 3600:
        return msg(lang, "age_min", n=int(seconds // 60))
    if seconds < 86400:
        return msg(lang, "age_h", n=int(seconds // 3600))
    return msg(lang, "age_d", n=int(seconds // 86400))


def state_word(state: str, lang: str) -> str:
    """A job state in words ('Done', 'Terminée')."""
    key = f"st_{state}"
    return msg(lang, key) if key in MESSAGES["en"] else state


def short(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut at ``limit`` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def caption(job: JobRecord, lang: str, now: float | None = None) -> str:
    """The gallery caption: state · age · prompt (Gradio shows it as text, never as HTML)."""
    parts = [state_word(job.state, lang), age(job.created_at, lang, now)]
    if job.prompt:
        parts.append(short(job.prompt, 48))
    return " · ".join(parts)


def job_facts(job: JobRecord, lang: str, *, followed: bool, now: float | None = None) -> str:
    """The Markdown beside a selected job: what was asked, what came out, and what to do next."""
    head = [f"**{escape(state_word(job.state, lang))}**", age(job.created_at, lang, now)]
    if job.offline:
        head.append(msg(lang, "mode_offline"))
    lines = [" · ".join(head)]
    if job.prompt:
        lines.append("> " + escape(" ".join(job.prompt.split())))
    asked = []
    if job.seed is not None:
        asked.append(f"{msg(lang, 'seed')} {job.seed}")
    if job.frames:
        unit = "frames" if lang == "en" else "images"
        asked.append(f"{job.frames} {unit} ≈ {SCHEMA.seconds_for(job.frames)} s")
    if job.facts is not None:
        f = job.facts
        asked += [f"{f.duration_s:.2f} s", f"{f.width}x{f.height}", megabytes(f.size_bytes)]
    if job.cost is not None:
        asked.append(f"{msg(lang, 'cost')} ${job.cost:.2f}")
    if asked:
        lines.append(" · ".join(asked))
    lines.append(f"{msg(lang, 'request_id')} `{escape(job.request_id)}`")
    if job.error and job.state in ("failed", "lost"):
        lines.append(escape(job.error))
    note = next_step(job, followed=followed)
    if note:
        lines.append(f"*{msg(lang, note)}*")
    return "\n\n".join(lines)


def next_step(job: JobRecord, *, followed: bool) -> str | None:
    """The message key telling what happens to a job without a local video, or None."""
    if followed:
        return "hist_followed"
    if job.video_pruned:
        return "hist_pruned"
    if needs_fetch(job, followed=followed):
        return "hist_waiting"
    return None


def needs_fetch(job: JobRecord, *, followed: bool) -> bool:
    """True when "Retry download" can help: no local video yet, not ended badly, nobody following it."""
    if followed or job.state in ("failed", "cancelled", "lost"):
        return False
    return job.video_pruned or job.video_path is None or not job.video_path.is_file()


def count_text(shown: int, total: int, lang: str) -> str:
    """'24 of 1,000 jobs', '3 jobs', or the empty-history sentence."""
    if total == 0:
        return msg(lang, "hist_empty")
    if shown < total:
        return msg(lang, "hist_count", shown=shown, total=f"{total:,}")
    return msg(lang, "hist_count_one") if total == 1 else msg(lang, "hist_count_all", total=f"{total:,}")


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
    note: gr.Markdown
    recover_id: gr.Textbox
    recover_go: gr.Button
    recover_status: gr.Markdown
    ids: gr.State
    selected: gr.State
    limit: gr.State
    signature: gr.State
    timer: gr.Timer


def lay_out_history(t: gr.I18n) -> HistoryPage:
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
                gallery = gr.Gallery(show_label=False, columns=4, height=360, allow_preview=False,
                                     object_fit="cover", interactive=False, elem_id="history-gallery",
                                     buttons=[], format="jpeg", fit_columns=False)
            with gr.Column(scale=5, elem_id="history-detail"):
                video = gr.Video(show_label=False, interactive=False, autoplay=False, height=260,
                                 elem_id="history-video", **hidden)
                facts = gr.Markdown(elem_id="history-facts")
                with gr.Row():
                    reuse = gr.Button(t("history_reuse"), size="sm", elem_id="history-reuse", **hidden)
                    retry = gr.Button(t("history_retry"), size="sm", elem_id="history-retry", **hidden)
                    delete = gr.Button(t("history_delete"), size="sm", variant="stop",
                                       elem_id="history-delete", **hidden)
                note = gr.Markdown(elem_id="history-note")
        with gr.Row(equal_height=True):
            recover_id = gr.Textbox(label=t("recover_box"), placeholder=t("recover_placeholder"),
                                    elem_id="recover-id", scale=4, max_lines=1)
            recover_go = gr.Button(t("recover_go"), elem_id="recover-go", scale=1)
        recover_status = gr.Markdown(elem_id="recover-status")
    return HistoryPage(
        owner=owner, problem=problem, gallery=gallery, count=count, refresh=refresh, more=more, video=video,
        facts=facts, reuse=reuse, retry=retry, delete=delete, note=note, recover_id=recover_id,
        recover_go=recover_go, recover_status=recover_status, ids=gr.State([]), selected=gr.State(None),
        limit=gr.State(PAGE_SIZE), signature=gr.State(None), timer=gr.Timer(2.0, active=False),
    )
