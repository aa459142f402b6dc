"""Naming what a file is when it is not an image we read, or where it breaks: by content, never by name."""

from __future__ import annotations

import re
import struct

from client.dreamina.errors import InputRefused, refusal
from client.dreamina.schema import SCHEMA
from client.dreamina.wording import Wording

FORMATS = SCHEMA.image_rules.formats
FORMATS_ACCEPTED = Wording.of("formats_accepted", formats=FORMATS)
"""'only JPEG or PNG images (or WebP/BMP/TIFF/GIF that can be converted)'."""

# What hostile or odd files make Pillow's parsers raise. Callers never raise our own InputRefused
# (a ValueError) inside the try blocks that catch these.
DAMAGE = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, TypeError, KeyError)


def damaged(error: BaseException) -> InputRefused:
    """The refusal for a file that starts like an image but cannot be read to its end.

    Pillow's own words are English: the English sentence quotes them, others leave them out.
    """
    detail = str(error) or type(error).__name__
    return refusal("damaged", rule="file", value=detail, detail=detail)


def _damaged_header(label: str) -> InputRefused:
    return refusal("damaged_header", rule="file", value=label, label=label)


_DAMAGED_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_OTHER_SIGNATURES = (
    (b"%PDF", "kind_pdf"),
    (b"8BPS", "kind_psd"),
    (b"\x00\x00\x01\x00", "kind_ico"),
    (b"\x00\x00\x00\x0cjP  ", "kind_jp2"),
    (b"\xff\x4f\xff\x51", "kind_jp2"),
    (b"\xff\x0a", "kind_jxl"),
    (b"\x00\x00\x00\x0cJXL ", "kind_jxl"),
    (b"PK\x03\x04", "kind_zip"),
)
_FTYP_BRANDS = {b"avif": "kind_avif", b"avis": "kind_avif", b"heic": "kind_heic", b"heix": "kind_heic",
                b"mif1": "kind_heif"}


def _kind(prefix: bytes) -> str | None:
    """The wording key of what a file is, from its first bytes, or None."""
    kind = next((key for magic, key in _OTHER_SIGNATURES if prefix.startswith(magic)), None)
    if kind is None and prefix[4:8] == b"ftyp":
        kind = _FTYP_BRANDS.get(prefix[8:12], "kind_video")
    lowered = prefix.lower()
    if kind is None and re.search(rb"<svg[\s>]", lowered):
        kind = "kind_svg"
    elif kind is None and (b"<html" in lowered or b"<!doctype html" in lowered):
        kind = "kind_html"
    elif kind is None and b"\x00" not in prefix:
        try:
            prefix[: len(prefix) - 3].decode("utf-8")  # the cut may split a character
            kind = "kind_text"
        except UnicodeDecodeError:
            kind = None
    return kind


def describe_unreadable(prefix: bytes) -> InputRefused:
    """Name what a file Pillow could not identify really is (by content, never by name)."""
    for magic, label in _DAMAGED_SIGNATURES:
        if prefix.startswith(magic):
            return _damaged_header(label)
    if prefix[:4] == b"RIFF" and prefix[8:12] == b"WEBP":
        return _damaged_header("WebP")
    kind = _kind(prefix)
    if kind is None and prefix.startswith(b"BM"):
        return _damaged_header("BMP")
    if kind is None:
        return refusal("not_image", rule="format", value=None, formats=FORMATS_ACCEPTED)
    what = Wording.of(kind)
    return refusal("not_image_kind", rule="format", value=what.text(), kind=what, formats=FORMATS_ACCEPTED)
