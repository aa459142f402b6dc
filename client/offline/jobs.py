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

import dataclasses
import hashlib
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from client.offline.faults import FaultRule
from client.offline.fetch import FetchError, fetch_image
from client.offline.render import RenderCache
from client.offline.validate import ValidInput, check_image_bytes

logger = logging.getLogger("client.offline")
Clock = Callable[[], float]
FAIL_NEXT_ERROR = "the generation failed on the server (simulated by the offline stand-in's fail_next knob)"


@dataclass
class OfflineConfig:
    """Knobs of the stand-in. Defaults suit an interactive preview (about 6 s per job).

    ``outage_until`` is a ``time.monotonic()`` instant; over HTTP use ``outage_seconds``.
    ``tokens`` None accepts any non-empty token; it is kept out of ``repr``.
    """

    queue_s: float = 2.0
    run_s: float = 4.0
    start_position: int = 3
    tokens: frozenset[str] | None = field(default=None, repr=False)
    fail_next: int = 0
    result_ttl_s: float | None = None
    video_ttl_s: float | None = None
    cost_per_second: float = 0.05
    faults: list[FaultRule] = field(default_factory=list)
    outage_until: float | None = None
    seed: int = 0

    def updated(self, changes: Mapping[str, Any], now: float) -> OfflineConfig:
        """A copy with knobs from a JSON object applied; raise ValueError for a bad knob.

        Accepts every field by name (``faults`` as a list of objects, ``tokens`` as a list or
        null) plus ``outage_seconds`` (an outage from ``now`` on; 0 ends it).
        """
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "outage_seconds":
                values["outage_until"] = now + _number(key, value, float) if value else None
            elif key == "faults":
                values["faults"] = [r if isinstance(r, FaultRule) else FaultRule.from_json(r) for r in value]
            elif key == "tokens":
                if isinstance(value, str):
                    raise ValueError("tokens must be a list of strings or null")
                values["tokens"] = None if value is None else frozenset(str(t) for t in value)
            elif key in _KNOB_TYPES:
                kind, optional = _KNOB_TYPES[key]
                values[key] = None if value is None and optional else _number(key, value, kind)
            else:
                raise ValueError(f"unknown knob {key!r}")
        return dataclasses.replace(self, **values)

    def public(self) -> dict[str, Any]:
        """The knobs as JSON, tokens reduced to their number."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "tokens"}
        data["faults"] = [r.to_json() for r in self.faults]
        data["tokens"] = None if self.tokens is None else len(self.tokens)
        return data


# Numeric knobs: (type, may be null). All must be >= 0 except the RNG seed.
_KNOB_TYPES: dict[str, tuple[type, bool]] = {
    "queue_s": (float, False),
    "run_s": (float, False),
    "start_position": (int, False),
    "fail_next": (int, False),
    "result_ttl_s": (float, True),
    "video_ttl_s": (float, True),
    "cost_per_second": (float, False),
    "outage_until": (float, True),
    "seed": (int, False),
}


def _number(key: str, value: Any, kind: type) -> Any:
    """``value`` as ``kind``, refusing strings, bools, fractions for ints and negatives."""
    if isinstance(value, bool) or not isinstance(value, int if kind is int else (int, float)):
        raise ValueError(f"{key} must be {'an integer' if kind is int else 'a number'}")
    if value < 0 and key != "seed":
        raise ValueError(f"{key} must not be negative")
    return kind(value)


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

    def submit(self, valid: ValidInput, token_fp: str, config: OfflineConfig, *, fail: bool = False) -> Job:
        """Record a job and start its work; ``fail`` makes it end failed (the fail_next knob)."""
        now = self.clock()
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
            run_s=float(config.run_s),
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
