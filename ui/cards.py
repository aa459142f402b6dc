"""HTML and Markdown cards of the page: image check, URL check, job status, video facts.

Pure functions of their inputs (no Gradio, no I/O), so tests read their output directly. Every
value that came from outside (file names, URLs, API error texts) is HTML-escaped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Literal
from urllib.parse import urlsplit

from client import SCHEMA, ImageReport, RuleCheck, VideoFacts, decimal_text, size_text
from ui.messages import msg
from ui.money import usd

Kind = Literal["idle", "working", "queued", "running", "downloading", "done", "failed", "cancelled", "notice"]
STEPS: tuple[Kind, ...] = ("working", "queued", "running", "downloading", "done")
_STEP_WORDS = {
    "en": ("Sent", "Queued", "Running", "Downloading", "Done"),
    "fr": ("Envoi", "Attente", "Calcul", "Téléchargement", "Terminé"),
}


def duration(seconds: float) -> str:
    """'8 s', '1 min 05 s', '1 h 02 min' (the same in both languages)."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _bare(text: str) -> str:
    # The client's rule sentences end with their own ✓/✗; the panel draws its own mark.
    return text.rstrip().removesuffix("✓").removesuffix("✗").rstrip()


def rules_summary(lang: str) -> str:
    """The model's image rules in one line, from the schema."""
    r = SCHEMA.image_rules
    return msg(
        lang,
        "rules",
        formats=" / ".join(r.formats),
        mb=f"{r.max_file_bytes_exclusive / 1_000_000:g}",
        low=r.min_side_px_exclusive + 1,
        high=r.max_side_px,
        rlo=f"{r.min_ratio_exclusive:g}",
        rhi=f"{r.max_ratio_exclusive:g}",
    )


def _rule_row(check: RuleCheck, lang: str, *, refused: bool) -> str:
    """One rule of the check panel: ✓ kept, ↻ broken but fixed on Generate, ✗ broken for good.

    When the image is refused nothing gets fixed, so a fixable rule then shows as plain broken.
    """
    if check.ok:
        kind, mark, note = "pg-ok", "✓", ""
    elif check.fixable and not refused:
        will = escape(msg(lang, "check_will_fix"))
        kind, mark, note = "pg-fix", "↻", f' <span class="pg-will">({will})</span>'
    else:
        kind, mark, note = "pg-bad", "✗", ""
    return (f'<li class="{kind}"><span class="pg-mark">{mark}</span> {escape(_bare(check.text_in(lang)))}'
            f"{note}</li>")


def image_check_html(report: ImageReport | None, lang: str) -> str:
    """The check panel under an uploaded image: measures, each rule, the fixes, or the refusal."""
    if report is None:
        return ""
    facts = []
    if report.width and report.height:
        facts.append(f"{report.width} x {report.height} px")
    facts.append(size_text(report.size_bytes, lang))
    if report.ratio:
        facts.append(f"{msg(lang, 'check_ratio')} {decimal_text(report.ratio, lang, 2)}")
    facts.append(report.format or "?")
    rows = "".join(_rule_row(check, lang, refused=report.refusal is not None) for check in report.checks)
    # The rules fold away when all is well (one line, so Generate stays near the top of a laptop
    # screen); they stay open when one is broken, since then they are the point.
    is_open = " open" if report.refusal or report.fixes else ""
    parts = [
        f'<div class="pg-check" id="image-check-card"><div class="pg-check-title">'
        f'{escape(msg(lang, "check_title"))} · <span class="pg-facts">{escape(" · ".join(facts))}'
        f'</span></div><details{is_open}><summary>{escape(msg(lang, "check_rules"))}</summary>'
        f"<ul>{rows}</ul></details>"
    ]
    if report.refusal:
        parts.append(
            f'<div class="pg-refusal"><strong>{escape(msg(lang, "check_refused"))}</strong> '
            f"{escape(report.refusal_in(lang) or '')}</div>"
        )
    elif report.fixes:
        fixes = "".join(f"<li>→ {escape(fix)}</li>" for fix in report.fixes_in(lang))
        parts.append(
            f'<div class="pg-fixes"><strong>{escape(msg(lang, "check_fixes"))}</strong><ul>{fixes}</ul></div>'
        )
    else:
        parts.append(f'<div class="pg-ready">{escape(msg(lang, "check_ready"))}</div>')
    return "".join(parts) + "</div>"


def looks_like_image_url(url: str) -> bool:
    """An http(s) URL with a host: all we can say without fetching it (the server never does)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme in ("https", "http") and bool(parts.hostname) and not parts.username


def url_check_html(url: str, lang: str, *, offline: bool) -> str:
    """The panel under the URL box: the browser's own preview of the image, and what happens next."""
    url = (url or "").strip()
    if not url:
        return ""
    if not looks_like_image_url(url):
        return f'<div class="pg-check"><div class="pg-refusal">{escape(msg(lang, "url_bad"))}</div></div>'
    notes = [msg(lang, "url_note", rules=rules_summary(lang))]
    if offline:
        notes.append(msg(lang, "url_offline_note"))
    paragraphs = "".join(f"<p>{escape(note)}</p>" for note in notes)
    # The <img> is fetched by the visitor's browser, never by this server.
    return (
        f'<div class="pg-check pg-url" id="url-check-card"><img class="pg-url-preview" alt="" '
        f'referrerpolicy="no-referrer" src="{escape(url, quote=True)}">{paragraphs}</div>'
    )


