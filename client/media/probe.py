"""Measuring a video file with PyAV, without decoding it: the facts shown under the player."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path


@dataclass(frozen=True)
class VideoFacts:
    """What PyAV measured in a video file."""

    duration_s: float
    frames: int
    fps: float
    width: int
    height: int
    size_bytes: int


def probe_video(path: Path) -> VideoFacts:
    """Duration, frames, fps, size of the first video stream; ValueError if there is none.

    Frames are counted from packets when the container does not say (demuxing is cheap; decoding
    is not needed for a count).
    """
    import av  # on first use, in a lane: the CLI and the app start without paying for PyAV

    size = path.stat().st_size
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ValueError("the file has no video stream")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or Fraction(0)
            frames = stream.frames
            if not frames:
                frames = sum(1 for packet in container.demux(stream) if packet.size)
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / av.time_base
            else:
                duration = frames / float(rate) if rate else 0.0
            return VideoFacts(round(duration, 3), int(frames), round(float(rate), 3),
                              stream.codec_context.width, stream.codec_context.height, size)
    except av.FFmpegError as exc:
        raise ValueError(f"the file is not a readable video ({type(exc).__name__})") from exc
