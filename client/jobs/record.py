"""Recording a job's event stream into the history while passing every event on.

    async for event in record(store, run_job(conn, job.request), conn=conn, job=job, owner=owner,
                              files=settings.files()):
        ...  # exactly the job's events; Completed points at the kept, tagged video

Each event is written before it is yielded, so whatever the consumer does next (show it, crash,
close the tab) the store already knows it; the row exists before the first poll because the run
waits for us to take ``Submitted`` before polling. Beside the record, with ``files``: the picture
that was sent is kept at the receipt, and the finished video gets its poster and the disk budget is
applied. The video is always tagged with its prompt and seed. Database and file work runs off the
event loop, so a busy disk never stalls it. If the store fails, the job goes on unrecorded (one
warning per job): the history is degraded, generation is not.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from client.dreamina import JobRequest, PreparedJob
from client.history import (
    CANCELLED,
    DOWNLOADING,
    FAILED,
    LOCAL_OWNER,
    NOTE,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    AnyStore,
    JobFiles,
    StoreUnavailable,
)
from client.jobs.connect import Connection
from client.jobs.events import Cancelled, Completed, Downloading, Event, Failed, InProgress, Queued, Submitted
from client.media import PICTURES, VIDEOS, make_thumbnail, tag_video
from client.runcomfy import RunComfyError

log = logging.getLogger(__name__)


def input_preview(job: PreparedJob | JobRequest | None) -> tuple[bytes | None, str | None]:
    """``(thumbnail, image_url)`` for the record: a thumbnail for uploads, the URL for URL inputs.

    A data URI is never stored as such (megabytes, and it is the image itself): it becomes a thumbnail.
    """
    if job is None:
        return None, None
    if isinstance(job, PreparedJob) and job.image is not None:
        return make_thumbnail(job.image.data), None
    ref = job.request.image_ref if isinstance(job, PreparedJob) else job.image_ref
    if ref.startswith(("http://", "https://")):
        return None, ref
    if ref.startswith("data:") and "," in ref:
        try:
            return make_thumbnail(base64.b64decode(ref.split(",", 1)[1], validate=False)), None
        except (binascii.Error, ValueError):
            return None, None
    return None, None


class _Recording:
    """Writes one job's events; after the first store failure it stops trying (one warning)."""

    def __init__(self, store: AnyStore, conn: Connection, owner: str, files: JobFiles | None) -> None:
        self.store = store
        self.conn = conn
        self.owner = owner
        self.files = files
        self.degraded = not store.available
        self.prompt = ""
        self.seed: int | None = None
        self.frames: int | None = None
        self.receipt_extra: dict[str, Any] = {}

    async def write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.degraded:
            return None
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except StoreUnavailable as exc:
            self.degraded = True
            log.warning("job history degraded; this job goes on unrecorded: %s", exc)
            return None

    async def learn(self, request_id: str) -> None:
        """For a followed job (no ``Submitted``): prompt and seed come from its row, for the tags."""
        record = await self.write(self.store.get, request_id)
        if record is not None:
            self.prompt, self.seed, self.frames = record.prompt, record.seed, record.frames

    async def receipt(self, event: Submitted, job: PreparedJob | JobRequest | None,
                      preview: tuple[bytes | None, str | None]) -> None:
        """The row, before anything else; then the picture that was sent, beside it."""
        self.seed = event.seed
        thumb, image_url = preview
        await self.write(self.store.add_submitted, event.request_id, owner=self.owner, model=self.conn.model,
                         prompt=self.prompt, seed=event.seed, frames=self.frames, image_thumb=thumb,
                         image_url=image_url, offline=self.conn.offline, base_url=self.conn.base_url,
                         **self.receipt_extra)
        image = job.image if isinstance(job, PreparedJob) else None
        if self.files is not None and image is not None and not self.degraded:
            await asyncio.to_thread(self.files.keep_input, event.request_id, image.data, image.mime)

    async def on(self, event: Event) -> Event:
        """Write ``event``; returns the event to pass on (Completed points at the tagged copy)."""
        rid = event.request_id
        if isinstance(event, Queued):
            await self.write(self.store.add_event, rid, QUEUED, position=event.position)
        elif isinstance(event, InProgress):
            await self.write(self.store.add_event, rid, RUNNING)
        elif isinstance(event, Downloading):
            await self.write(self.store.add_event, rid, DOWNLOADING, video_url=event.url)
        elif isinstance(event, Failed):
            await self.write(self.store.add_event, rid, FAILED, error=event.error, tally=event.tally)
        elif isinstance(event, Cancelled):
            await self.write(self.store.add_event, rid, CANCELLED, tally=event.tally)
        elif isinstance(event, Completed):
            event = await self._keep(event)
            await self.write(self.store.add_event, rid, SUCCEEDED, video_url=event.video.url,
                             video_path=event.video.path.resolve(), facts=event.video.facts, cost=event.cost,
                             tally=event.tally)
            if self.files is not None:
                await self.write(self.files.enforce_budget, self.store, keep=[rid])
        return event

    async def _keep(self, event: Completed) -> Completed:
        """Tag the video with prompt and seed (in place; on failure it stays untagged), then its poster."""
        path = event.video.path
        try:
            await VIDEOS.run(tag_video, path, prompt=self.prompt, seed=self.seed,
                             request_id=event.request_id, model=self.conn.model)
        except ValueError as exc:
            log.warning("kept %s without prompt/seed metadata: %s", event.request_id, exc)
        else:
            facts = dataclasses.replace(event.video.facts, size_bytes=path.stat().st_size)
            event = dataclasses.replace(event, video=dataclasses.replace(event.video, facts=facts))
        if self.files is not None:
            await VIDEOS.run(self.files.make_poster, path)
        return event


