"""The offline preview video: a slow camera move over the submitted picture, as a real H.264 MP4.

It is not Dreamina output and says so on every frame. The renders are cached by
(sha256 of the image bytes, frames) so identical jobs render once (:class:`RenderCache`).
"""

from __future__ import annotations

import hashlib
import io
import os
import queue
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

import av
from av.video.reformatter import ColorRange, Colorspace
from PIL import Image, ImageDraw, ImageFont, ImageOps

from client.dreamina import SCHEMA

SHORT_SIDE_PX = 720
MARK_TEXT = "OFFLINE PREVIEW · not Dreamina output"
# The prepared source is this much bigger than the output, so the deepest zoom still
# samples it at (slightly above) 1:1 and never upscales.
_SOURCE_SCALE = 1.15
_ZOOM_START, _ZOOM_END = 1.0, 1.12
# "veryfast" fits 121 frames at 720p in the 5 s budget on two cores (about 2.3 s when the
# machine is otherwise idle); "superfast" saves a fifth of the encoding CPU but writes files
# 3.5 times larger, "ultrafast" 11 times.
_X264_OPTIONS = {"preset": "veryfast", "crf": "23"}
_BACKDROP = (128, 128, 128)
# Pillow's YCbCr is JFIF (BT.601, full range); H.264 players expect the limited "TV" range.
_Y_LUT = [round(16 + v * 219 / 255) for v in range(256)]
_C_LUT = [round(128 + (v - 128) * 224 / 255) for v in range(256)]

Planes = tuple[Image.Image, Image.Image, Image.Image]
"""Y, Cb, Cr as three "L" images."""
T = TypeVar("T")


def output_size(width: int, height: int, short_side: int = SHORT_SIDE_PX) -> tuple[int, int]:
    """Output (width, height) keeping the picture's aspect with the short side at ``short_side``.

    Both sides are even, as yuv420p requires (16:9 -> 1280x720, 9:16 -> 720x1280).
    """

    def even(x: float) -> int:
        return max(2, round(x / 2) * 2)

    if width >= height:
        return even(short_side * width / height), short_side
    return short_side, even(short_side * height / width)


def _open_rgb(image_bytes: bytes) -> Image.Image:
    """Decode, honour EXIF orientation (the aspect people see) and flatten any transparency."""
    img = Image.open(io.BytesIO(image_bytes))
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (*_BACKDROP, 255))
        flat.alpha_composite(rgba)
        return flat.convert("RGB")
    return img.convert("RGB")


def _prepare_source(img: Image.Image, out_w: int, out_h: int) -> Image.Image:
    """Centre-crop to the exact output aspect and scale once to a bit over the output size."""
    src_w, src_h = img.size
    target = out_w / out_h
    if src_w / src_h > target:
        crop_w, crop_h = src_h * target, float(src_h)
    else:
        crop_w, crop_h = float(src_w), src_w / target
    left, top = (src_w - crop_w) / 2, (src_h - crop_h) / 2
    size = (round(out_w * _SOURCE_SCALE), round(out_h * _SOURCE_SCALE))
    # reducing_gap makes the one big downscale of a 4096 px picture cheap.
    return img.resize(
        size, Image.Resampling.LANCZOS, box=(left, top, left + crop_w, top + crop_h), reducing_gap=3.0
    )


def _to_planes(image: Image.Image) -> Planes:
    """Full-size limited-range Y, Cb, Cr planes of an RGB image (resized per frame later)."""
    y, cb, cr = image.convert("YCbCr").split()
    return y.point(_Y_LUT), cb.point(_C_LUT), cr.point(_C_LUT)


