"""Continue from the last frame: a finished job's video -> its last frame -> the next job's picture.

    cont = await continue_job(store, request_id, owner=owner)   # or continue_from(video, parent_id=...)
    cont.fixes                      # what the upload checks changed (a 1080p frame: nothing)
    path = cont.save(folder)        # the picture, for the form
    job = cont.job(prompt, seed=-1, frames=241)     # a PreparedJob; record it with parent_id=cont.parent_id

The frame is decoded at the video's own size (the videos lane) and goes through exactly the checks
and fixes of an uploaded picture (the pictures lane), so nothing reaches the API that an upload could
not. Nothing is sent here: continuing is one explicit click, generating another.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from client.dreamina import SCHEMA, InputRefused, PreparedImage, PreparedJob, build_job, prepare_image
from client.history import SUCCEEDED, AnyStore, JobRecord, safe_name
from client.media import PICTURES, VIDEOS, LastFrame, last_frame

RULE = "continue"
"""The ``rule`` of every :class:`InputRefused` raised here."""


@dataclass(frozen=True)
class Continuation:
    """The picture a continuation starts from, ready to send, and what it continues."""

    parent_id: str
    prompt: str  # the parent's prompt, to start the next one from
    frames: int | None  # the parent's length
    seed: int | None  # the parent's seed (a continuation usually takes a new one)
    frame: LastFrame
    image: PreparedImage

    @property
    def fixes(self) -> tuple[str, ...]:
        """What the upload checks changed in the frame, in the past tense (() when sent as decoded)."""
        return self.image.fixes

    @property
    def suffix(self) -> str:
        """The picture's file suffix (``.jpg``; ``.png`` if the upload fixes ever made one)."""
        return ".png" if self.image.mime == "image/png" else ".jpg"

    def save(self, folder: Path) -> Path:
        """Write the picture as ``<folder>/<parent>-last-frame.jpg`` (blocking; small) and return it."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{safe_name(self.parent_id)}-last-frame{self.suffix}"
        path.write_bytes(self.image.data)
        return path

    def job(self, prompt: str | None = None, *, seed: int | str | None = -1,
            frames: int | str | None = None) -> PreparedJob:
        """The next job from this picture (checked like any job; blocking: decodes the picture once).

        ``prompt`` None keeps the parent's; ``frames`` None keeps the parent's length.
        """
        return build_job(self.prompt if prompt is None else prompt, image=self.image.data, seed=seed,
                         frames=self.frames if frames is None else frames)


async def continue_from(video: Path, *, parent_id: str, prompt: str = "", frames: int | None = None,
                        seed: int | None = None) -> Continuation:
    """The continuation of the job ``parent_id`` whose video is ``video``; InputRefused if it cannot be.

    Raises InputRefused when the video cannot be read or its frame breaks a rule no fix repairs.
    """
    try:
        frame = await VIDEOS.run(last_frame, video, max_bytes=SCHEMA.image_rules.max_file_bytes_exclusive)
    except (ValueError, OSError) as exc:
        raise InputRefused(f"cannot continue {parent_id}: {exc}", rule=RULE, value=parent_id) from None
    image = await PICTURES.run(prepare_image, frame.data)  # the upload's own checks and fixes
    return Continuation(parent_id, prompt, frames, seed, frame, image)


async def continue_job(store: AnyStore, request_id: str, *, owner: str | None = None) -> Continuation:
    """The continuation of a job of the history (``owner`` None: anyone's); InputRefused if it cannot be.

    The job must have succeeded and its video still be on this disk.
    """
    job = await asyncio.to_thread(store.get, request_id, owner)
    if job is None:
        raise InputRefused(f"no job {request_id} in the history to continue from", rule=RULE,
                           value=request_id)
    return await continue_from(kept_video(job), parent_id=job.request_id, prompt=job.prompt,
                               frames=job.frames, seed=job.seed)


def kept_video(job: JobRecord, *, rule: str = RULE) -> Path:
    """The job's local video; InputRefused (with ``rule``) naming why there is none."""
    rid = job.request_id
    if job.state != SUCCEEDED:
        raise InputRefused(f"job {rid} is {job.state}: only a finished video can be continued or stitched",
                           rule=rule, value=rid)
    if job.video_path is None or job.video_pruned or not job.video_path.is_file():
        raise InputRefused(f"the video of {rid} is no longer on this disk (removed by the disk budget or by "
                           "hand): fetch it again by its request id first", rule=rule, value=rid)
    return job.video_path
