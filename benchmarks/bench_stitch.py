"""Stitching a story of 6 ten-second 1080p clips: the remux path beside a full re-encode, in one run.

Run: ``python benchmarks/bench_stitch.py [--rounds N]`` (about 2 minutes on two cores). Makes six
1920x1080 H.264 clips of 241 frames at 24 fps with PyAV (FFmpeg's ``testsrc2`` pattern, libx264
``veryfast``, B-frames, one keyframe per clip as the stand-in's): clip k shows source frames
240k..240k+240, so each clip's first frame repeats the one before's last, as a real continuation.
Then, interleaved, ``--rounds`` times each:

- **remux**: ``stitch_clips`` of the six clips as they are (packets copied; 1,446 frames). This is
  the path for clips that do not continue each other, or intra-only ones;
- **story**: ``stitch_clips`` of the same clips as a story (each junction frame dropped; 1,441
  frames). With H.264 clips this is a re-encode: dropping a clip's first frame (its keyframe) breaks
  every frame after it, so the story path says ``reencode`` and why;
- **full re-encode**: ``stitch_clips(..., remux=False)`` of the clips as they are (1,446 frames),
  the honest baseline for what remuxing saves.

It prints the median wall time, the process CPU time (all threads, x264's too: steadier when other
work shares the machine), frames per second and the file size of each, and their ratios to the remux.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import av  # noqa: E402 - after the path setup, so it runs from anywhere
from av.video.frame import PictureType  # noqa: E402

from client.media import Clip, Stitched, stitch_clips  # noqa: E402

CLIPS, FRAMES, FPS, SIZE = 6, 241, 24, (1920, 1080)


def make_clips(folder: Path) -> list[Path]:
    """Six clips cut from one moving test pattern, each starting on the one before's last frame."""
    step = FRAMES - 1
    total = step * CLIPS + 1
    paths = [folder / f"clip{k}.mp4" for k in range(CLIPS)]
    outs = [av.open(str(p), "w", format="mp4") for p in paths]
    streams = []
    for out in outs:
        stream = out.add_stream("libx264", rate=FPS, options={"preset": "veryfast", "crf": "20"})
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
        streams.append(stream)
    source = f"testsrc2=size={SIZE[0]}x{SIZE[1]}:rate={FPS}:duration={total / FPS + 1}"
    with av.open(source, format="lavfi") as pattern:
        for index, frame in enumerate(pattern.decode(video=0)):
            if index >= total:
                break
            frame = frame.reformat(format="yuv420p")
            # testsrc2 marks every frame as a keyframe and libx264 obeys that: clear it, or each
            # clip would be intra-only (and its junction frame droppable in a remux).
            frame.pict_type = PictureType.NONE
            for k in (index // step - 1, index // step):  # a boundary frame belongs to two clips
                if 0 <= k < CLIPS and k * step <= index <= k * step + step:
                    frame.pts, frame.time_base = index - k * step, Fraction(1, FPS)
                    outs[k].mux(streams[k].encode(frame))
    for out, stream in zip(outs, streams, strict=True):
        out.mux(stream.encode(None))
        out.close()
    return paths


def timed(clips: list[Clip], dest: Path, *, remux: bool) -> tuple[float, float, Stitched]:
    """Wall and process CPU seconds of one stitch, and what it made."""
    start, cpu = time.perf_counter(), time.process_time()
    done = stitch_clips(clips, dest, remux=remux)
    return time.perf_counter() - start, time.process_time() - cpu, done


def main() -> None:
    """Make the clips, time the three ways, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="timings per way (default 2)")
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory(prefix="bench-stitch-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        paths = make_clips(folder)
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{CLIPS} clips of {FRAMES} frames {SIZE[0]}x{SIZE[1]} at {FPS} fps, {size_mb:.1f} MB in all "
              f"(made in {time.perf_counter() - start:.0f} s); {rounds} rounds each, interleaved")
        plain = [Clip(p, f"clip{k}") for k, p in enumerate(paths)]
        story = [Clip(p, f"clip{k}", continues=k > 0) for k, p in enumerate(paths)]
        ways = {"remux": (plain, True), "story (junctions dropped)": (story, True),
                "full re-encode": (plain, False)}
        walls: dict[str, list[float]] = {name: [] for name in ways}
        cpus: dict[str, list[float]] = {name: [] for name in ways}
        made: dict[str, Stitched] = {}
        for _ in range(rounds):
            for name, (clips, remux) in ways.items():
                wall, cpu, made[name] = timed(clips, folder / "out.mp4", remux=remux)
                walls[name].append(wall)
                cpus[name].append(cpu)
        report(walls, cpus, made)


def report(walls: dict[str, list[float]], cpus: dict[str, list[float]], made: dict[str, Stitched]) -> None:
    """One line per way: medians, speed, size, and the ratios to the remux."""
    base_wall, base_cpu = statistics.median(walls["remux"]), statistics.median(cpus["remux"])
    for name, done in made.items():
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(f"  {name:26s} {done.method:8s} {wall:7.2f} s  CPU {cpu:7.2f} s  "
              f"{done.frames / wall:6.0f} fps  {done.size_bytes / 1e6:6.1f} MB  {done.frames} frames   "
              f"ratio to remux: wall x{wall / base_wall:6.1f}  CPU x{cpu / base_cpu:6.1f}")
    print(f"story path: {made['story (junctions dropped)'].reason}")


if __name__ == "__main__":
    main()
