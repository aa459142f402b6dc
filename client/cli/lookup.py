"""``python -m client status|result|cancel REQUEST_ID``: one question to the API about one job."""

from __future__ import annotations

import argparse
import json
from typing import Any

from client import JobRecord, Settings, VideoFacts, connect, fetch_video, open_store
from client.cli.say import EXIT_FAILED, EXIT_OK, facts_line, job_json, job_line, say

OFFLINE_JOB = ("{rid} was an offline preview: offline jobs live only as long as the process that made them, "
               "so there is nothing to ask. What the history kept of it:")


def offline_job(request_id: str, settings: Settings) -> JobRecord | None:
    """The history's record of ``request_id`` if it is an offline preview job (no API knows it)."""
    store = open_store(settings.data_dir)
    try:
        job = store.get(request_id.strip())
    finally:
        store.close()
    return job if job is not None and job.offline else None


def tell_offline(job: JobRecord, *, as_json: bool) -> int:
    """Say plainly what an offline job is, show its record; exit 0 only if its video is here."""
    say(OFFLINE_JOB.format(rid=job.request_id))
    print(json.dumps(job_json(job), ensure_ascii=False) if as_json else job_line(job))
    return EXIT_OK if job.has_local_video and job.video_path is not None and job.video_path.is_file() \
        else EXIT_FAILED


async def lookup(args: argparse.Namespace, settings: Settings) -> int:
    """Ask about ``args.request_id`` and print the answer; exit 1 for a failed or cancelled job."""
    async with connect(settings) as conn:
        out: dict[str, Any] = {"request_id": args.request_id}
        if args.command == "status":
            status = await conn.api.status(args.request_id)
            out.update(status=status.raw_state, queue_position=status.position)
        elif args.command == "cancel":
            outcome = await conn.cancel(args.request_id)
            out.update(outcome=outcome.outcome, cancelled=outcome.cancelled, message=outcome.message)
        else:
            result = await conn.api.result(args.request_id)
            out.update(status=result.raw_state, video_url=result.video_url, error=result.error,
                       cost=result.cost)
            if result.video_url and not args.no_download:
                video = await fetch_video(conn, args.request_id, result.video_url)
                out.update(video=str(video.path), facts=vars(video.facts))
        if args.json:
            print(json.dumps(out, default=str))
        else:
            for key, value in out.items():
                if key == "facts":
                    value = facts_line(VideoFacts(**value))
                if value is not None:
                    print(f"{key}: {value}")
        return EXIT_FAILED if out.get("status") in ("failed", "cancelled", "canceled") else EXIT_OK
