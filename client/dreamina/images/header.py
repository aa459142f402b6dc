"""What an image file says about itself, read without decoding its pixels; and the one strict decode.

``Image.open`` only parses the header, so format, size, frame count and EXIF orientation are known
in a few milliseconds. That keeps the live check panel cheap and lets a decompression bomb be refused
from its header before a single pixel is decoded. Pixels are decoded only in :func:`decode`, after
those checks, with truncated files treated as errors.
"""

from __future__ import annotations

import errno
import io
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from PIL import ExifTags, Image, ImageFile

from client.dreamina.errors import InputRefused, refusal
from client.dreamina.images.sniff import DAMAGE, damaged, describe_unreadable
from client.dreamina.schema import SCHEMA
from client.dreamina.wording import Wording

RULES = SCHEMA.image_rules

ImageSource = Path | str | bytes
"""A file path (``str`` is a path, never a URL) or the file's bytes."""

MAX_INPUT_BYTES = 50_000_000
"""Bigger files are refused before being read (RunComfy itself suggests images of at most 50 MB)."""

DECODE_PIXEL_BUDGET = (2 * RULES.max_side_px) ** 2
"""Most pixels we agree to decode: 8192x8192 (67 MP), so a 24-61 MP camera photo can still be
downscaled to 4096, while a file claiming more is refused from its header alone."""

OPENABLE = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF")
# Only these Pillow plugins ever see user input: others (EPS runs Ghostscript, ...) stay out of reach.
# MPO needs no entry: Pillow's JPEG opener returns an MPO image when the file holds several pictures.

LABELS = {
    "JPEG": "JPEG",
    "MPO": "MPO (multi-picture JPEG)",
    "PNG": "PNG",
    "WEBP": "WebP",
    "BMP": "BMP",
    "TIFF": "TIFF",
    "GIF": "GIF",
}

_PREFIX_BYTES = 4096
_DECODE_LOCK = threading.Lock()


@dataclass(frozen=True)
class ImageFacts:
    """Everything the rules need, as the header states it (``stored_*`` before EXIF orientation)."""

    format: str
    stored_width: int
    stored_height: int
    orientation: int  # 1..8; 1 also when unknown
    orientation_known: bool  # False for a PNG whose eXIf chunk may follow the pixel data
    mode: str
    bit_depth: int
    frames: int
    size_bytes: int
    lossy: bool
    has_alpha: bool
    metadata: tuple[str, ...]  # e.g. ("EXIF", "GPS location", "XMP")

    @property
    def rotated(self) -> bool:
        """Orientations 5-8 turn the picture a quarter, swapping width and height."""
        return self.orientation in (5, 6, 7, 8)

    @property
    def width(self) -> int:
        """Width as displayed, after EXIF orientation."""
        return self.stored_height if self.rotated else self.stored_width

    @property
    def height(self) -> int:
        """Height as displayed, after EXIF orientation."""
        return self.stored_width if self.rotated else self.stored_height

    @property
    def animated(self) -> bool:
        """More than one frame; an MPO's extra pictures are not animation (we keep the first)."""
        return self.frames > 1 and self.format != "MPO"


def pixel_budget() -> int:
    """Our budget, or Pillow's limit if someone lowered it (so its bomb warning never fires on decode)."""
    limit = Image.MAX_IMAGE_PIXELS
    return min(DECODE_PIXEL_BUDGET, limit) if limit else DECODE_PIXEL_BUDGET


def bomb_refusal(pixels: int, size: tuple[int, int] | None = None) -> InputRefused:
    """The refusal for a file claiming more pixels than we decode."""
    if size:
        claim = Wording.of("claim_size", width=size[0], height=size[1], pixels=pixels)
    else:
        claim = Wording.of("claim_pixels", pixels=pixels)
    side = int(pixel_budget() ** 0.5)
    return refusal("pixels_bomb", rule="pixels", value=pixels, claim=claim, budget=pixel_budget(), side=side)


def _check_input_size(size: int) -> None:
    if size > MAX_INPUT_BYTES:
        raise refusal("file_too_big_to_read", rule="file size", value=size, size=size, limit=MAX_INPUT_BYTES)


# The OS's reason, in the table's words where we know it (English shows the OS's own text).
_OS_REASONS = {errno.ENOENT: "os_not_found", errno.EACCES: "os_denied", errno.EPERM: "os_denied",
               errno.EISDIR: "os_folder"}


def _unreadable_file(path: Path, error: OSError) -> InputRefused:
    reason = Wording.of(_OS_REASONS.get(error.errno or 0, "os_error"), detail=error.strerror or str(error))
    return refusal("file_unreadable", rule="file", value=str(path), name=path.name, reason=reason)


def read_source(source: ImageSource) -> bytes:
    """All of a source's bytes; a file over :data:`MAX_INPUT_BYTES` is refused before it is read."""
    if isinstance(source, bytes | bytearray | memoryview):
        _check_input_size(len(source))
        return bytes(source)
    path = Path(source)
    try:
        with path.open("rb") as f:
            _check_input_size(os.fstat(f.fileno()).st_size)
            data = f.read(MAX_INPUT_BYTES + 1)  # the file may have grown since fstat
    except OSError as e:
        raise _unreadable_file(path, e) from e
    _check_input_size(len(data))
    return data


