"""Pictures made by the tests themselves (no third-party images)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def photo(width: int = 1280, height: int = 720, fmt: str = "JPEG", **save: object) -> bytes:
    """A gradient with a few shapes, encoded as ``fmt``."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 8):
        shade = int(255 * y / max(1, height))
        draw.rectangle([0, y, width, y + 8], fill=(shade, 120, 255 - shade))
    draw.ellipse([width // 4, height // 4, width // 2, height // 2], fill=(250, 200, 40))
    buf = io.BytesIO()
    image.save(buf, fmt, **save)
    return buf.getvalue()
