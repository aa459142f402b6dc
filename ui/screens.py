"""What the result side of the page shows at one moment (:class:`Screen`), built from job events.

Handlers yield Screens, not Gradio updates: tests read them as plain data, and ``ui.build`` turns
each one into component updates (``KEEP`` becomes ``gr.skip()``). Errors become one sentence per
error class (and API refusal reason) here; raw exception text never reaches the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client import (
    APIRefused,
    AuthError,
    Cancelled,
    Completed,
    ConnectionFailed,
    DownloadFailed,
    Downloading,
    Event,
    Failed,
    InProgress,
    InputRefused,
    JobTimedOut,
    NotFound,
    Queued,
    RateLimited,
    RunComfyError,
    Submitted,
    SubmitUncertain,
)
from ui.cards import Kind, Progress, StatusView, facts_markdown, status_html
from ui.messages import MESSAGES, msg

KEEP: Any = type("Keep", (), {"__repr__": lambda self: "KEEP"})()
"""Marks a field of a Screen that must stay as it is on the page."""


@dataclass(frozen=True)
class Screen:
    """One update of the result side. ``KEEP`` leaves a component unchanged; ``None`` clears it."""

    kind: Kind
    text: str  # the status in plain words (headline and detail), for tests and logs
    status: str  # the status card's HTML
    request_id: Any = KEEP
    video: Any = KEEP  # Path of the MP4
    facts: Any = KEEP
    download: Any = KEEP  # Path, or None to hide the button
    seed: Any = KEEP  # the seed actually sent


def screen(
    kind: Kind,
    lang: str,
    headline: str,
    detail: str = "",
    *,
    request_id: Any = KEEP,
    elapsed_s: float | None = None,
    mode: str = "",
    progress: Progress | None = None,
    **fields: Any,
) -> Screen:
    """A Screen with its status card rendered; a given ``request_id`` also fills the receipt box."""
    rid = request_id if isinstance(request_id, str) else None
    view = StatusView(kind, headline, detail, rid, elapsed_s, mode, progress)
    text = f"{headline} {detail}".strip()
    if request_id is not KEEP:
        fields["request_id"] = rid or ""
    return Screen(kind, text, status_html(view, lang), **fields)


def error_sentence(exc: RunComfyError | InputRefused, lang: str) -> str:
    """One sentence for people, per kind of failure (most specific class first)."""
    if isinstance(exc, InputRefused):
        return msg(lang, "err_input", message=exc.text(lang))
    if isinstance(exc, AuthError):
        return msg(lang, "err_auth")
    if isinstance(exc, NotFound):
        return msg(lang, "err_not_found")
    if isinstance(exc, RateLimited):
        return msg(lang, "err_rate")
    if isinstance(exc, APIRefused):
        if exc.reason == "balance":
            return msg(lang, "err_balance")
        return msg(lang, "err_refused", message=exc.message)
    if isinstance(exc, JobTimedOut):
        return msg(lang, "err_timeout")
    if isinstance(exc, SubmitUncertain):
        return msg(lang, "err_uncertain")
    if isinstance(exc, ConnectionFailed):
        return msg(lang, "err_connection")
    if isinstance(exc, DownloadFailed):
        key = f"dl_{exc.reason}"
        why = msg(lang, key if key in MESSAGES["en"] else "dl_failed")
        return msg(lang, "err_download", why=why, url=exc.url or "?")
    return msg(lang, "err_unexpected")


def said(lang: str, key: str, *, offline: bool = False, **values: Any) -> str:
    """The message ``key``, in the offline preview's own words when there are some (``off_<key>``):
    offline, nothing is sent to RunComfy and nothing is billed, so nothing may say so."""
    own = f"off_{key}"
    return msg(lang, own if offline and own in MESSAGES["en"] else key, **values)


def queued_headline(position: int | None, lang: str, *, offline: bool = False) -> str:
    """'Queued at RunComfy · 2 ahead of you' (RunComfy's position 0 means next in line)."""
    if position is None:
        return said(lang, "queued_nopos", offline=offline)
    if position <= 0:
        return said(lang, "queued_next", offline=offline)
    return said(lang, "queued", offline=offline, position=position)


def event_screen(
    event: Event | None,
    previous: Event | None,
    *,
    lang: str,
    mode: str,
    elapsed_s: float,
    seed: int,
    note: str = "",
    offline: bool = False,
) -> Screen:
    """The Screen for a job event; ``None`` (a clock tick) re-renders ``previous`` with a fresh time.

    ``offline``: the job runs in the offline preview, and its card says so instead of naming RunComfy.
    """
    current = event if event is not None else previous
    rid = current.request_id if current is not None else None
    common: dict[str, Any] = {"request_id": rid, "elapsed_s": elapsed_s, "mode": mode}
    if isinstance(current, Completed):
        facts = facts_markdown(
            current.video.facts, seed=seed, total_s=current.elapsed, cost=current.cost, lang=lang
        ) + f" · [{msg(lang, 'job_link')}](?job={current.request_id})"
        return screen(
            "done",
            lang,
            msg(lang, "done"),
            note,
            request_id=rid,
            elapsed_s=current.elapsed,
            mode=mode,
            video=Path(current.video.path),
            facts=facts,
            download=Path(current.video.path),
        )
    if isinstance(current, Failed):
        return screen("failed", lang, msg(lang, "failed"), current.error, **common)
    if isinstance(current, Cancelled):
        return screen("cancelled", lang, said(lang, "cancelled", offline=offline), **common)
    if isinstance(current, Downloading):
        return screen("downloading", lang, msg(lang, "downloading"), note, **common)
    if isinstance(current, InProgress):
        progress = None
        if current.usual_s is not None and current.late_s is not None:
            progress = Progress(max(0.0, elapsed_s - current.elapsed), current.usual_s, current.late_s)
        return screen("running", lang, said(lang, "running", offline=offline), note, progress=progress,
                      **common)
    if isinstance(current, Queued):
        headline = queued_headline(current.position, lang, offline=offline)
        return screen("queued", lang, headline, note, **common)
    if isinstance(current, Submitted):
        return screen("working", lang, said(lang, "submitted", offline=offline), note, **common)
    return screen("working", lang, msg(lang, "preparing"), note, **common)


def failure_screen(exc: RunComfyError, *, lang: str, mode: str, elapsed_s: float | None = None) -> Screen:
    """A failure as a Screen: one sentence and the request id when a job exists."""
    return screen(
        "failed",
        lang,
        msg(lang, "failed"),
        error_sentence(exc, lang),
        request_id=exc.request_id,
        elapsed_s=elapsed_s,
        mode=mode,
    )