async def record(
    store: AnyStore,
    events: AsyncIterator[Event],
    *,
    conn: Connection,
    job: PreparedJob | JobRequest | None = None,
    owner: str = LOCAL_OWNER,
    files: JobFiles | None = None,
    estimate: float | None = None,
    parent_id: str | None = None,
    paid_by: str | None = None,
) -> AsyncIterator[Event]:
    """Re-yield ``events`` (from ``run_job`` or ``follow_job`` on ``conn``) after recording each one.

    ``job`` gives the prompt, frames, input thumbnail and kept picture (``None`` for a followed job
    whose row exists). ``files`` (``Settings.files()``) keeps the picture, the poster and the disk
    budget; None keeps none of them. ``estimate`` (USD), ``parent_id`` (the job this one continues) and
    ``paid_by`` ('server', 'byo', 'offline') go into the receipt as they are.
    An error ending the stream is noted on the job and re-raised.
    Closing this stream closes ``events`` (so ``cancel_on_close`` still applies).
    """
    rec = _Recording(store, conn, owner, files)
    rec.receipt_extra = {"estimate": estimate, "parent_id": parent_id,
                         "paid_by": paid_by or ("offline" if conn.offline else None)}
    request = job.request if isinstance(job, PreparedJob) else job
    if request is not None:
        rec.prompt, rec.seed, rec.frames = request.prompt, request.seed, request.frames
    # Made before submitting (decoding a photo takes ~10-50 ms) so the receipt is written the moment
    # it arrives, with nothing slow between Submitted and the row.
    preview = await PICTURES.run(input_preview, job) if job is not None else (None, None)
    request_id: str | None = None
    try:
        async for event in events:
            if request_id is None and not isinstance(event, Submitted) and request is None:
                await rec.learn(event.request_id)
            request_id = event.request_id
            if isinstance(event, Submitted):
                await rec.receipt(event, job, preview)
            else:
                event = await rec.on(event)
            yield event
    except RunComfyError as exc:
        if request_id is not None:
            await rec.write(store.add_event, request_id, NOTE, note=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
