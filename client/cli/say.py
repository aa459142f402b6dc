"""How the CLI speaks: exit codes, progress on stderr, and a job as one line or one JSON object."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

from client import AnyStore, JobRecord, Settings, VideoFacts, open_store, size_text

EXIT_OK, EXIT_FAILED, EXIT_REFUSED, EXIT_INTERRUPTED = 0, 1, 2, 130
MISSING_KEY_HELP = (
    "No RunComfy API token. Set RUNCOMFY_API_TOKEN (or RUNCOMFY_TOKEN) in the environment or in "
    ".env (see .env.example), or add --offline to try the local preview (not Dreamina output).")
NO_KEY_FOR_LOOKUP = ("No RunComfy API token: set RUNCOMFY_API_TOKEN (or RUNCOMFY_TOKEN). To look up or "
                     "recover jobs of a loopback stand-in, also set RUNCOMFY_BASE_URL.")


OFFLINE_PREVIEW = "offline preview: a local camera move over your image, not Dreamina output"


def say(text: str) -> None:
    """One line of progress or warning, on stderr (stdout carries only the result)."""
    print(text, file=sys.stderr, flush=True)


def open_history(settings: Settings) -> AnyStore:
    """The job history, or a NullStore after one warning line on stderr."""
    store = open_store(settings.data_dir)
    if not store.available:
        say(f"warning: {store.problem}")
    return store


def facts_line(facts: VideoFacts) -> str:
    """'5.04 s · 121 frames · 24 fps · 1280x720 · 1.2 MB'."""
    return (f"{facts.duration_s:.2f} s · {facts.frames} frames · {facts.fps:g} fps · "
            f"{facts.width}x{facts.height} · {size_text(facts.size_bytes)}")


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def job_json(job: JobRecord) -> dict[str, Any]:
    """A record as JSON (the thumbnail reduced to whether there is one)."""
    return {
        "request_id": job.request_id, "owner": job.owner, "state": job.state, "model": job.model,
        "created_at": _iso(job.created_at), "updated_at": _iso(job.updated_at), "prompt": job.prompt,
        "seed": job.seed, "frames": job.frames, "image_url": job.image_url,
        "has_thumbnail": job.image_thumb is not None, "video_url": job.video_url,
        "video_path": str(job.video_path) if job.video_path else None, "video_pruned": job.video_pruned,
        "facts": vars(job.facts) if job.facts else None, "error": job.error, "cost": job.cost,
        "offline": job.offline, "base_url": job.base_url,
        "finished_at": _iso(job.finished_at) if job.finished_at else None, "calls": job.calls,
        "seen_after_s": job.seen_after_s,
    }


def job_line(job: JobRecord) -> str:
    """One line per job for ``history``: when, state, id, seed, prompt, video or error."""
    when = datetime.fromtimestamp(job.created_at).strftime("%Y-%m-%d %H:%M")
    if job.video_pruned:
        video = "(local copy pruned)"
    elif job.video_path:
        video = str(job.video_path)
    else:
        video = job.error or ""
    prompt = job.prompt if len(job.prompt) <= 40 else job.prompt[:39] + "…"
    tag = " offline" if job.offline else ""
    return f"{when}  {job.state:<11} {job.request_id}  seed {job.seed}{tag}  {prompt!r}  {video}"
