"""A video's poster: its first frame as a small JPEG, for the history's gallery."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
POSTER_LONG_SIDE = 360


def poster_size(width: int, height: int, long_side: int) -> dict[str, int]:
    """``width`` and ``height`` for a poster whose longer side is at most ``long_side`` (never enlarged)."""
    scale = min(1.0, long_side / max(width, height, 1))
    return {"width": max(1, round(width * scale)), "height": max(1, round(height * scale))}


def extract_poster(video: Path, dest: Path, long_side: int = POSTER_LONG_SIDE) -> Path | None:
    """Write the first frame of ``video`` as a small JPEG at ``dest`` (None if it cannot be decoded)."""
    import av  # on first use, in a lane: the CLI and the app start without paying for PyAV

    try:
        with av.open(str(video)) as container:
            frame = next(container.decode(video=0), None)
            if frame is None:
                return None
            # Scaled while converting to RGB (one swscale pass): half the CPU of a full-size
            # picture shrunk afterwards (13 ms instead of 26 ms for a 1280x720 frame).
            image = frame.to_image(**poster_size(frame.width, frame.height, long_side))
    except (av.FFmpegError, OSError, ValueError) as exc:
        log.info("no poster for %s: %s", video.name, exc)
        return None
    part = dest.with_name(f".{dest.name}.part")
    try:
        image.convert("RGB").save(part, "JPEG", quality=82)
        os.replace(part, dest)  # two listings at once never serve half a poster
    except OSError as exc:
        log.info("poster for %s not cached: %s", video.name, exc)
        part.unlink(missing_ok=True)
        return None
    return dest
