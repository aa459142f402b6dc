"""Offline preview rendering speed: 121 and 241 frames from a 1920x1080 picture.

Run: ``python benchmarks/bench_render.py`` (about 30 s). Renders each frame count ROUNDS times
from a picture made here, and prints the median time, frames per second, output size and the
ratio to the budget, plus the CPU seconds used by all threads (steadier than wall time when
other work shares the machine). Budget: 121 frames under 5 s on this 2-core machine (a job's run time is
4 s by default, so the video is usually ready when the job's time is up).
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw

from client.offline import output_size, render_preview

ROUNDS = 3
BUDGET_121_S = 5.0


def busy_picture(width: int = 1920, height: int = 1080) -> bytes:
    """A busy JPEG (gradient, lines, discs): detail makes the encoder work like on a photo."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 48):
        draw.line([(i, 0), (width - i, height)], fill=(i % 256, 90, 255 - i % 256), width=4)
        y = (i * 7) % (height - 60)
        draw.ellipse([i, y, i + 56, y + 56], fill=(250, (i * 3) % 256, 40))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def main() -> None:
    """Render, time and print one line per frame count."""
    picture = busy_picture()
    width, height = output_size(1920, 1080)
    print(f"input 1920x1080 JPEG ({len(picture):,} bytes) -> {width}x{height} H.264, {ROUNDS} rounds each")
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        for frames in (121, 241):
            out = Path(tmp) / f"preview-{frames}.mp4"
            samples, cpu = [], []
            for _ in range(ROUNDS):
                start, start_cpu = time.perf_counter(), time.process_time()
                render_preview(picture, frames, out)
                samples.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            median = statistics.median(samples)
            # The budget scales with length: 5 s for 121 frames, 10 s for 241.
            budget = BUDGET_121_S * frames / 121
            print(
                f"{frames} frames: median {median:5.2f} s  (min {min(samples):.2f}, max {max(samples):.2f})  "
                f"{frames / median:5.1f} fps  CPU {statistics.median(cpu):5.2f} s  "
                f"{out.stat().st_size / 1e6:5.2f} MB  "
                f"ratio to the {budget:.0f} s budget {median / budget:4.2f}"
                f"  {'met' if median < budget else 'MISSED'}"
            )


if __name__ == "__main__":
    main()
