"""``python -m client status|result|cancel REQUEST_ID``: one question to the API about one job."""

from __future__ import annotations

import argparse
import json
from typing import Any

from client import Settings, connect, fetch_video
from client.cli.say import EXIT_FAILED, EXIT_OK


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
                if value is not None:
                    print(f"{key}: {value}")
        return EXIT_FAILED if out.get("status") in ("failed", "cancelled", "canceled") else EXIT_OK
