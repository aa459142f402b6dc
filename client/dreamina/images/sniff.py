"""Naming what a file is when it is not an image we read, or where it breaks: by content, never by name."""

from __future__ import annotations

import re
import struct

from client.dreamina.errors import InputRefused
from client.dreamina.schema import SCHEMA

ACCEPTED_TEXT = " or ".join(SCHEMA.image_rules.formats)
FORMATS_SENTENCE = f"only {ACCEPTED_TEXT} images (or WebP/BMP/TIFF/GIF that can be converted)"

# What hostile or odd files make Pillow's parsers raise. Callers never raise our own InputRefused
# (a ValueError) inside the try blocks that catch these.
DAMAGE = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, TypeError, KeyError)


def damaged(error: BaseException) -> InputRefused:
    """The refusal for a file that starts like an image but cannot be read to its end."""
    detail = str(error) or type(error).__name__
    return InputRefused(f"the file is truncated or damaged: {detail}", rule="file", value=detail)


_DAMAGED_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_OTHER_SIGNATURES = (
    (b"%PDF", "PDF"),
    (b"8BPS", "Photoshop (PSD)"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (b"\xff\x4f\xff\x51", "JPEG 2000"),
    (b"\xff\x0a", "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
    (b"PK\x03\x04", "a ZIP archive"),
)
_FTYP_BRANDS = {b"avif": "AVIF", b"avis": "AVIF", b"heic": "HEIC", b"heix": "HEIC", b"mif1": "HEIF"}


def describe_unreadable(prefix: bytes) -> InputRefused:
    """Name what a file Pillow could not identify really is (by content, never by name)."""
    for magic, label in _DAMAGED_SIGNATURES:
        if prefix.startswith(magic):
            return damaged(ValueError(f"a {label} file whose header cannot be read"))
    if prefix[:4] == b"RIFF" and prefix[8:12] == b"WEBP":
        return damaged(ValueError("a WebP file whose header cannot be read"))
    kind = next((label for magic, label in _OTHER_SIGNATURES if prefix.startswith(magic)), None)
    if kind is None and prefix[4:8] == b"ftyp":
        kind = _FTYP_BRANDS.get(prefix[8:12], "an MP4/QuickTime video")
    lowered = prefix.lower()
    if kind is None and re.search(rb"<svg[\s>]", lowered):
        kind = "SVG"
    elif kind is None and (b"<html" in lowered or b"<!doctype html" in lowered):
        kind = "HTML (a web page, not an image)"
    elif kind is None and b"\x00" not in prefix:
        try:
            prefix[: len(prefix) - 3].decode("utf-8")  # the cut may split a character
            kind = "text"
        except UnicodeDecodeError:
            kind = None
    if kind is None and prefix.startswith(b"BM"):
        return damaged(ValueError("a BMP file whose header cannot be read"))
    what = f"file is {kind}" if kind else "file is not an image we can read"
    return InputRefused(f"{what}: {FORMATS_SENTENCE}", rule="format", value=kind)
