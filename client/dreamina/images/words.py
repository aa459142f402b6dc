"""Names inside the rule sentences: formats, pixel modes, metadata kinds, as wordings of the tables.

A name that reads the same in every language ('WebP', 'JPEG') stays a plain string; the others
('MPO (multi-picture JPEG)', 'palette', 'GPS location') are keys, so French says them in French.
"""

from __future__ import annotations

from client.dreamina.images.header import LABELS
from client.dreamina.wording import Wording

Words = Wording | str
"""A parameter said in words: a wording, or a name that reads the same in every language ('WebP')."""

_MODE_KEYS = {mode: f"mode_{mode}" for mode in ("P", "PA", "LA", "1", "I", "RGB", "RGBA", "L", "CMYK")}
_META_KEYS = {"EXIF": "meta_exif", "GPS location": "meta_gps", "XMP": "meta_xmp", "IPTC": "meta_iptc",
              "comments": "meta_comments", "text chunks": "meta_text"}


def label_of(fmt: str) -> Words:
    """A format's name for people ('WebP', 'MPO (multi-picture JPEG)')."""
    return Wording.of("label_mpo") if fmt == "MPO" else LABELS.get(fmt, fmt)


def mode_word(mode: str) -> Words:
    """A pixel format in words ('palette', 'grayscale', 'RGB'); an odd Pillow mode as it is."""
    key = _MODE_KEYS.get(mode)
    return Wording.of(key) if key else mode


def what(mode: Words, label: Words) -> Wording:
    """An image kind: 'CMYK JPEG', '16-bit PNG' (in French the mode comes after: 'JPEG CMJN')."""
    return Wording.of("what", mode=mode, label=label)


def metadata_words(kinds: tuple[str, ...]) -> tuple[Words, ...]:
    """The kinds of metadata a file holds ('EXIF', 'GPS location', ...), in words."""
    return tuple(Wording.of(_META_KEYS[k]) if k in _META_KEYS else k for k in kinds)
