"""The last frame of a video, as the picture a continuation starts from: its size, its pixels, its bytes."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from client.dreamina import SCHEMA, prepare_image
from client.media import last_frame
from tests.client.media.clips import colour, decoded, make_clip, near, story_clip

LIMIT = SCHEMA.image_rules.max_file_bytes_exclusive


def test_the_last_frame_is_the_last_one_shown_at_the_video_size(tmp_path):
    clip = story_clip(tmp_path / "a.mp4", 0, 30, size=(400, 240))
    frame = last_frame(clip, max_bytes=LIMIT)
    picture = Image.open(io.BytesIO(frame.data))
    assert picture.format == "JPEG" and frame.mime == "image/jpeg"
    assert picture.size == (frame.width, frame.height) == (400, 240)
    assert near(np.asarray(picture.convert("RGB")), colour(0, 29), tolerance=3)
    assert frame.at_s == pytest.approx(29 / 24, abs=0.01)


def test_seeking_near_the_end_of_a_long_gop_structured_clip_gives_the_same_frame(tmp_path):
    # A keyframe every 12 frames over 5 s: the decoder starts at the last keyframe, not at 0.
    colours = [colour(1, i) for i in range(121)]
    clip = make_clip(tmp_path / "gops.mp4", colours, size=(320, 192), gop=12)
    with av.open(str(clip)) as container:
        assert sum(p.is_keyframe for p in container.demux(video=0)) > 5
    picture = np.asarray(Image.open(io.BytesIO(last_frame(clip).data)).convert("RGB")).astype(int)
    assert np.abs(picture - decoded(clip)[-1].astype(int)).mean() < 1.5


def test_a_1080p_frame_passes_the_image_rules_as_it_is(tmp_path):
    # Busy pixels (noise) make the JPEG as large as a real frame gets; it still fits, and is sent unchanged.
    rng = np.random.default_rng(7)
    with av.open(str(tmp_path / "hd.mp4"), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=24, options={"preset": "ultrafast", "crf": "18"})
        stream.width, stream.height, stream.pix_fmt = 1920, 1080, "yuv420p"
        for i in range(3):
            pixels = rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    frame = last_frame(tmp_path / "hd.mp4", max_bytes=LIMIT)
    assert (frame.width, frame.height) == (1920, 1080) and len(frame.data) < LIMIT
    prepared = prepare_image(frame.data)
    assert prepared.fixes == () and prepared.data == frame.data and prepared.mime == "image/jpeg"


def test_a_tight_byte_limit_lowers_the_quality_until_it_fits(tmp_path):
    clip = story_clip(tmp_path / "a.mp4", 0, 3, size=(640, 384))
    full = last_frame(clip)
    assert full.quality == 95
    smaller = last_frame(clip, max_bytes=len(full.data))  # strictly under what quality 95 takes
    assert smaller.quality < 95 and len(smaller.data) < len(full.data)
    with pytest.raises(ValueError, match="even at quality"):
        last_frame(clip, max_bytes=100)


def test_a_file_that_is_not_a_video_is_refused_in_words(tmp_path: Path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all")
    with pytest.raises(ValueError, match=r"junk\.mp4"):
        last_frame(junk)