@dataclass(frozen=True)
class Progress:
    """How far a running job is against the usual run time (both learned from the history)."""

    running_s: float  # since it was first seen running
    usual_s: float  # the bar is full here
    late_s: float  # past here: "taking longer than usual"


@dataclass(frozen=True)
class StatusView:
    """What the status panel says at one moment."""

    kind: Kind
    headline: str
    detail: str = ""
    request_id: str | None = None
    elapsed_s: float | None = None
    mode: str = ""
    progress: Progress | None = None


def progress_html(progress: Progress, lang: str) -> str:
    """A bar that fills to the usual end, and what to expect: seconds left, any moment, or late."""
    left = progress.usual_s - progress.running_s
    if progress.running_s > progress.late_s:
        words, state = msg(lang, "eta_late"), "late"
    elif left >= 1:
        words, state = msg(lang, "eta_usual", seconds=round(left)), "on-time"
    else:
        words, state = msg(lang, "eta_any_moment"), "on-time"
    done = progress.running_s / progress.usual_s if progress.usual_s > 0 else 1.0
    share = round(100 * min(1.0, max(0.0, done)))
    return (f'<div class="pg-progress pg-progress-{state}" role="progressbar" aria-valuemin="0" '
            f'aria-valuemax="100" aria-valuenow="{share}" aria-label="{escape(words)}">'
            f'<span style="width: {share}%"></span></div><p class="pg-eta">{escape(words)}</p>')


def status_html(view: StatusView, lang: str) -> str:
    """The status card: a step bar, the headline with elapsed time, one sentence, and the receipt."""
    steps = ""
    if view.kind in STEPS:  # an ended or stopped job says so in words; a step bar would only confuse
        current = STEPS.index(view.kind)
        words = _STEP_WORDS.get(lang, _STEP_WORDS["en"])
        items = []
        for i, word in enumerate(words):
            state = "done" if i < current or view.kind == "done" else "now" if i == current else "todo"
            items.append(f'<li class="pg-step pg-step-{state}">{escape(word)}</li>')
        steps = f'<ol class="pg-steps">{"".join(items)}</ol>'
    elapsed = (
        f'<span class="pg-elapsed">{duration(view.elapsed_s)}</span>' if view.elapsed_s is not None else ""
    )
    text = view.detail[:1].upper() + view.detail[1:]  # API sentences often start in lower case
    detail = f'<p class="pg-detail">{escape(text)}</p>' if text else ""
    meta = []
    if view.mode:
        meta.append(escape(view.mode))
    if view.request_id:
        meta.append(f"{escape(msg(lang, 'request_id'))} <code>{escape(view.request_id)}</code>")
    meta_html = f'<div class="pg-meta">{" · ".join(meta)}</div>' if meta else ""
    bar = progress_html(view.progress, lang) if view.progress is not None else ""
    return (
        f'<div class="pg-status pg-{view.kind}" data-state="{view.kind}">{steps}'
        f'<div class="pg-head"><span class="pg-dot"></span><strong>{escape(view.headline)}</strong>'
        f"{elapsed}</div>{bar}{detail}{meta_html}</div>"
    )


def facts_markdown(
    facts: VideoFacts, *, seed: int | None, total_s: float, cost: float | None, lang: str
) -> str:
    """The line under the video: duration, frames, fps, resolution, size, seed, total time (and cost)."""
    parts = [
        f"**{decimal_text(facts.duration_s, lang, 2)} s**",
        f"{facts.frames} frames" if lang == "en" else f"{facts.frames} images",
        f"{facts.fps:g} fps",
        f"{facts.width}x{facts.height}",
        size_text(facts.size_bytes, lang),
    ]
    if seed is not None:
        parts.append(f"{msg(lang, 'seed')} {seed}")
    parts.append(f"{msg(lang, 'total')} {duration(total_s)}")
    if cost is not None:
        parts.append(f"{msg(lang, 'cost')} {usd(cost, lang)}")
    return " · ".join(parts)


def facts_record(
    facts: VideoFacts, *, request_id: str, seed: int, total_s: float, cost: float | None
) -> dict[str, object]:
    """The same facts as JSON for API callers of ``/generate``."""
    return {
        "state": "completed",
        "request_id": request_id,
        "seed": seed,
        "duration_s": round(facts.duration_s, 3),
        "frames": facts.frames,
        "fps": facts.fps,
        "width": facts.width,
        "height": facts.height,
        "size_bytes": facts.size_bytes,
        "total_s": round(total_s, 1),
        "cost_usd": cost,
    }
