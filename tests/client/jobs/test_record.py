"""The recorder against the loopback stand-in: the row exists before the first poll, every state is
written in order before it is passed on, the kept MP4 carries prompt and seed; the input preview.
"""

from __future__ import annotations

import asyncio
import io

from PIL import Image

from client.dreamina import build_job
from client.history import JobFiles, JobStore
from client.jobs import Submitted, input_preview, record, run_job
from client.media import read_job_tags, read_tags
from tests.client.history.test_store import PROMPT, client, prepared


def test_row_is_written_before_the_first_poll_and_every_state_in_order(standin, tmp_path):
    async def go():
        with JobStore.open(tmp_path / "data") as store:
            async with client(standin, tmp_path) as api:
                seen = []
                job = prepared(seed=4242)
                files = JobFiles.under(tmp_path / "outputs", tmp_path / "data", 5000)
                async for event in record(store, run_job(api, job.request), conn=api, job=job, owner="alice",
                                          files=files):
                    seen.append(event)
                    if isinstance(event, Submitted):
                        assert standin.stats()["calls"]["status"] == 0
                        row = store.get(event.request_id)
                        assert row is not None and row.state == "submitted" and row.prompt == PROMPT
            return store.get(seen[0].request_id), store.events(seen[0].request_id), seen

    job, events, seen = asyncio.run(go())
    kinds = {"Submitted": "submitted", "Queued": "queued", "InProgress": "running",
             "Downloading": "downloading", "Completed": "succeeded"}
    assert [e.state for e in events] == [kinds[type(e).__name__] for e in seen]
    assert job.state == "succeeded" and job.seed == 4242 and job.owner == "alice" and job.cost
    assert job.video_path.is_file() and job.facts.size_bytes == job.video_path.stat().st_size
    assert seen[-1].video.path.resolve() == job.video_path
    assert read_job_tags(job.video_path)["seed"] == 4242 and read_tags(job.video_path)["title"] == PROMPT
    thumb = Image.open(io.BytesIO(job.image_thumb))
    assert thumb.format == "JPEG" and max(thumb.size) == 256
    assert job.base_url == standin.base_url and job.offline is False


def test_a_url_input_keeps_its_url_and_no_thumbnail():
    job = build_job(PROMPT, image_url="https://example.com/photo.jpg", seed=1)
    assert input_preview(job) == (None, "https://example.com/photo.jpg")
    thumb, url = input_preview(prepared().request)  # a bare request: its data URI becomes a thumbnail
    assert url is None and Image.open(io.BytesIO(thumb)).size == (256, 144)
