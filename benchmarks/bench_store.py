"""The job history at 1,000 jobs: how fast a full history page reads, and what a job costs on disk.

Run: ``python benchmarks/bench_store.py``. Builds a fresh store in a temporary folder with 1,000 jobs,
each with a real ~256 px JPEG thumbnail and 6 events (submitted, queued x2, running, downloading,
succeeded), then times, as medians of interleaved repeats:

- ``list_jobs(limit=1000)``: every row with its thumbnail, as JobRecords (the history page);
- ``list_jobs(owner=..., limit=100)``: one visitor's first page;
- baselines in the same run on a plain sqlite3 connection: ``SELECT count(*)`` and the same
  ``SELECT ... LIMIT 1000`` as raw tuples (the part of the cost that is SQLite itself).

It prints milliseconds, ratios to the baselines, the insert rate and the bytes per job on disk.
"""

from __future__ import annotations

import io
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402 - after the path setup, so it runs from anywhere

from client.history import JOB_COLUMNS, JobStore  # noqa: E402
from client.media import VideoFacts, make_thumbnail  # noqa: E402
from tests.samples import photo  # noqa: E402

JOBS = 1000
MODEL = "bytedance/dreamina-3-0/pro/image-to-video"
OWNERS = 20
REPEATS = 25


def fill(store: JobStore, thumb: bytes) -> float:
    """Insert JOBS jobs with 6 events each; return the seconds it took."""
    start = time.perf_counter()
    facts = VideoFacts(5.042, 121, 24.0, 1280, 720, 3_400_000)
    for i in range(JOBS):
        rid = f"{i:032x}"
        at = 1_700_000_000.0 + i * 60
        store.add_submitted(rid, owner=f"owner-{i % OWNERS}", model=MODEL,
                            prompt=f"A slow dolly-in over a sunny street, take {i}", seed=i, frames=121,
                            image_thumb=thumb, base_url="https://model-api.runcomfy.net/v1", at=at)
        store.add_event(rid, "queued", at + 1, position=3)
        store.add_event(rid, "queued", at + 5, position=0)
        store.add_event(rid, "running", at + 9)
        store.add_event(rid, "downloading", at + 50, video_url=f"https://storage.example/{rid}.mp4")
        store.add_event(rid, "succeeded", at + 52, video_path=f"/data/videos/{rid}.mp4", facts=facts,
                        cost=0.25)
    return time.perf_counter() - start


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def photo_like_thumbnail() -> bytes | None:
    """A thumbnail of a 1080p picture with grain: a smooth test gradient compresses unrealistically well."""
    base = Image.open(io.BytesIO(photo(1920, 1080))).convert("L")
    # Texture coarse enough to survive the downscale, as leaves, brick or faces do.
    texture = Image.effect_noise((240, 135), 90).resize((1920, 1080), Image.Resampling.NEAREST)
    grainy = Image.blend(base, texture, 0.35).convert("RGB")
    out = io.BytesIO()
    grainy.save(out, "JPEG", quality=90)
    return make_thumbnail(out.getvalue())


def main() -> None:
    """Build the store, time the reads, print the figures."""
    thumb = photo_like_thumbnail()
    assert thumb is not None
    with tempfile.TemporaryDirectory() as folder:
        store = JobStore.open(Path(folder))
        seconds = fill(store, thumb)
        raw = sqlite3.connect(store.path)
        cases = {
            "SELECT count(*)  (baseline)": lambda: raw.execute("SELECT count(*) FROM jobs").fetchone(),
            "raw SELECT 1000 rows (baseline)": lambda: raw.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs ORDER BY created_at DESC LIMIT 1000").fetchall(),
            "list_jobs(limit=1000)": lambda: store.list_jobs(limit=1000),
            "list_jobs(owner, limit=100)": lambda: store.list_jobs(owner="owner-7", limit=100),
        }
        assert len(store.list_jobs(limit=1000)) == JOBS
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(REPEATS):  # interleaved, so machine noise hits every case alike
            for name, fn in cases.items():
                times[name].append(timed(fn))
        medians = {name: statistics.median(samples) for name, samples in times.items()}
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
        store.close()
        size = sum(f.stat().st_size for f in Path(folder).iterdir())
    count = medians["SELECT count(*)  (baseline)"]
    rows = medians["raw SELECT 1000 rows (baseline)"]
    print(f"{JOBS} jobs, {OWNERS} owners, thumbnail {len(thumb):,} bytes, 6 events per job; "
          f"median of {REPEATS} repeats")
    for name, median in medians.items():
        print(f"  {name:34s} {median * 1000:8.2f} ms   x{median / count:7.1f} count(*)   "
              f"x{median / rows:5.2f} raw rows")
    print(f"insert: {seconds:.2f} s for {JOBS} jobs x 6 writes ({JOBS * 6 / seconds:,.0f} transactions/s)")
    print(f"on disk: {size:,} bytes = {size / JOBS:,.0f} bytes per job "
          f"(thumbnail {len(thumb):,}, the rest row + events + indexes)")


if __name__ == "__main__":
    main()
