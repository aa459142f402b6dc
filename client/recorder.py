"""Recording a job's event stream into the history while passing every event on.

    async for event in record(store, client.run(job, token=key), job=prepared, owner=owner_id,
                              offline=client.offline, base_url=client.base_url, budget_mb=5000):
        ...  # exactly the client's events; Completed points at the kept, tagged video

Each event is written before it is yielded, so whatever the consumer does next (show it, crash,
close the tab) the store already knows it; the row exists before the client's first poll because
the runner waits for us to take ``Submitted`` before polling. Database work runs in a worker thread
so a busy database never stalls the event loop. If the store fails, the job goes on unrecorded
(one warning per job): the history is degraded, generation is not.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import io
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from client.errors import RunComfyError
from client.events import (
    Cancelled,
    Completed,
    Downloading,
    Event,
    Failed,
    InProgress,
    Queued,
    Submitted,
)
from client.lanes import PICTURES, VIDEOS
from client.store_schema import (
    CANCELLED,
    DOWNLOADING,
    FAILED,
    LOCAL_OWNER,
    NOTE,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    StoreUnavailable,
)

if TYPE_CHECKING:
    from client.inputs import JobRequest, PreparedJob
    from client.store import AnyStore

log = logging.getLogger(__name__)
THUMB_LONG_SIDE = 256


def make_thumbnail(data: bytes, long_side: int = THUMB_LONG_SIDE) -> bytes | None:
    """A small JPEG of an image (None if it cannot be read: a thumbnail is never worth failing for)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((long_side, long_side))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError):
        log.info("no thumbnail: the input image could not be read")
        return None


def input_preview(job: PreparedJob | JobRequest | None) -> tuple[bytes | None, str | None]:
    """``(thumbnail, image_url)`` for the record: a thumbnail for uploads, the URL for URL inputs.

    A data URI is never stored as such (megabytes, and it is the image itself): it becomes a thumbnail.
    """
    if job is None:
        return None, None
    image = getattr(job, "image", None)
    if image is not None and getattr(image, "data", None):
        return make_thumbnail(image.data), None
    ref = str(getattr(getattr(job, "request", job), "image_ref", "") or "")
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

    def __init__(self, store: AnyStore, owner: str, offline: bool, base_url: str, model: str,
                 budget_bytes: int | None) -> None:
        self.store = store
        self.owner = owner
        self.offline = offline
        self.base_url = base_url
        self.model = model
        self.budget_bytes = budget_bytes
        self.degraded = not store.available
        self.prompt = ""
        self.seed: int | None = None
        self.frames: int | None = None

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

    async def on(self, event: Event, thumb: bytes | None, image_url: str | None) -> Event:
        """Write ``event``; returns the event to pass on (Completed points at the tagged copy)."""
        rid = event.request_id
        if isinstance(event, Submitted):
            self.seed = event.seed
            await self.write(self.store.add_submitted, rid, owner=self.owner, model=self.model,
                             prompt=self.prompt, seed=event.seed, frames=self.frames, image_thumb=thumb,
                             image_url=image_url, offline=self.offline, base_url=self.base_url)
        elif isinstance(event, Queued):
            await self.write(self.store.add_event, rid, QUEUED, position=event.position)
        elif isinstance(event, InProgress):
            await self.write(self.store.add_event, rid, RUNNING)
        elif isinstance(event, Downloading):
            await self.write(self.store.add_event, rid, DOWNLOADING, video_url=event.url)
        elif isinstance(event, Failed):
            await self.write(self.store.add_event, rid, FAILED, error=event.error)
        elif isinstance(event, Cancelled):
            await self.write(self.store.add_event, rid, CANCELLED)
        elif isinstance(event, Completed):
            event = await self._keep(event)
            await self.write(self.store.add_event, rid, SUCCEEDED, video_url=event.video.url,
                             video_path=event.video.path.resolve(), facts=event.video.facts, cost=event.cost)
            if self.budget_bytes is not None:
                from client.video_meta import enforce_budget

                await self.write(enforce_budget, self.store, self.budget_bytes, keep=[rid])
        return event

    async def _keep(self, event: Completed) -> Completed:
        """Tag the downloaded video with prompt and seed (in place); on failure keep it untagged."""
        from client.video_meta import tag_video

        path = event.video.path
        try:
            await VIDEOS.run(tag_video, path, prompt=self.prompt, seed=self.seed,
                             request_id=event.request_id, model=self.model)
        except ValueError as exc:
            log.warning("kept %s without prompt/seed metadata: %s", event.request_id, exc)
            return event
        facts = dataclasses.replace(event.video.facts, size_bytes=path.stat().st_size)
        return dataclasses.replace(event, video=dataclasses.replace(event.video, facts=facts))


async def record(
    store: AnyStore,
    events: AsyncIterator[Event],
    *,
    job: PreparedJob | JobRequest | None = None,
    owner: str = LOCAL_OWNER,
    offline: bool = False,
    base_url: str = "",
    model: str | None = None,
    budget_mb: float | None = None,
) -> AsyncIterator[Event]:
    """Re-yield ``events`` (from ``client.run`` or ``client.follow``) after recording each one.

    ``job`` gives the prompt, frames and input thumbnail (``None`` for a followed job whose row
    exists). ``budget_mb`` (e.g. ``settings.video_budget_mb``) prunes the oldest local copies
    after each success; None or <= 0 = no limit. An error ending the stream is noted on the job and
    re-raised. Closing this stream closes ``events`` (so ``cancel_on_close`` still applies).
    """
    if model is None:
        from client.schema import SCHEMA

        model = SCHEMA.model
    budget = int(budget_mb * 1_000_000) if budget_mb is not None and budget_mb > 0 else None
    rec = _Recording(store, owner, offline, base_url, model, budget)
    request = getattr(job, "request", job)
    if request is not None:
        rec.prompt, rec.seed, rec.frames = request.prompt, request.seed, request.frames
    # Made before submitting (decoding a photo takes ~10-50 ms) so the receipt is written the moment
    # it arrives, with nothing slow between Submitted and the row.
    thumb, image_url = (None, None)
    if job is not None:
        thumb, image_url = await PICTURES.run(input_preview, job)
    request_id: str | None = None
    try:
        async for event in events:
            if request_id is None and not isinstance(event, Submitted) and request is None:
                await rec.learn(event.request_id)
            request_id = event.request_id
            yield await rec.on(event, thumb, image_url)
    except RunComfyError as exc:
        if request_id is not None:
            await rec.write(store.add_event, request_id, NOTE, note=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
