"""Jobs of the offline stand-in: the knobs, the job records and their clock-driven states.

A job's state is never stored, it is derived from a monotonic clock and two facts set by its
worker (done or not, video or error)::

    in_queue     until created + queue_s (queue position counts down to 0)
    in_progress  until created + queue_s + run_s, and for as long as the render is not done
    completed    the render is done        (the result endpoint says "succeeded")
    failed       fail_next, a fetch error or a render error
    cancelled    cancelled while in_queue

Work (fetch when the image is a URL, then render) starts at submit time in a pool of two
threads, so it never blocks the event loop and is usually ready before the run time is over.
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from client.offline.config import OfflineConfig
from client.offline.fetch import FetchError, fetch_image
from client.offline.render import RenderCache
from client.offline.validate import ValidInput, check_image_bytes

logger = logging.getLogger("client.offline")
Clock = Callable[[], float]
FAIL_NEXT_ERROR = "the generation failed on the server (simulated by the offline stand-in's fail_next knob)"


def token_fingerprint(token: str) -> str:
    """A short sha256 fingerprint: enough to tell tokens apart, not enough to use one."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def iso_utc(timestamp: float) -> str:
    """A wall-clock timestamp as ISO 8601 UTC with milliseconds."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(eq=False)
class Job:
    """One submitted job. Timing fields are monotonic; ``created_wall`` anchors them to the wall."""

    request_id: str
    token_fp: str
    prompt: str
    seed: int
    frames: int
    image_url: str
    created: float
    created_wall: float
    queue_s: float
    run_s: float
    start_position: int
    file_id: str = field(default_factory=lambda: secrets.token_hex(16))
    cost: float = 0.0  # USD, fixed at submit at the price then in force (include_cost, the balance)
    cancelled_at: float | None = None
    # Set by the worker thread; ``work_done_at`` last, so a reader that sees it sees the rest.
    video_path: Path | None = None
    error: str | None = None
    work_done_at: float | None = None
    future: Future[None] | None = field(default=None, repr=False)

    def state(self, now: float) -> str:
        """The status-endpoint state at ``now``."""
        if self.cancelled_at is not None:
            return "cancelled"
        if now < self.created + self.queue_s:
            return "in_queue"
        if now < self.created + self.queue_s + self.run_s or self.work_done_at is None:
            return "in_progress"
        return "failed" if self.error is not None or self.video_path is None else "completed"

    def queue_position(self, now: float) -> int:
        """Counts down from ``start_position`` to 0 in equal steps over the queue time."""
        if self.queue_s <= 0:
            return 0
        steps = self.start_position + 1
        passed = math.floor((now - self.created) / self.queue_s * steps)
        return max(0, self.start_position - passed)

    def finished(self, now: float) -> float | None:
        """Monotonic instant the job ended, None while it runs."""
        if self.cancelled_at is not None:
            return self.cancelled_at
        if self.state(now) in ("in_queue", "in_progress"):
            return None
        return max(self.created + self.queue_s + self.run_s, self.work_done_at or 0.0)

    def wall(self, instant: float) -> str:
        """A monotonic instant of this job as an ISO 8601 UTC string."""
        return iso_utc(self.created_wall + (instant - self.created))

    def times(self, now: float) -> dict[str, str | None]:
        """``created_at`` and ``finished_at`` (None while running) as the result endpoint shows them."""
        finished = self.finished(now)
        finished_at = None if finished is None else self.wall(finished)
        return {"created_at": self.wall(self.created), "finished_at": finished_at}

    def summary(self, now: float) -> dict[str, Any]:
        """The job as ``/_offline/stats`` lists it (the token only as its fingerprint)."""
        return {
            "state": self.state(now),
            "seed": self.seed,
            "frames": self.frames,
            "prompt": self.prompt,
            "token_fp": self.token_fp,
            "cost": self.cost,
            **self.times(now),
        }


class JobStore:
    """All jobs, the render pool and the render cache. Handlers call it from the event loop."""

    def __init__(self, files_dir: Path, *, clock: Clock = time.monotonic, workers: int = 2) -> None:
        self.clock = clock
        self.cache = RenderCache(files_dir)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="offline-render")
        self._jobs: dict[str, Job] = {}
        self._by_file: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._closed = False

    def submit(
        self, valid: ValidInput, token_fp: str, config: OfflineConfig, *, fail: bool = False,
        rng: random.Random | None = None,
    ) -> Job:
        """Record a job and start its work; ``fail`` makes it end failed (the fail_next knob).

        ``rng`` draws the job's run time within ``run_spread`` (none: exactly ``run_s``).
        """
        now = self.clock()
        run_s = float(config.run_s)
        if rng is not None and config.run_spread:
            spread = min(1.0, float(config.run_spread))
            run_s *= 1 + rng.uniform(-spread, spread)
        job = Job(
            request_id=secrets.token_hex(16),
            token_fp=token_fp,
            prompt=valid.prompt,
            seed=valid.seed,
            frames=valid.frames,
            image_url=valid.image_url,
            created=now,
            created_wall=time.time(),
            queue_s=float(config.queue_s),
            run_s=run_s,
            start_position=int(config.start_position),
        )
        with self._lock:
            self._jobs[job.request_id] = job
            self._by_file[job.file_id] = job
        if fail:
            job.error = FAIL_NEXT_ERROR
            job.work_done_at = now
        else:
            job.future = self._pool.submit(self._work, job, valid.image_bytes)
        return job

    def _work(self, job: Job, image_bytes: bytes | None) -> None:
        """Fetch (for a URL) and render, in a pool thread. Never raises: errors go on the job."""
        try:
            if image_bytes is None:
                image_bytes = fetch_image(job.image_url)
                problems = check_image_bytes(image_bytes)
                if problems:
                    job.error = f"the image at {job.image_url} cannot be used: {'; '.join(problems)}"
                    return
            job.video_path = self.cache.get(image_bytes, job.frames)
        except FetchError as exc:
            job.error = (
                f"could not fetch the image URL {job.image_url} ({exc.reason}); upload the image file instead"
            )
        except Exception:
            if not self._closed:  # after close() the files dir is gone: failing then is expected
                logger.exception("offline stand-in: rendering job %s failed", job.request_id)
            job.error = "rendering the preview failed on the server"
        finally:
            job.work_done_at = self.clock()

    def get(self, request_id: str) -> Job | None:
        """The job with this id, or None."""
        return self._jobs.get(request_id)

    def by_file(self, file_id: str) -> Job | None:
        """The job whose video has this file id, or None."""
        return self._by_file.get(file_id)

    def cancel(self, job: Job) -> bool:
        """Cancel a queued job (True), or leave a running/finished one alone (False)."""
        now = self.clock()
        if job.state(now) != "in_queue":
            return False
        job.cancelled_at = now
        if job.future is not None:
            job.future.cancel()  # frees the worker if the render has not started yet
        return True

    def jobs(self) -> list[Job]:
        """Every job, oldest first."""
        with self._lock:
            return list(self._jobs.values())

    def clear(self) -> None:
        """Forget every job (the render cache stays: renders are pure functions of their input)."""
        with self._lock:
            for job in self._jobs.values():
                if job.future is not None:
                    job.future.cancel()
            self._jobs.clear()
            self._by_file.clear()

    def close(self) -> None:
        """Stop the pool without waiting for a render in progress."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