def _make_mark(out_w: int, out_h: int) -> list[tuple[Image.Image, Image.Image, tuple[int, int]]]:
    """The label, drawn once, as (patch, alpha mask, position) per plane, pasted on every frame."""
    font_px = max(16, round(min(out_w, out_h) * 0.032))
    font = ImageFont.load_default(size=font_px)
    pad = max(6, font_px // 2)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), MARK_TEXT, font=font)
    # Even sizes and position, so the half-size chroma patch lines up with the luma one.
    box_w, box_h = (right - left + 2 * pad + 1) // 2 * 2, (bottom - top + 2 * pad + 1) // 2 * 2
    patch = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 165))
    ImageDraw.Draw(patch).text((pad - left, pad - top), MARK_TEXT, font=font, fill=(255, 255, 255, 255))
    margin = max(8, font_px // 2) // 2 * 2
    x, y = margin, out_h - box_h - margin
    alpha, half = patch.getchannel("A"), (box_w // 2, box_h // 2)
    luma, *chroma = _to_planes(patch.convert("RGB"))
    marks = [(luma, alpha, (x, y))]
    for plane in chroma:
        marks.append((plane.resize(half, Image.Resampling.BOX), alpha.resize(half, Image.Resampling.BOX),
                      (x // 2, y // 2)))  # fmt: skip
    return marks


def _ease(t: float) -> float:
    """Smoothstep: the camera starts and stops gently."""
    return t * t * (3.0 - 2.0 * t)


def _camera_box(src_w: int, src_h: int, t: float) -> tuple[float, float, float, float]:
    """Crop box in source pixels at time ``t`` in [0, 1]: zoom in while drifting right and up."""
    e = _ease(t)
    zoom = _ZOOM_START + (_ZOOM_END - _ZOOM_START) * e
    box_w, box_h = src_w / zoom, src_h / zoom
    # Position inside the free margin (0 = left/top edge, 1 = right/bottom edge).
    fx, fy = 0.5 + 0.3 * e, 0.5 - 0.2 * e
    x0, y0 = (src_w - box_w) * fx, (src_h - box_h) * fy
    return x0, y0, x0 + box_w, y0 + box_h


def _frames(source: Image.Image, out_size: tuple[int, int], frames: int) -> Iterator[av.VideoFrame]:
    """The marked yuv420p frames of the camera move.

    Resizing the three planes (chroma straight to half size) costs about half of resizing RGB
    and converting it afterwards, and the planes go into the frame without a colour conversion.
    """
    out_w, out_h = out_size
    planes = _to_planes(source)
    sizes = (out_size, (out_w // 2, out_h // 2), (out_w // 2, out_h // 2))
    marks = _make_mark(out_w, out_h)
    for i in range(frames):
        box = _camera_box(source.width, source.height, i / (frames - 1))
        frame = av.VideoFrame(out_w, out_h, "yuv420p")
        for plane, src, size, (mark, mask, pos) in zip(frame.planes, planes, sizes, marks, strict=True):
            # One resize with box= does crop and scale together, straight from the prepared source.
            image = src.resize(size, Image.Resampling.BILINEAR, box=box)
            image.paste(mark, pos, mask)
            if plane.line_size != image.width:  # the frame's rows are padded for alignment
                padded = Image.new("L", (plane.line_size, image.height))
                padded.paste(image)
                image = padded
            plane.update(image.tobytes())
        yield frame


def _in_background(items: Iterator[T], depth: int = 4) -> Iterator[T]:
    """Run ``items`` in a helper thread, ``depth`` ahead of the consumer.

    Pillow releases the GIL while resizing, so drawing the next frames overlaps with x264
    encoding the current one: on two cores this roughly halves the wall time of a render.
    """
    slots: queue.Queue[T | BaseException | None] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: T | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
            put(exc)

    worker = threading.Thread(target=produce, name="offline-frames", daemon=True)
    worker.start()
    try:
        while (item := slots.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def render_preview(image_bytes: bytes, frames: int, out_path: Path) -> None:
    """Render the offline preview of ``image_bytes`` (JPEG/PNG) to ``out_path`` as an MP4.

    H.264 (libx264, yuv420p), no audio, ``SCHEMA.fps`` frames per second, exactly ``frames``
    frames with pts 0..frames-1 in a 1/fps time base, so the duration reads back as
    ``frames / fps`` seconds. The size follows :func:`output_size`. The file is written next to
    ``out_path`` under a temporary name and renamed into place, so readers never see half a file.
    Blocking and CPU-heavy: call it from a worker thread.
    """
    if frames < 2:
        raise ValueError("a preview needs at least two frames")
    fps = SCHEMA.fps
    picture = _open_rgb(image_bytes)
    out_size = output_size(*picture.size)
    source = _prepare_source(picture, *out_size)
    time_base = Fraction(1, fps)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    part = out_path.with_name(f".{out_path.name}.{uuid.uuid4().hex}.part")
    try:
        # faststart puts the index first so browsers can play while downloading.
        with av.open(str(part), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
            stream = container.add_stream("libx264", rate=fps, options=dict(_X264_OPTIONS))
            stream.width, stream.height = out_size
            stream.pix_fmt = "yuv420p"
            stream.time_base = time_base
            # Say what the planes hold (BT.601 matrix, limited range), so players convert them right.
            stream.codec_context.colorspace = Colorspace.ITU601
            stream.codec_context.color_range = ColorRange.MPEG
            for i, frame in enumerate(_in_background(_frames(source, out_size, frames))):
                frame.pts, frame.time_base = i, time_base
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
        os.replace(part, out_path)
    finally:
        part.unlink(missing_ok=True)


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    path: Path | None = None


class RenderCache:
    """Renders each (image, frames) pair once; later callers get the same file.

    Thread-safe. A per-key lock makes concurrent callers of the same key wait for the one
    render in progress instead of rendering it again (the waiter is a running thread, never
    a queued task, so two workers cannot deadlock on each other).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, int], _Entry] = {}
        self.renders = 0
        """How many renders actually ran (the rest were cache hits)."""

    def get(self, image_bytes: bytes, frames: int) -> Path:
        """The rendered MP4 for these bytes and frame count, rendering it if needed (blocking)."""
        digest = hashlib.sha256(image_bytes).hexdigest()
        key = (digest, frames)
        with self._lock:
            entry = self._entries.setdefault(key, _Entry())
        with entry.lock:
            if entry.path is None or not entry.path.exists():
                path = self.directory / f"{digest[:32]}-{frames}.mp4"
                render_preview(image_bytes, frames, path)
                with self._lock:
                    self.renders += 1
                entry.path = path
            return entry.path
