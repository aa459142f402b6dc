"""``python -m client history|resume|recover``: the job history, shared with the app."""

from __future__ import annotations

import argparse
import json

from client import ENDED_BADLY, Settings, connect, recover_job, resume_jobs
from client.cli.say import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    NO_KEY_FOR_LOOKUP,
    job_json,
    job_line,
    open_history,
    say,
)


def history(args: argparse.Namespace, settings: Settings) -> int:
    """Print the recorded jobs, newest first (one line each, or one JSON array)."""
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
        say(f"no jobs recorded in {settings.data_dir}")
    else:
        for job in jobs:
            print(job_line(job))
    return EXIT_OK


async def resume(args: argparse.Namespace, settings: Settings) -> int:
    """Follow every unfinished job to its end and keep its video; one line (or object) per job."""
    store = open_history(settings)
    if not store.available:
        return EXIT_FAILED
    try:
        async with connect(settings) as conn:
            outcomes = await resume_jobs(conn, store, files=settings.files())
    finally:
        store.close()
    if args.json:
        print(json.dumps([vars(o) for o in outcomes]))
    elif not outcomes:
        say("nothing to resume: every recorded job has ended and has its video")
    else:
        for o in outcomes:
            print(f"{o.request_id}  {o.state:<10} {o.message}")
    return EXIT_OK


async def recover(args: argparse.Namespace, settings: Settings) -> int:
    """Fetch any job by request id into the history; exit 1 if it failed, was cancelled or lost."""
    if settings.offline:
        say(NO_KEY_FOR_LOOKUP)
        return EXIT_REFUSED
    store = open_history(settings)
    try:
        async with connect(settings) as conn:
            job = await recover_job(conn, store, args.request_id, files=settings.files())
    finally:
        store.close()
    if job is None:
        say(f"{args.request_id}: fetched, but the history is unavailable so nothing was recorded")
        return EXIT_FAILED
    if args.json:
        print(json.dumps(job_json(job), ensure_ascii=False))
    else:
        print(job_line(job))
    return EXIT_FAILED if job.state in ENDED_BADLY else EXIT_OK
