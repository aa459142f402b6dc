"""A video's last frame as a picture at the video's own size: what a continuation starts from.

Why JPEG at quality 95 with full-resolution colour (4:4:4), not PNG: the model takes at most 4.7 MB
and a PNG of a 1080p frame does not always fit. Measured on 1080p frames decoded from H.264
(``benchmarks``-style pictures): PNG 1.5 MB for a clean picture, 3.5 MB for a grainy one and 6.0 MB
for a noisy one (refused, or re-encoded by the upload fixes: a fix to report), in 0.3-0.9 s; JPEG
q95 4:4:4 0.8, 1.5 and 3.4 MB in 15 ms, 41-44 dB PSNR against the decoded frame, far below what the
H.264 source already lost. Plain 4:2:0 JPEG is smaller but only 36 dB: the frame's chroma was
upsampled from the video's 4:2:0 and subsampling it again on another grid blurs colour edges. So
a 1080p frame passes the model's rules as it is, and is sent unchanged. Should a frame still be
over ``max_bytes`` (a bigger video), the quality steps down until it fits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from av import VideoFrame

# (quality, subsampling): the first that fits wins; 0 is 4:4:4, 2 is 4:2:0 (Pillow's codes).
_STEPS = ((95, 0), (90, 0), (85, 2), (75, 2), (60, 2))
# How far before the end to seek: one GOP of most encoders. A clip with one keyframe (the stand-in's,
# likely the model's) is decoded whole anyway: seeking only helps long GOP-structured files.
_SEEK_BACK_S = 2.0


@dataclass(frozen=True)
class LastFrame:
    """The last displayed frame of a video, encoded as JPEG."""

    data: bytes = field(repr=False)
    mime: str
    width: int
    height: int
    at_s: float  # when it is shown in the video, in seconds
    quality: int

    def __repr__(self) -> str:
        return (f"LastFrame({self.width}x{self.height}, {len(self.data):,} bytes, at {self.at_s:.3f} s, "
                f"quality {self.quality})")


def last_frame(video: Path, *, max_bytes: int | None = None) -> LastFrame:
    """Decode ``video``'s last frame at its own size; ValueError if there is none or it cannot be read.

    ``max_bytes``: the encoded picture is made strictly smaller than this (None: quality 95 as is).
    Blocking and CPU-heavy (a 10 s 1080p clip with one keyframe decodes in about 1 s): run it in a lane.
    """
    import av  # on first use, in a lane: the CLI and the app start without paying for PyAV

    try:
        frame = _decode_last(video)
    except av.FFmpegError as exc:
        raise ValueError(f"{video.name} is not a readable video ({type(exc).__name__})") from exc
    if frame is None:
        raise ValueError(f"{video.name} has no video frame to continue from")
    # to_image converts with the frame's own colour matrix and range (PyAV 17+), so the picture shows
    # what a player shows.
    image = frame.to_image()
    at_s = float(frame.time) if frame.time is not None else 0.0
    data, quality = b"", 0
    for quality, subsampling in _STEPS:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, subsampling=subsampling, optimize=True)
        data = out.getvalue()
        if max_bytes is None or len(data) < max_bytes:
            break
    else:
        raise ValueError(f"the last frame of {video.name} is {len(data):,} bytes even at quality {quality}")
    return LastFrame(data, "image/jpeg", image.width, image.height, round(at_s, 3), quality)


def _decode_last(video: Path) -> VideoFrame | None:
    """The last frame in display order (None for a file without frames)."""
    import av

    with av.open(str(video)) as container:
        if not container.streams.video:
            raise ValueError(f"{video.name} has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # frame threads: about twice as fast on two cores
        end = stream.duration if stream.duration is not None else None
        if end is not None and stream.time_base is not None:
            target = int(end - _SEEK_BACK_S / stream.time_base)
            if target > 0:
                # Lands on the keyframe at or before the target: every frame after it decodes.
                container.seek(target, stream=stream, backward=True, any_frame=False)
        last = None
        for frame in container.decode(stream):
            last = frame
        return last
