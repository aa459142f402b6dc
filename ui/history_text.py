"""What the history panel says about a job: captions, facts, counts (pure functions, no Gradio).

Captions and facts are built from a ``JobRecord`` in the visitor's language; every value typed by a
person (the prompt) is escaped here.
"""

from __future__ import annotations

import time
from html import escape

from client import ENDED_BADLY, SCHEMA, JobRecord, decimal_text, size_text
from ui.messages import MESSAGES, msg
from ui.money import usd

PAGE_SIZE = 24


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
        asked += [f"{decimal_text(f.duration_s, lang, 2)} s", f"{f.width}x{f.height}",
                  size_text(f.size_bytes, lang)]
    if job.cost is not None and not job.offline:  # an offline preview is never billed
        asked.append(f"{msg(lang, 'cost')} {usd(job.cost, lang)}")
    if asked:
        lines.append(" · ".join(asked))
    if job.calls is not None:
        seen = job.seen_after_s
        lines.append(msg(lang, "tally", calls=job.calls, seconds=decimal_text(seen, lang, 2))
                     if seen is not None else msg(lang, "tally_calls", calls=job.calls))
    lines.append(f"{msg(lang, 'request_id')} `{escape(job.request_id)}`")
    if job.error and job.state in ENDED_BADLY:
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
    if followed or job.state in ENDED_BADLY:
        return False
    return job.video_pruned or job.video_path is None or not job.video_path.is_file()


def count_text(shown: int, total: int, lang: str) -> str:
    """'24 of 1,000 jobs', '3 jobs', or the empty-history sentence."""
    if total == 0:
        return msg(lang, "hist_empty")
    if shown < total:
        return msg(lang, "hist_count", shown=shown, total=f"{total:,}")
    return msg(lang, "hist_count_one") if total == 1 else msg(lang, "hist_count_all", total=f"{total:,}")
