"""The small picture of a job's input kept in its record (never the picture itself)."""

from __future__ import annotations

import io
import logging

from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)
THUMB_LONG_SIDE = 256


def make_thumbnail(data: bytes, long_side: int = THUMB_LONG_SIDE) -> bytes | None:
    """A small JPEG of an image (None if it cannot be read: a thumbnail is never worth failing for)."""
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
