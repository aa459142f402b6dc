"""The prompt and seed kept inside an MP4: written by remuxing (never re-encoding) and read back."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from client.media import read_job_tags, read_tags, tag_video


def small_mp4(path: Path, frames: int = 12) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            pixels = np.full((48, 64, 3), i * 20, dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(stream.encode())
    return path


def test_tag_video_remuxes_without_reencoding_and_reads_back(tmp_path):
    path = small_mp4(tmp_path / "v.mp4")
    with av.open(str(path)) as c:
        before = [bytes(p) for p in c.demux(video=0) if p.size]
    tag_video(path, prompt="Waves é ✓", seed=42, request_id="r1", model="m")
    assert read_tags(path)["title"] == "Waves é ✓"
    assert read_job_tags(path) == {"prompt": "Waves é ✓", "seed": 42, "request_id": "r1", "model": "m"}
    with av.open(str(path)) as c:
        assert [bytes(p) for p in c.demux(video=0) if p.size] == before
    assert not list(tmp_path.glob(".*"))
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    with pytest.raises(ValueError, match="prompt and seed"):
        tag_video(broken, prompt="x", seed=1, request_id="r2", model="m")
    assert broken.read_bytes() == b"not a video"
