"""``python -m client stitch REQUEST_ID... --out FILE``: clips of the history joined into one MP4.

Several ids: those clips, in that order. One id: its whole story, from the first clip to that one
(a story's last clips that failed are left out, and said so). Where a clip continues the one before
it, the repeated junction frame is dropped. Prints how it was made: ``remux`` (packets copied) or
``reencode`` (and why). Exit 0 written, 2 refused (unknown id, a clip without its video), 1 failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from client import InputRefused, Settings, StoryFile, open_store, stitch_jobs
from client.cli.say import EXIT_FAILED, EXIT_OK, say


def stitch(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``stitch``; the exit code (InputRefused is left to ``main``: exit 2)."""
    ids = [rid.strip() for rid in args.request_ids]
    try:
        done = asyncio.run(_stitch(ids, args, settings))
    except InputRefused:
        raise
    except ValueError as exc:  # the videos could not be read or joined
        say(f"error: {exc}")
        return EXIT_FAILED
    if done is None:
        return EXIT_FAILED
    made = done.stitched
    how = made.method if made.reason is None else f"{made.method}: {made.reason}"
    say(f"stitched {made.clips} clips, {made.frames} frames, {made.duration_s:.2f} s "
        f"({made.dropped} repeated junction frame{'' if made.dropped == 1 else 's'} dropped; {how})")
    if done.skipped:
        say(f"left out the story's last clips without a video: {', '.join(done.skipped)}")
    if args.json:
        print(json.dumps({"video": str(made.path), "method": made.method, "reason": made.reason,
                          "frames": made.frames, "duration_s": made.duration_s, "dropped": made.dropped,
                          "clips": list(done.request_ids), "skipped": list(done.skipped),
                          "size_bytes": made.size_bytes}))
    else:
        print(made.path)
    return EXIT_OK


async def _stitch(ids: list[str], args: argparse.Namespace, settings: Settings) -> StoryFile | None:
    store = open_store(settings.data_dir)
    if not store.available:
        say(f"error: {store.problem}")
        return None
    try:
        return await stitch_jobs(store, ids, args.out)
    finally:
        store.close()
