"""Continue from the last frame, and stitch the story, against the loopback stand-in over HTTP.

What RunComfy was sent is read at the HTTP boundary: a transport that passes every request on to the
stand-in unchanged and keeps a copy of each submit's body. A story of three clips is made once for
the module (about 10 s: the stand-in renders each clip), then read by several tests.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from client.dreamina import SCHEMA, InputRefused, PreparedJob, build_job
from client.history import JobFiles, JobStore
from client.jobs import (
    Connection,
    continue_job,
    expected_frames,
    record,
    run_job,
    stitch_jobs,
    story_path,
)
from client.media import read_job_tags
from tests.client.media.clips import decoded
from tests.client.runs import make_client, run
from tests.samples import photo


class SubmitSpy(httpx.AsyncBaseTransport):
    """Real HTTP to the stand-in; keeps each submit's JSON body on the way (nothing is changed)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.bodies: list[dict[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith(SCHEMA.model):
            self.bodies.append(json.loads(request.content))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Story:
    data: Path
    files: JobFiles
    ids: list[str]
    bodies: list[dict[str, Any]]
    fixes: list[tuple[str, ...]]


async def finish(store: JobStore, conn: Connection, files: JobFiles, prepared: PreparedJob | Any,
                 parent_id: str | None = None) -> str:
    """Run one recorded job to its end; its request id."""
    rid = ""
    async for event in record(store, run_job(conn, prepared.request), conn=conn, job=prepared, files=files,
                              parent_id=parent_id):
        rid = event.request_id
    return rid


def sent_picture(body: dict[str, Any]) -> np.ndarray:
    head, data = body["image_urls"][0].split(",", 1)
    assert head == "data:image/jpeg;base64"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")).astype(int)


@pytest.fixture(scope="module")
def story(offline_server, tmp_path_factory) -> Story:
    """A story of three 5 s clips: a photo, then twice continued from the last frame."""
    offline_server.reset()
    offline_server.configure(queue_s=0.05, run_s=0.05)  # what takes time is the stand-in's render
    root = tmp_path_factory.mktemp("story")
    files = JobFiles.under(root / "outputs", root / "data")
    spy = SubmitSpy()

    async def go() -> Story:
        with JobStore.open(root / "data") as store:
            async with make_client(offline_server, root / "outputs", transport=spy) as conn:
                ids = [await finish(store, conn, files, build := _first())]
                assert build.request.frames == 121
                fixes = []
                for n in (1, 2):
                    continued = await continue_job(store, ids[-1])
                    fixes.append(continued.fixes)
                    ids.append(await finish(store, conn, files, continued.job(f"then part {n}", seed=n),
                                            parent_id=continued.parent_id))
        return Story(root / "data", files, ids, spy.bodies, fixes)

    try:
        return run(go())
    finally:
        offline_server.reset()


def _first() -> PreparedJob:
    return build_job("A slow dolly-in over a sunny street", image=photo(960, 540), seed=7, frames=121)


def test_the_continued_job_was_sent_its_parents_last_frame(story):
    assert len(story.bodies) == 3 and story.fixes == [(), ()]  # a frame of the video passes as it is
    with JobStore.open(story.data) as store:
        for parent_id, body in zip(story.ids, story.bodies[1:], strict=False):
            parent = store.get(parent_id)
            last = decoded(parent.video_path)[-1].astype(int)
            sent = sent_picture(body)
            assert sent.shape == last.shape == (parent.facts.height, parent.facts.width, 3)
            assert np.abs(sent - last).mean() < 1.5  # JPEG q95 4:4:4 of the very same pixels
        assert [b["seed"] for b in story.bodies[1:]] == [1, 2]
        assert [b["prompt"] for b in story.bodies[1:]] == ["then part 1", "then part 2"]
        child = store.get(story.ids[1])
        assert child.parent_id == story.ids[0] and child.frames == 121 and child.state == "succeeded"
        # Round trip: the stand-in's first frame of the child is drawn from that picture, so it
        # looks like the parent's last (a colour matrix or range mix-up would show here).
        first = decoded(child.video_path)[0].astype(int)
        assert np.abs(first - decoded(store.get(story.ids[0]).video_path)[-1].astype(int)).mean() < 6
        assert [r.request_id for r in store.story_of(story.ids[2])] == story.ids


def test_a_story_of_three_clips_stitches_to_121_120_120_frames(story):
    with JobStore.open(story.data) as store:
        seen: list[int] = []
        done = run(stitch_jobs(store, [story.ids[-1]], story_path(story.files, story.ids[-1]),
                               progress=seen.append))
        expected = expected_frames(store.story_of(story.ids[-1]))
    assert done.request_ids == tuple(story.ids) and done.skipped == ()
    assert expected == 361 and seen and seen == sorted(seen) and seen[-1] <= expected
    assert done.method == "reencode" and done.stitched.dropped == 2
    assert done.stitched.frames == 121 + 120 + 120 == len(decoded(done.path))
    assert done.path.parent == story.files.videos / "stories"
    assert [clip["request_id"] for clip in read_job_tags(done.path)["story"]] == story.ids
    assert [clip["seed"] for clip in read_job_tags(done.path)["story"]] == [7, 1, 2]


def test_ids_that_do_not_continue_each_other_are_joined_whole(story, tmp_path):
    with JobStore.open(story.data) as store:
        done = run(stitch_jobs(store, [story.ids[0], story.ids[2]], tmp_path / "two.mp4"))
    assert (done.method, done.stitched.frames, done.stitched.dropped) == ("remux", 242, 0)


def test_a_failed_last_clip_is_left_out_of_its_story(story, standin, tmp_path):
    standin.configure(fail_next=1)
    with JobStore.open(story.data) as store:

        async def go() -> str:
            async with make_client(standin, story.files.videos) as conn:
                continued = await continue_job(store, story.ids[1])
                return await finish(store, conn, story.files, continued.job("this one fails"),
                                    parent_id=story.ids[1])

        failed = run(go())
        assert store.get(failed).state == "failed"
        done = run(stitch_jobs(store, [failed], tmp_path / "branch.mp4"))
        with pytest.raises(InputRefused, match="only a finished video") as refused:
            run(continue_job(store, failed))
    assert refused.value.rule == "continue"
    assert done.request_ids == tuple(story.ids[:2]) and done.skipped == (failed,)
    assert done.stitched.frames == 241


def test_a_job_without_its_video_cannot_be_continued_or_stitched(tmp_path):
    with JobStore.open(tmp_path / "data") as store:
        with pytest.raises(InputRefused, match="no job nobody-knows") as unknown:
            run(continue_job(store, "nobody-knows"))
        assert unknown.value.rule == "continue"
        store.add_submitted("gone", model=SCHEMA.model, prompt="p", seed=1, frames=121)
        store.add_event("gone", "succeeded", video_path=tmp_path / "gone.mp4")
        store.mark_pruned("gone")
        with pytest.raises(InputRefused, match="no longer on this disk"):
            run(continue_job(store, "gone"))
        with pytest.raises(InputRefused, match="no longer on this disk") as stitch_refused:
            run(stitch_jobs(store, ["gone"], tmp_path / "x.mp4"))
        assert stitch_refused.value.rule == "stitch"
        with pytest.raises(InputRefused, match="no job nope"):
            run(stitch_jobs(store, ["gone", "nope"], tmp_path / "x.mp4"))
    assert not (tmp_path / "x.mp4").exists()
