"""Images made by the tests themselves: exact boundaries, exact file sizes, and hostile files.

Everything is generated with Pillow or written byte by byte (PNG chunks, JPEG segments), so the
corpus needs no fixtures on disk and every file is exactly what its name says.
"""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import ExifTags, Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode(im: Image.Image, fmt: str, **options: object) -> bytes:
    """Save an image to bytes."""
    buf = io.BytesIO()
    im.save(buf, fmt, **options)
    return buf.getvalue()


def solid(
    width: int, height: int, fmt: str = "PNG", color: object = (200, 60, 30), mode: str = "RGB"
) -> bytes:
    """A one-colour image: tiny files, fast to encode and decode at any size."""
    return encode(Image.new(mode, (width, height), color), fmt)


def noise(width: int, height: int, seed: int = 0) -> Image.Image:
    """Random RGB pixels: incompressible, so files are big and a cut lands inside the pixel data."""
    return Image.frombytes("RGB", (width, height), random.Random(seed).randbytes(width * height * 3))


def quadrants(width: int, height: int) -> Image.Image:
    """Four distinct colours, so any rotation or mirroring is visible in the pixels."""
    im = Image.new("RGB", (width, height), (255, 0, 0))
    im.paste((0, 255, 0), (width // 2, 0, width, height // 2))
    im.paste((0, 0, 255), (0, height // 2, width // 2, height))
    im.paste((255, 255, 0), (width // 2, height // 2, width, height))
    return im


def exif_bytes(orientation: int | None = None, gps: bool = False) -> bytes:
    """An EXIF block with an orientation and, if asked, a GPS position."""
    exif = Image.Exif()
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.Base.Make] = "TestCam"
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 29.0)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = (2.0, 17.0, 40.0)
    return exif.tobytes()


def chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_header(width: int, height: int, bit_depth: int = 8, color_type: int = 2) -> bytes:
    """Signature and IHDR: all a PNG needs to claim a size."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", ihdr)


def png_from_rows(width: int, height: int, row: bytes, *, bit_depth: int = 8, color_type: int = 2,
                  after_idat: bytes = b"") -> bytes:
    """A PNG written by hand: every row the same (filter 0), optional chunks after the pixel data."""
    packer = zlib.compressobj(9)
    line = b"\x00" + row
    body = b"".join(packer.compress(line) for _ in range(height)) + packer.flush()
    head = png_header(width, height, bit_depth, color_type)
    return head + chunk(b"IDAT", body) + after_idat + chunk(b"IEND", b"")


def png_bomb(width: int, height: int, real: bool = False) -> bytes:
    """A grayscale PNG claiming width x height. ``real``: the pixel data is all there (compressed zeros),
    so decoding it would really allocate width*height bytes; otherwise only a token IDAT follows."""
    if real:
        return png_from_rows(width, height, bytes(width), color_type=0)
    token = zlib.compress(bytes(width + 1) * 4)
    return png_header(width, height, 8, 0) + chunk(b"IDAT", token) + chunk(b"IEND", b"")


def pad_png_to(data: bytes, size: int) -> bytes:
    """Grow a PNG to exactly ``size`` bytes with a private ancillary chunk before IEND (decoders skip it)."""
    iend = data.rindex(b"IEND") - 4
    padding = size - len(data) - 12
    assert padding >= 0, "the PNG is already bigger than the target"
    return data[:iend] + chunk(b"prVt", bytes(padding)) + data[iend:]


def pad_jpeg_to(data: bytes, size: int) -> bytes:
    """Grow a JPEG to exactly ``size`` bytes with APP15 segments after SOI (decoders skip them)."""
    assert data[:2] == b"\xff\xd8"
    total = size - len(data)
    assert total >= 4, "a segment takes at least 4 bytes"
    count = -(-total // 65537)  # a segment is at most 2 + 65535 bytes
    sizes = [total // count + (1 if i < total % count else 0) for i in range(count)]
    assert all(4 <= s <= 65537 for s in sizes)
    segments = b"".join(b"\xff\xef" + struct.pack(">H", s - 2) + bytes(s - 4) for s in sizes)
    out = data[:2] + segments + data[2:]
    assert len(out) == size
    return out


def apng(width: int = 400, height: int = 400, frames: int = 2) -> bytes:
    """An animated PNG."""
    images = [Image.new("RGB", (width, height), (i * 60, 0, 0)) for i in range(frames)]
    return encode(images[0], "PNG", save_all=True, append_images=images[1:])


def animated_gif(width: int = 400, height: int = 400, frames: int = 3) -> bytes:
    """An animated GIF."""
    images = [Image.new("RGB", (width, height), (i * 80, 255 - i * 80, 0)) for i in range(frames)]
    return encode(images[0], "GIF", save_all=True, append_images=images[1:])


def animated_webp(width: int = 400, height: int = 400) -> bytes:
    """An animated WebP."""
    images = [Image.new("RGB", (width, height), c) for c in ("red", "blue")]
    return encode(images[0], "WEBP", save_all=True, append_images=images[1:])


def mpo(width: int = 500, height: int = 400) -> bytes:
    """A multi-picture JPEG, as phones write for portrait or 3D shots."""
    images = [Image.new("RGB", (width, height), c) for c in ("red", "blue")]
    return encode(images[0], "MPO", save_all=True, append_images=images[1:])


def rgb16_png(width: int, height: int, value: int) -> bytes:
    """A 16-bit-per-channel RGB PNG (Pillow cannot write one; Pillow reads it as plain 'RGB')."""
    return png_from_rows(width, height, struct.pack(">HHH", value, value, value) * width, bit_depth=16)


SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
    b'<rect width="800" height="600" fill="red"/></svg>\n'
)
TEXT = b"A slow, sweeping tracking shot moves through a sun-drenched street.\n"
HTML = b"<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head><body>Forbidden</body></html>\n"
