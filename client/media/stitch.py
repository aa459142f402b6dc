"""One MP4 of several clips in order: a story's continuations joined, each junction frame shown once.

A continuation is made from its parent's last frame, so its first frame repeats that frame: it is
dropped (two 5 s clips of 121 frames give 121 + 120 = 241 frames). How the file is made:

- **remux** (packets copied, no pixel touched, a fraction of a second) when every clip has the
  same codec, codec setup (SPS/PPS), size, pixel format, frame rate and time base, *and* every
  junction frame can be dropped without breaking the frames after it;
- **reencode** (decode every clip, drop the junction frames, encode once with libx264) otherwise.

Why a story of H.264 clips is re-encoded: a clip's first frame is its only keyframe (an IDR, the
stand-in's clips and, by every public sample, the model's), and the frames after it are predicted
from it. Removing its packet leaves 120 frames that cannot be decoded; keeping it repeats the
junction. Dropping the parent's last frame instead fails too: with B-frames it is a P-frame that the
frames shown just before it are decoded from. An MP4 edit list could hide one frame mid-track, but
players honour only the first entry. Re-encoding only the continuations is no way out either: one
MP4 track has one codec setup, and our encoder's SPS/PPS differ from the model's. So the remux path
serves clips with nothing to drop (ids that do not continue each other) and intra-only clips; a
story takes the re-encode path, and :class:`Stitched` says which was done and why.

Only the first video stream of each clip is used (the model's clips have no sound). A re-encode
keeps the first clip's size, frame rate and colour description; a clip of another size is scaled
to it. Prompts, seeds and request ids of every clip go into the file's metadata (see :mod:`.tags`).
Blocking and CPU-heavy: run it in the :data:`STITCHES` lane.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from client.media.lanes import Lane
from client.media.probe import probe_video
from client.media.tags import read_tags

STITCHES = Lane("stitches")
"""Stitching: its own lane, because a re-encode takes seconds to a minute and must never delay the
probe, tags and poster of a paid video that just finished (the videos lane)."""
# Near-transparent for a second generation; "veryfast" re-encodes 10 s of 1080p in about 5 s on two
# cores ("superfast" saves a fifth of that for files 25% bigger).
X264_OPTIONS = {"preset": "veryfast", "crf": "18"}
DEFAULT_FPS = Fraction(24)
PROGRESS_EVERY = 24  # frames between two progress calls of a re-encode
Method = Literal["remux", "reencode"]
Progress = Callable[[int], object]


@dataclass(frozen=True)
class Clip:
    """One clip to stitch, and what made it (for the metadata)."""

    path: Path
    request_id: str = ""
    prompt: str = ""
    seed: int | None = None
    model: str = ""
    continues: bool = False  # its first frame is the previous clip's last: dropped

    @property
    def label(self) -> str:
        """How messages name the clip: its request id, else its file name."""
        return self.request_id or self.path.name


@dataclass(frozen=True)
class Stitched:
    """What :func:`stitch_clips` wrote."""

    path: Path
    method: Method
    frames: int
    duration_s: float
    clips: int
    dropped: int  # junction frames left out
    reason: str | None  # why it was re-encoded (None for a remux)
    size_bytes: int


@dataclass(frozen=True)
class _Facts:
    """What decides whether a clip's packets can join the others' as they are."""

    signature: tuple[Any, ...]  # codec, codec setup, size, pixel format, rate, time base
    first_droppable: bool  # its first frame can go without breaking any other


def stitch_tags(clips: Sequence[Clip], method: Method) -> dict[str, str]:
    """The container metadata of a stitched file: every clip's prompt, seed and request id."""
    lines = [f"{n}. {c.prompt} (seed {'unknown' if c.seed is None else c.seed} · request {c.request_id})"
             for n, c in enumerate(clips, 1)]
    story = [{"request_id": c.request_id, "prompt": c.prompt, "seed": c.seed, "model": c.model}
             for c in clips]
    return {
        "title": f"{clips[0].prompt} ({len(clips)} clips)" if len(clips) > 1 else clips[0].prompt,
        "description": "\n".join(lines),
        "comment": json.dumps({"story": story, "method": method}, ensure_ascii=False),
    }


def _facts(av: Any, clip: Clip) -> _Facts:
    with av.open(str(clip.path)) as container:
        if not container.streams.video:
            raise ValueError(f"{clip.label} has no video stream")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        signature = (ctx.name, bytes(ctx.extradata or b""), ctx.width, ctx.height,
                     ctx.format.name if ctx.format else None, stream.average_rate, stream.time_base)
        head = []
        for packet in container.demux(stream):
            if packet.dts is not None:
                head.append(packet)
            if len(head) == 2:
                break
        # The first packet can go only if the next one is a keyframe (nothing after it looks back) and
        # is shown right after it (no frame shown between them could be predicted from the first).
        droppable = (len(head) == 2 and head[1].is_keyframe and head[0].pts is not None
                     and head[1].pts is not None and head[1].pts - head[0].pts == _frame_ticks(stream))
        return _Facts(signature, droppable)


def remux_blocker(clips: Sequence[Clip]) -> str | None:
    """Why these clips cannot be joined by copying packets (None: they can)."""
    import av  # on first use, in a lane: the CLI and the app start without paying for PyAV

    facts = [_facts(av, clip) for clip in clips]
    for clip, fact in zip(clips, facts, strict=True):
        if clip.continues and not fact.first_droppable:
            return (f"{clip.label} starts on the keyframe its next frames are decoded from: its repeated "
                    "first frame can only be dropped by re-encoding")
    names = ("codec", "codec setup", "width", "height", "pixel format", "frame rate", "time base")
    for clip, fact in zip(clips[1:], facts[1:], strict=True):
        for name, mine, first in zip(names, fact.signature, facts[0].signature, strict=True):
            if mine != first:
                return f"{clip.label} differs from the first clip in its {name}"
    return None


