"""``python -m client extend REQUEST_ID --prompt TEXT``: the next clip of a story, from a job's last frame.

The job must be in the history with its video on this disk. Its last frame goes through the same
checks and fixes as an uploaded picture (each fix is printed), then the new job is sent once and
followed exactly like ``generate`` (same output, same exit codes), its record naming REQUEST_ID as
its parent. ``python -m client stitch NEW_ID --out story.mp4`` then joins the whole story.
"""

from __future__ import annotations

import argparse
import asyncio

from client import Continuation, Settings, continue_job
from client.cli.generate import run_prepared
from client.cli.say import EXIT_REFUSED, MISSING_KEY_HELP, open_history, say


def extend(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``extend``; the exit code (InputRefused is left to ``main``: exit 2)."""
    if not args.offline and settings.offline:
        say(MISSING_KEY_HELP)
        return EXIT_REFUSED
    continuation = asyncio.run(_continuation(args.request_id.strip(), settings))
    frame = continuation.frame
    say(f"continuing {continuation.parent_id} from its last frame ({frame.width}x{frame.height}, "
        f"at {frame.at_s:.2f} s)")
    for fix in continuation.fixes:
        say(f"fixed: {fix}")
    prepared = continuation.job(args.prompt, seed=args.seed, frames=args.frames)
    return run_prepared(args, settings, prepared, parent_id=continuation.parent_id)


async def _continuation(request_id: str, settings: Settings) -> Continuation:
    store = open_history(settings)
    try:
        return await continue_job(store, request_id)
    finally:
        store.close()
