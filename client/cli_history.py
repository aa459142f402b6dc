"""The CLI's job-history commands, registered by :mod:`client.cli`.

    python -m client history [--json] [--limit N] [--owner ID]
    python -m client resume [--json]          follow unfinished jobs to their end, keep their videos
    python -m client recover REQUEST_ID [--json]   fetch any job by id into the history

The store and the client load inside the commands, so ``python -m client --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from client.settings import Settings
    from client.store import AnyStore
    from client.store_schema import JobRecord

COMMANDS = ("history", "resume", "recover")
EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


def add_commands(sub: Any) -> None:
    """Register the history commands on the CLI's subparsers."""
    history = sub.add_parser("history", help="list recorded jobs, newest first")
    history.add_argument("--json", action="store_true", help="print one JSON array")
    history.add_argument("--limit", type=int, default=50, help="at most this many jobs (default 50)")
    history.add_argument("--owner", default=None, help="only this owner's jobs (default: everyone's)")
    resume = sub.add_parser("resume", help="follow unfinished jobs to their end and keep their videos")
    resume.add_argument("--json", action="store_true", help="print one JSON array")
    recover = sub.add_parser("recover", help="fetch a job's state and video by request id into the history")
    recover.add_argument("request_id")
    recover.add_argument("--json", action="store_true", help="print one JSON object")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def open_history(settings: Settings) -> AnyStore:
    """The store in ``settings.data_dir``, or a NullStore after one warning line on stderr."""
    from client.store import JobStore, NullStore, StoreUnavailable

    try:
        return JobStore.open(settings.data_dir)
    except StoreUnavailable as exc:
        _say(f"warning: {exc}")
        return NullStore(str(exc))


def _iso(timestamp: float) -> str:
    from datetime import UTC, datetime  # here, not at the top: --help stays fast

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
    }


def _job_line(job: JobRecord) -> str:
    from datetime import datetime

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


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``history``, ``resume`` or ``recover``; returns the exit code."""
    if args.command == "history":
        return _history(args, settings)
    import asyncio

    return asyncio.run(_resume(args, settings) if args.command == "resume" else _recover(args, settings))


def _history(args: argparse.Namespace, settings: Settings) -> int:
    store = open_history(settings)
    try:
        jobs = store.list_jobs(owner=args.owner, limit=args.limit)
    finally:
        store.close()
    if not store.available:
        return EXIT_FAILED
    if args.json:
        print(json.dumps([job_json(job) for job in jobs], ensure_ascii=False))
    elif not jobs:
        _say(f"no jobs recorded in {settings.data_dir}")
    else:
        for job in jobs:
            print(_job_line(job))
    return EXIT_OK


async def _resume(args: argparse.Namespace, settings: Settings) -> int:
    from client.connect import connect
    from client.resume import resume_jobs

    store = open_history(settings)
    if not store.available:
        return EXIT_FAILED
    try:
        async with connect(settings) as api:
            outcomes = await resume_jobs(api, store, budget_mb=settings.video_budget_mb)
    finally:
        store.close()
    if args.json:
        print(json.dumps([vars(o) for o in outcomes]))
    elif not outcomes:
        _say("nothing to resume: every recorded job has ended and has its video")
    else:
        for o in outcomes:
            print(f"{o.request_id}  {o.state:<10} {o.message}")
    return EXIT_OK


async def _recover(args: argparse.Namespace, settings: Settings) -> int:
    from client.connect import connect
    from client.resume import recover

    if settings.offline:
        _say("No RunComfy API token: set RUNCOMFY_API_TOKEN (or RUNCOMFY_TOKEN). To recover a job of a "
             "loopback stand-in, also set RUNCOMFY_BASE_URL.")
        return EXIT_REFUSED
    store = open_history(settings)
    try:
        async with connect(settings) as api:
            job = await recover(api, store, args.request_id, budget_mb=settings.video_budget_mb)
    finally:
        store.close()
    if job is None:
        _say(f"{args.request_id}: fetched, but the history is unavailable so nothing was recorded")
        return EXIT_FAILED
    if args.json:
        print(json.dumps(job_json(job), ensure_ascii=False))
    else:
        print(_job_line(job))
    return EXIT_OK if job.state not in ("failed", "cancelled", "lost") else EXIT_FAILED
