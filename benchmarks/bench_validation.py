"""How cheap is the live image check? Header-only inspect_image vs a full decode, side by side.

Run: ``python benchmarks/bench_validation.py [rounds]``

A 4096-wide JPEG of about 4.5 MB (smoothed noise, so it is big like a detailed photo) is written to
a temporary file, then each round times, in turn: ``inspect_image(path)`` (header only),
``Image.open(path).load()`` (a full decode) and ``prepare_image(path)`` (which decodes to catch
truncation, then sends the file unchanged). Interleaving keeps machine noise from favouring one
side. Medians in milliseconds are printed, with the ratio; the target is header-only under 30 ms.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from PIL import Image

from client.dreamina import inspect_image, prepare_image

TARGET_MS = 30.0
HEADER = "inspect_image (header only)"
WIDTH, HEIGHT = 4096, 3000


def make_photo(path: Path) -> int:
    """Write a 4096x3000 JPEG of about 4.5 MB; return its size in bytes."""
    rng = random.Random(0)
    small = Image.frombytes("RGB", (WIDTH // 4, HEIGHT // 4), rng.randbytes(WIDTH // 4 * HEIGHT // 4 * 3))
    small.resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR).save(path, "JPEG", quality=85)
    return path.stat().st_size


def timed(action: Callable[[], object]) -> float:
    """One call's wall time in milliseconds."""
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def full_decode(path: Path) -> None:
    """What a naive check costs: every pixel decoded."""
    with Image.open(path) as im:
        im.load()


def main(rounds: int = 20) -> None:
    """Build the file, time the three paths interleaved, print medians and a summary line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "photo.jpg"
        size = make_photo(path)
        report = inspect_image(path)
        assert report.ok and (report.width, report.height) == (WIDTH, HEIGHT), report
        for warm in (lambda: inspect_image(path), lambda: full_decode(path), lambda: prepare_image(path)):
            warm()  # first calls pay for imports and the page cache
        times: dict[str, list[float]] = {HEADER: [], "full decode": [], "prepare_image": []}
        for _ in range(rounds):
            times[HEADER].append(timed(lambda: inspect_image(path)))
            times["full decode"].append(timed(lambda: full_decode(path)))
            times["prepare_image"].append(timed(lambda: prepare_image(path)))

    print(f"{WIDTH}x{HEIGHT} JPEG, {size:,} bytes, {rounds} interleaved rounds")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        spread = f"min {min(values):8.2f}   max {max(values):8.2f}"
        print(f"  {name:<28} median {medians[name]:8.2f} ms   {spread}")
    header, decode = medians[HEADER], medians["full decode"]
    verdict = "meets" if header < TARGET_MS else "MISSES"
    print(
        f"summary: header-only check {header:.2f} ms vs full decode {decode:.1f} ms "
        f"({decode / header:.0f}x faster); {verdict} the {TARGET_MS:.0f} ms target"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
