"""The history panel at 1,000 jobs: the panel's own handler, not just the SQL under it.

Run: ``python benchmarks/bench_history_panel.py``. Builds, in a temporary folder, a store with
1,000 finished jobs of one visitor, each with a ~256 px JPEG thumbnail (as ``bench_store.py``) and
a real local MP4 (a small one: only its first frame is read), and a page (``build_app``, shared,
offline client). Then times, as medians of interleaved repeats unless said otherwise:

- ``listing(limit=1000)`` cold: the first look, which extracts and caches 1,000 posters with PyAV;
- ``listing(limit=1000)`` warm: posters cached (the handler's every later look, e.g. a Refresh);
- ``listing(limit=24)`` warm: the panel's default page, what a visitor opening the page waits for;
- Gradio's own part after the handler for 1,000 items: ``Gallery.postprocess`` + copying the files
  into its cache (content-hashed), warm;
- the same 1,000 jobs with no local video (the gallery falls back to the input thumbnails, written
  once as files): handler + Gradio's part;
- baseline: ``store.list_jobs(limit=1000)`` alone (the SQL and row decoding).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import av  # noqa: E402 - after the path setup, so it runs from anywhere
import gradio as gr  # noqa: E402
import numpy as np  # noqa: E402
from gradio import processing_utils  # noqa: E402

from benchmarks.bench_store import photo_like_thumbnail  # noqa: E402
from client.history import JobStore, new_owner_id  # noqa: E402
from client.jobs import Settings  # noqa: E402
from client.media import VideoFacts  # noqa: E402
from ui.build import build_app  # noqa: E402

JOBS = 1000
REPEATS = 7
MODEL = "bytedance/dreamina-3-0/pro/image-to-video"


def small_video(path: Path) -> None:
    """A 12-frame 320x180 H.264 MP4 (the poster reads only the first frame, whatever the length)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for i in range(12):
            frame = np.full((180, 320, 3), (i * 20, 120, 200), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def fill(store: JobStore, owner: str, thumb: bytes, videos: Path | None) -> None:
    """JOBS finished jobs of one owner; with ``videos``, each has its own local MP4 there."""
    facts = VideoFacts(5.042, 121, 24.0, 1280, 720, 3_400_000)
    template = videos / "template.mp4" if videos else None
    if template is not None:
        small_video(template)
    for i in range(JOBS):
        rid = f"{i:032x}"
        at = 1_700_000_000.0 + i * 60
        store.add_submitted(rid, owner=owner, model=MODEL, seed=i, frames=121, image_thumb=thumb, at=at,
                            prompt=f"A slow dolly-in over a sunny street, take {i}")
        path = None
        if template is not None and videos is not None:
            path = videos / f"{rid}.mp4"
            shutil.copyfile(template, path)
        store.add_event(rid, "succeeded", at + 52, video_path=path, facts=facts if path else None, cost=0.25)


def median_ms(fn: Callable[[], Any], repeats: int = REPEATS) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def gradio_part(gallery: gr.Gallery, items: list[Any]) -> None:
    """What Gradio does with the handler's gallery value before sending it: postprocess, cache the files."""
    processing_utils.move_files_to_cache(gallery.postprocess(items), gallery, postprocess=True)


def case(folder: Path, *, with_videos: bool) -> dict[str, float]:
    owner = new_owner_id()
    outputs = folder / "outputs"
    outputs.mkdir(parents=True)
    settings = Settings.load(env={}, dotenv_path=None, outputs_dir=outputs, data_dir=folder / "data")
    store = JobStore.open(settings.data_dir)
    thumb = photo_like_thumbnail()
    assert thumb is not None
    fill(store, owner, thumb, outputs if with_videos else None)
    panel = build_app(settings, store=store, shared=True).history
    gallery = gr.Gallery(format="jpeg", render=False)

    def look(limit: int) -> Any:
        return asyncio.run(panel.listing(owner, limit, "en"))

    figures: dict[str, float] = {}
    start = time.perf_counter()
    first = look(JOBS)
    figures["cold"] = (time.perf_counter() - start) * 1000
    assert len(first.ids) == JOBS
    gradio_part(gallery, first.items)  # fills Gradio's cache once, as the first look would
    figures["sql"] = median_ms(lambda: store.list_jobs(owner=owner, limit=JOBS))
    figures["warm"] = median_ms(lambda: look(JOBS))
    figures["page"] = median_ms(lambda: look(24))
    figures["gradio"] = median_ms(lambda: gradio_part(gallery, first.items))
    store.close()
    return figures


def main() -> None:
    """Build both stores, time the panel, print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("GRADIO_TEMP_DIR", str(Path(tmp) / "gradio"))
        posters = case(Path(tmp) / "posters", with_videos=True)
        thumbs = case(Path(tmp) / "thumbs", with_videos=False)
    print(f"history panel, {JOBS} jobs of one visitor (shared app), median of {REPEATS} unless said")
    print(f"  baseline store.list_jobs(limit={JOBS})       {posters['sql']:8.1f} ms")
    print(f"  handler, first look (posters made with PyAV) {posters['cold']:8.1f} ms  (once)")
    print(f"  handler, {JOBS} jobs, posters cached          {posters['warm']:8.1f} ms  "
          f"x{posters['warm'] / posters['sql']:.1f} the SQL")
    print(f"  handler, default page of 24                  {posters['page']:8.1f} ms")
    print(f"  Gradio postprocess + cache, {JOBS} posters    {posters['gradio']:8.1f} ms")
    print(f"  total for {JOBS} jobs (handler + Gradio)      {posters['warm'] + posters['gradio']:8.1f} ms")
    total = thumbs["warm"] + thumbs["gradio"]
    print(f"  no local videos (input thumbnails instead): handler {thumbs['warm']:.1f} ms + Gradio "
          f"{thumbs['gradio']:.1f} ms = {total:.1f} ms; page of 24 {thumbs['page']:.1f} ms")


if __name__ == "__main__":
    main()
