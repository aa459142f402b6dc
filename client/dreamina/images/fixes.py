"""Repairs that leave the picture as it is: turn upright, convert, downscale, re-encode.

Every re-encode starts from a clean ``info``, so EXIF (with any GPS position), XMP, comments and
PNG text chunks are gone; only a colour profile that still matches the pixels is kept, because
dropping it would shift the colours. What was done is returned as wordings in the past tense.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageCms

from client.dreamina.errors import refusal
from client.dreamina.images.header import ImageFacts
from client.dreamina.images.rules import LIMIT, SIZE_LIMIT, Plan
from client.dreamina.images.sniff import DAMAGE
from client.dreamina.images.words import Words, metadata_words, mode_word, what
from client.dreamina.wording import Wording

JPEG_QUALITIES = (90, 85, 80, 75, 70, 60, 50)
# A PNG attempt is skipped when the raw pixels are this many times the size limit: a photo that
# large never compresses under it losslessly, and encoding it would only cost seconds.
_PNG_HOPELESS_FACTOR = 8
_FAMILY = {"RGB": "rgb", "RGBA": "rgb", "P": "rgb", "PA": "rgb", "L": "gray", "LA": "gray", "1": "gray"}
# EXIF orientation -> the transposition that shows the picture upright (the table ImageOps uses).
# Not ImageOps.exif_transpose itself: it rewrites the EXIF block into the result, and a damaged
# block we are about to drop anyway would make it fail.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class Fixed:
    """A re-encoded image and what was done to it."""

    data: bytes
    format: str  # "JPEG" | "PNG"
    width: int
    height: int
    fixes: tuple[Wording, ...]


def _family(mode: str) -> str:
    if mode.startswith("I"):
        return "gray"
    return _FAMILY.get(mode, mode.lower())


def _cmyk_to_rgb(im: Image.Image) -> Image.Image:
    icc = im.info.get("icc_profile")
    if icc:
        try:
            # The embedded press profile gives the true colours; Pillow's plain formula is a guess.
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(im, source, srgb, outputMode="RGB")
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, *DAMAGE):
            pass  # a broken or mismatched profile: fall back to Pillow's conversion
    return im.convert("RGB")


def _sendable_mode(im: Image.Image, facts: ImageFacts) -> Image.Image:
    """An 8-bit RGB, RGBA or grayscale image: what every decoder handles."""
    mode = im.mode
    if mode == "CMYK":
        return _cmyk_to_rgb(im)
    if mode.startswith("I"):
        # 16-bit samples: divide by 256 (a plain convert("L") would clip everything above 255 to white).
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if mode in ("RGB", "L") and "transparency" in im.info:
        return im.convert("RGBA")  # a PNG colour-key transparency would not survive a clean re-encode
    if mode in ("RGB", "RGBA", "L"):
        return im
    if mode == "1":
        return im.convert("L")
    if facts.has_alpha or "A" in mode or "a" in mode:
        return im.convert("RGBA")
    return im.convert("RGB")


def _save(im: Image.Image, fmt: str, icc: bytes | None, quality: int | None = None) -> bytes:
    buf = io.BytesIO()
    options: dict[str, object] = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        options.update(quality=quality, optimize=True)
    im.save(buf, fmt, **options)
    return buf.getvalue()


def _flatten(im: Image.Image) -> Image.Image:
    """RGBA onto white: JPEG has no transparency, and white is what most viewers show behind it."""
    canvas = Image.new("RGB", im.size, (255, 255, 255))
    canvas.paste(im, mask=im.getchannel("A"))
    return canvas


def _encode(
    im: Image.Image, icc: bytes | None, prefer_jpeg: bool
) -> tuple[bytes, str, int | None, list[Wording]]:
    """Encode under the size limit: PNG when it keeps alpha or fits, JPEG for photos, quality stepped down."""
    notes: list[Wording] = []
    alpha = im.mode == "RGBA"
    if alpha or not prefer_jpeg:
        raw_bytes = im.width * im.height * len(im.getbands())
        if raw_bytes <= _PNG_HOPELESS_FACTOR * SIZE_LIMIT:
            data = _save(im, "PNG", icc)
            if len(data) < SIZE_LIMIT:
                return data, "PNG", None, notes
            notes.append(Wording.of("png_would_be", size=len(data)))
        else:
            notes.append(Wording.of("png_far_over", size=SIZE_LIMIT))
        if alpha:
            im = _flatten(im)
            notes.append(Wording.of("did_flatten"))
    size = 0
    for quality in JPEG_QUALITIES:
        data = _save(im, "JPEG", icc, quality)
        if len(data) < SIZE_LIMIT:
            return data, "JPEG", quality, notes
        size = len(data)
    raise refusal("size_even_as_jpeg", rule="file size", value=size, size=size, quality=JPEG_QUALITIES[-1],
                  limit=LIMIT)


def apply_fixes(im: Image.Image, facts: ImageFacts, plan: Plan) -> Fixed:
    """Carry out the plan on a decoded image and say what was done."""
    icc = im.info.get("icc_profile")
    source_family = _family(im.mode)
    if plan.transpose:
        im = im.transpose(_UPRIGHT[facts.orientation])
    im = _sendable_mode(im, facts)
    # A profile describes the colour space it came with; after CMYK->RGB or gray->RGBA it would lie.
    keep_icc = icc if icc and _family(im.mode) == source_family else None
    if plan.target and im.size != plan.target:
        im = im.resize(plan.target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    im.info = {}  # metadata never travels into a re-encoded file
    data, fmt, quality, notes = _encode(im, keep_icc, prefer_jpeg=facts.lossy or plan.too_big)
    width, height = im.size
    done = _what_was_done(facts, plan, fmt, quality, notes, im.mode)
    return Fixed(data=data, format=fmt, width=width, height=height, fixes=done)


def _what_was_done(
    facts: ImageFacts, plan: Plan, fmt: str, quality: int | None, notes: list[Wording], mode: str
) -> tuple[Wording, ...]:
    """The fixes in the past tense, in the order they were made."""
    encoding: Words = Wording.of("encoding_quality", format=fmt, quality=quality) if quality else fmt
    done = []
    if plan.transpose:
        done.append(Wording.of("did_rotate", orientation=facts.orientation))
    if plan.convert_from:
        if plan.convert_within and facts.bit_depth > 8:
            target: Words = what(Wording.of("mode_bits", bits=8), fmt)
        elif plan.convert_within:
            target = what(mode_word(mode), fmt)
        else:
            target = fmt
        done.append(Wording.of("did_convert", source=plan.convert_from, target=target))
    if plan.target:
        done.append(Wording.of("did_downscale", width=facts.width, height=facts.height,
                               new_width=plan.target[0], new_height=plan.target[1]))
    if plan.too_big:
        done.append(Wording.of("did_reencode", encoding=encoding, size=facts.size_bytes))
    elif notes and fmt == "JPEG":
        done.append(Wording.of("did_save_as", encoding=encoding, reason=notes[0]))
    elif quality and quality != JPEG_QUALITIES[0]:
        done.append(Wording.of("did_lower_quality", quality=quality, limit=SIZE_LIMIT))
    done.extend(notes[1:])
    if facts.metadata:
        done.append(Wording.of("did_strip", kinds=metadata_words(facts.metadata)))
    return tuple(done)