def _remux(av: Any, clips: Sequence[Clip], dest: Path, tags: dict[str, str]) -> tuple[int, int]:
    """Copy every clip's packets, shifted in time, junction packets left out; (frames, dropped)."""
    frames = dropped = 0
    with av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        out.metadata.update(tags)
        target = None
        end = 0  # where the next clip starts, in the (shared) stream time base
        for clip in clips:
            with av.open(str(clip.path)) as source:
                stream = source.streams.video[0]
                if target is None:
                    target = out.add_stream_from_template(stream)
                tick = _frame_ticks(stream)
                packets = [p for p in source.demux(stream) if p.dts is not None]  # dts None: end marker
                if clip.continues:
                    packets, dropped = packets[1:], dropped + 1
                if not packets or any(p.pts is None for p in packets):
                    raise ValueError(f"{clip.label} has packets without timestamps")
                shift = end - min(p.pts for p in packets)
                for packet in packets:
                    packet.pts += shift
                    packet.dts += shift
                    packet.stream = target
                    out.mux(packet)
                end = max(p.pts + (p.duration or tick) for p in packets)
                frames += len(packets)
    return frames, dropped


def _frame_ticks(stream: Any) -> int:
    rate = stream.average_rate or DEFAULT_FPS
    return max(1, round(1 / (rate * stream.time_base)))


def _encoder(out: Any, frame: Any, rate: Fraction) -> Any:
    """An H.264 stream sized and coloured like ``frame`` (the first frame kept)."""
    stream = out.add_stream("libx264", rate=rate, options=dict(X264_OPTIONS))
    stream.width, stream.height, stream.pix_fmt = frame.width, frame.height, "yuv420p"
    stream.time_base = 1 / rate
    # Say what the planes hold (matrix, range, primaries, transfer), as the source said it.
    for name in ("colorspace", "color_range", "color_primaries", "color_trc"):
        setattr(stream.codec_context, name, getattr(frame, name))
    return stream


def _reencode(av: Any, clips: Sequence[Clip], dest: Path, tags: dict[str, str],
              progress: Progress | None) -> tuple[int, int]:
    """Decode every clip, leave out the junction frames, encode once; (frames, dropped)."""
    from av.video.frame import PictureType

    frames = dropped = 0
    with av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        out.metadata.update(tags)
        stream = None
        rate = DEFAULT_FPS
        for clip in clips:
            with av.open(str(clip.path)) as source:
                incoming = source.streams.video[0]
                incoming.thread_type = "AUTO"
                if stream is None:
                    rate = incoming.average_rate or DEFAULT_FPS
                for n, frame in enumerate(source.decode(incoming)):
                    if n == 0 and clip.continues:
                        dropped += 1
                        continue
                    if stream is None:
                        stream = _encoder(out, frame, rate)
                    if (frame.width, frame.height, frame.format.name) != (stream.width, stream.height,
                                                                          "yuv420p"):
                        frame = frame.reformat(stream.width, stream.height, "yuv420p")
                    # libx264 obeys a frame's picture type: the source's I/P/B pattern must not steer it.
                    frame.pict_type = PictureType.NONE
                    frame.pts, frame.time_base = frames, 1 / rate
                    out.mux(stream.encode(frame))
                    frames += 1
                    if progress is not None and frames % PROGRESS_EVERY == 0:
                        progress(frames)
        if stream is None:
            raise ValueError("the clips hold no frame to stitch")
        out.mux(stream.encode(None))
    return frames, dropped


def stitch_clips(clips: Sequence[Clip], dest: Path, *, remux: bool = True,
                 progress: Progress | None = None) -> Stitched:
    """Write ``clips`` in order as one MP4 at ``dest``; ValueError if it cannot be done.

    ``remux=False`` re-encodes even when copying packets would do (for comparisons). ``progress``
    is called with the frames written so far, about every second of video, during a re-encode (from
    the thread doing the work: hand it to the event loop with ``call_soon_threadsafe``). The file is
    written beside ``dest`` under another name, its metadata read back, then renamed into place.
    """
    import av  # on first use, in a lane: the CLI and the app start without paying for PyAV

    if not clips:
        raise ValueError("nothing to stitch")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.stitching.mp4")
    try:
        reason = remux_blocker(clips) if remux else "re-encoding was asked for"
        method: Method = "remux"
        if reason is None:
            try:
                frames, dropped = _remux(av, clips, tmp, stitch_tags(clips, "remux"))
            except (av.FFmpegError, ValueError) as exc:  # e.g. timestamps the muxer refuses
                reason = f"copying the packets failed ({type(exc).__name__}: {exc})"
        if reason is not None:
            method = "reencode"
            frames, dropped = _reencode(av, clips, tmp, stitch_tags(clips, method), progress)
        tags = stitch_tags(clips, method)
        written = read_tags(tmp)
        if any(written.get(key) != value for key, value in tags.items()):
            raise ValueError("the metadata did not read back")
        facts = probe_video(tmp)
        os.replace(tmp, dest)
    except (av.FFmpegError, OSError) as exc:
        raise ValueError(f"could not stitch {len(clips)} clips into {dest.name}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return Stitched(dest, method, frames, facts.duration_s, len(clips), dropped, reason, facts.size_bytes)
