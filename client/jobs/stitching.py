"""Stitching jobs of the history into one MP4: a whole story by its last clip, or any ids in order.

    done = await stitch_jobs(store, [last_id], story_path(files, last_id))     # root .. last_id
    done = await stitch_jobs(store, [a, b, c], out)                            # these, in this order
    done.method, done.frames, done.reason, done.skipped

A clip whose parent is the clip just before it is a continuation: its first frame (its parent's last)
is dropped at the junction. The work runs in the media's stitching lane, off the event loop.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from client.dreamina import InputRefused
from client.history import ENDED_BADLY, AnyStore, JobFiles, JobRecord, safe_name
from client.jobs.continuation import kept_video
from client.media import STITCHES, Clip, Stitched, stitch_clips

RULE = "stitch"


@dataclass(frozen=True)
class StoryFile:
    """A stitched file, the jobs in it, and the failed clips a story's end left out."""

    stitched: Stitched
    request_ids: tuple[str, ...]
    skipped: tuple[str, ...] = ()  # a story's last clips that ended without a video

    @property
    def path(self) -> Path:
        """The stitched MP4."""
        return self.stitched.path

    @property
    def method(self) -> str:
        """'remux' (packets copied) or 'reencode' (decoded and encoded once)."""
        return self.stitched.method


def story_path(files: JobFiles, request_id: str) -> Path:
    """Where the app keeps a story's stitched file: ``<outputs>/stories/<last clip>-story.mp4``.

    Not counted by the disk budget (which counts jobs' videos): the page may delete it after download.
    """
    return files.videos / "stories" / f"{safe_name(request_id)}-story.mp4"


def clips_of(records: Sequence[JobRecord]) -> list[Clip]:
    """The clips to stitch, in order; InputRefused naming a job without a local video."""
    clips: list[Clip] = []
    for record in records:
        path = kept_video(record, rule=RULE)
        follows = bool(clips) and record.parent_id == clips[-1].request_id
        clips.append(Clip(path, record.request_id, record.prompt, record.seed, record.model,
                          continues=follows))
    return clips


def expected_frames(records: Sequence[JobRecord]) -> int | None:
    """How many frames stitching these clips (in this order) gives, from their facts (None: unknown)."""
    total = 0
    for index, record in enumerate(records):
        if record.facts is None:
            return None
        follows = index > 0 and record.parent_id == records[index - 1].request_id
        total += record.facts.frames - follows
    return total


def _without_failed_end(story: list[JobRecord]) -> tuple[list[JobRecord], tuple[str, ...]]:
    """A story minus its last clips that ended without a video (a failed clip is never continued)."""
    skipped: list[str] = []
    while story and story[-1].state in ENDED_BADLY:
        skipped.insert(0, story.pop().request_id)
    return story, tuple(skipped)


async def _records(store: AnyStore, request_ids: Sequence[str], owner: str | None
                   ) -> tuple[list[JobRecord], tuple[str, ...]]:
    if len(request_ids) == 1:
        story = await asyncio.to_thread(store.story_of, request_ids[0], owner)
        if not story:
            raise InputRefused(f"no job {request_ids[0]} in the history", rule=RULE, value=request_ids[0])
        story, skipped = _without_failed_end(story)
        if not story:
            raise InputRefused(f"no clip of the story of {request_ids[0]} has a video", rule=RULE,
                               value=request_ids[0])
        return story, skipped
    records = []
    for rid in request_ids:
        record = await asyncio.to_thread(store.get, rid, owner)
        if record is None:
            raise InputRefused(f"no job {rid} in the history", rule=RULE, value=rid)
        records.append(record)
    return records, ()


async def stitch_jobs(store: AnyStore, request_ids: Sequence[str], dest: Path, *,
                      owner: str | None = None, progress: Callable[[int], None] | None = None) -> StoryFile:
    """Stitch the jobs ``request_ids`` in order into ``dest`` (one id: its story, first clip to it).

    InputRefused when an id is unknown (for ``owner``) or a clip has no local video; ValueError when
    the videos cannot be joined. ``progress(frames_written)`` is called on the event loop during a
    re-encode (about once per second of video); the total is :func:`expected_frames` of the clips.
    """
    if not request_ids:
        raise InputRefused("give at least one request id to stitch", rule=RULE)
    records, skipped = await _records(store, request_ids, owner)
    clips = clips_of(records)
    report: Callable[[int], object] | None = None
    if progress is not None:  # called in the lane's thread: handed over to the event loop
        report = functools.partial(asyncio.get_running_loop().call_soon_threadsafe, progress)
    stitched = await STITCHES.run(stitch_clips, clips, dest, progress=report)
    return StoryFile(stitched, tuple(r.request_id for r in records), skipped)
