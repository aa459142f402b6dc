"""Small H.264 clips made by the tests with PyAV: each frame a flat colour that says which frame it is."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

Colour = tuple[int, int, int]


def colour(clip: int, frame: int) -> Colour:
    """A colour per (clip, frame), far enough from its neighbours to survive compression."""
    return (40 + (frame * 7) % 180, 60 + clip * 60, 200 - (frame * 3) % 150)


MARKER: Colour = (250, 0, 250)
"""The colour of a junction frame that must not appear in a stitched file."""


def make_clip(path: Path, colours: Sequence[Colour], *, size: tuple[int, int] = (160, 96),
              gop: int | None = None, fps: int = 24) -> Path:
    """An MP4 with one frame per colour (libx264, yuv420p); ``gop`` 1 makes every frame a keyframe."""
    width, height = size
    options = {"preset": "veryfast", "crf": "10"}  # B-frames, like the stand-in's clips
    if gop is not None:
        options["g"] = str(gop)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index, rgb in enumerate(colours):
            pixels = np.full((height, width, 3), rgb, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def story_clip(path: Path, clip: int, frames: int, *, marker_first: bool = False, **kw: object) -> Path:
    """Clip number ``clip`` of ``frames`` frames; with ``marker_first`` its first frame is :data:`MARKER`."""
    colours = [colour(clip, i) for i in range(frames)]
    if marker_first:
        colours[0] = MARKER
    return make_clip(path, colours, **kw)  # type: ignore[arg-type]


def decoded(path: Path) -> list[np.ndarray]:
    """Every frame of ``path``, decoded, as RGB arrays."""
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def mean_colour(frame: np.ndarray) -> np.ndarray:
    """The frame's average colour (flat frames: its colour)."""
    return frame.reshape(-1, 3).mean(axis=0)


def near(frame: np.ndarray, rgb: Colour, tolerance: float = 12.0) -> bool:
    """True when the frame's average colour is within ``tolerance`` of ``rgb`` on each channel."""
    return bool(np.all(np.abs(mean_colour(frame) - np.array(rgb)) <= tolerance))