@contextmanager
def open_source(source: ImageSource) -> Iterator[tuple[BinaryIO, int]]:
    """A readable stream and the size, without reading a file into memory (for header-only work)."""
    if isinstance(source, bytes | bytearray | memoryview):
        _check_input_size(len(source))
        yield io.BytesIO(source), len(source)
        return
    path = Path(source)
    try:
        f = path.open("rb")
        size = os.fstat(f.fileno()).st_size
    except OSError as e:
        raise _unreadable_file(path, e) from e
    with f:
        _check_input_size(size)
        yield f, size


@contextmanager
def open_image(stream: BinaryIO, size: int) -> Iterator[tuple[ImageFile.ImageFile, ImageFacts]]:
    """Open lazily (header only) and read the facts; refuse what cannot be opened, naming what it is."""
    prefix = stream.read(_PREFIX_BYTES)
    stream.seek(0)
    if size == 0 or not prefix:
        raise refusal("file_empty", rule="file", value=0)
    try:
        im = Image.open(stream, formats=OPENABLE)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        # Pillow refuses at open past 2x its own limit; it states the pixel count, not the size.
        found = re.search(r"\((\d+) pixels\)", str(e))
        raise bomb_refusal(int(found.group(1)) if found else pixel_budget() + 1) from e
    except Image.UnidentifiedImageError as e:
        raise describe_unreadable(prefix) from e
    except DAMAGE as e:
        raise damaged(e) from e
    with im:
        try:
            facts = _facts(im, prefix, size)
        except DAMAGE as e:
            raise damaged(e) from e
        yield im, facts


def _facts(im: ImageFile.ImageFile, prefix: bytes, size: int) -> ImageFacts:
    fmt = im.format or "?"
    frames = 1
    if fmt != "MPO" and getattr(im, "is_animated", False):
        frames = int(getattr(im, "n_frames", 2))
    orientation, metadata = exif_facts(im, header_only=True)
    if fmt == "PNG" and prefix[12:16] == b"IHDR":
        bit_depth = prefix[24]  # Pillow reads 16-bit RGB PNGs as plain "RGB": only the IHDR tells
    else:
        bit_depth = 16 if im.mode.startswith("I;16") else 8
    if fmt == "WEBP":
        lossy = b"VP8L" not in prefix  # VP8L is the lossless codec; VP8 (and unknown) are photos
    else:
        lossy = fmt in ("JPEG", "MPO")
    return ImageFacts(
        format=fmt,
        stored_width=im.width,
        stored_height=im.height,
        orientation=orientation or 1,
        orientation_known=orientation is not None,
        mode=im.mode,
        bit_depth=bit_depth,
        frames=frames,
        size_bytes=size,
        lossy=lossy,
        has_alpha=im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info,
        metadata=metadata,
    )


def exif_facts(im: Image.Image, *, header_only: bool) -> tuple[int | None, tuple[str, ...]]:
    """EXIF orientation (None when unknown before decoding) and the kinds of metadata present."""
    info = im.info
    kinds = []
    if header_only and im.format == "PNG" and "exif" not in info:
        # Pillow's PNG getexif() decodes the whole image to find an eXIf chunk placed after the
        # pixels; not before the bomb check. The orientation is settled after decoding instead.
        orientation = None
    else:
        try:
            exif = im.getexif()
            raw = exif.get(ExifTags.Base.Orientation, 1)
        except DAMAGE:
            exif, raw = Image.Exif(), 1
        orientation = raw if isinstance(raw, int) and 1 <= raw <= 8 else 1
        if "exif" in info or ExifTags.IFD.Exif in exif:
            kinds.append("EXIF")
        if ExifTags.IFD.GPSInfo in exif:
            kinds.append("GPS location")
    if "xmp" in info or "XML:com.adobe.xmp" in info:
        kinds.append("XMP")
    if "photoshop" in info:
        kinds.append("IPTC")
    if "comment" in info:
        kinds.append("comments")
    if im.format == "PNG" and any(isinstance(v, str) and k != "XML:com.adobe.xmp" for k, v in info.items()):
        kinds.append("text chunks")  # e.g. a Stable Diffusion "parameters" chunk holding a prompt
    return orientation, tuple(kinds)


def loaded_facts(im: Image.Image, facts: ImageFacts) -> ImageFacts:
    """The header facts, completed with what only decoding reveals (a PNG's trailing eXIf chunk)."""
    orientation, metadata = exif_facts(im, header_only=False)
    return replace(facts, orientation=orientation or 1, orientation_known=True, metadata=metadata)


def decode(im: ImageFile.ImageFile, *, stored_target: tuple[int, int] | None = None) -> None:
    """Decode every pixel; a truncated or damaged file is refused.

    ``LOAD_TRUNCATED_IMAGES`` is a process-wide Pillow switch: if anything turned it on, a truncated
    file would decode silently with a grey bottom. It is forced off for our decode and put back;
    the lock keeps two of our decodes from restoring it out of order.
    """
    if stored_target and im.format in ("JPEG", "MPO"):
        # libjpeg scales by 1/2, 1/4 or 1/8 while decoding: a big photo costs a fraction of the memory.
        im.draft(None, stored_target)
    with _DECODE_LOCK:
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            im.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise bomb_refusal(im.width * im.height, im.size) from e
        except DAMAGE as e:
            raise damaged(e) from e
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient
