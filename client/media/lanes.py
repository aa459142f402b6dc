"""Where CPU-heavy media work runs: two single-thread lanes, off the event loop, at a lower CPU priority.

``await VIDEOS.run(fn, *args)`` runs ``fn`` in the videos lane; ``PICTURES`` takes the uploaded
pictures. Only decoding and encoding goes here (checking and fixing an upload, its thumbnail; probing,
tagging and the poster of a finished video); small file and database work stays on
``asyncio.to_thread``.

Why not ``asyncio.to_thread`` for everything: its pool runs up to ``cpu_count + 4`` jobs at once.
When 50 jobs finish within a few seconds, six threads decoding posters and remuxing videos took
both cores of a 2-core machine and the GIL away from the event loop that serves every page, which
then stalled for 80-230 ms (measured in ``benchmarks/bench_load.py``). One thread per lane uses at
most one core per kind of work and hands the GIL back within the 5 ms switch interval; the lower
priority (``nice`` +10 on that thread, Linux only) lets the kernel run the event loop first. The
cost is waiting: work queues in its lane, about 30 ms per finished video and a few ms per picture.
Two lanes rather than one so that a burst of hostile uploads never delays paid videos, and the
reverse.

The lanes are per process on purpose (like the default thread pool they replace), each made on
first use; every visitor's work shares them.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
BACKGROUND_NICE = 10
"""How much lower than the app the lanes' threads run (a nice value added to the app's own)."""


def lower_this_thread(step: int = BACKGROUND_NICE) -> int | None:
    """Raise the calling thread's nice value by ``step``; return the new value (None where unsupported).

    On Linux the nice value belongs to a thread, not to the process. Elsewhere ``setpriority`` would
    slow the whole process down, so nothing is done. Raising one's own nice value never needs a
    privilege; a refusal (some sandboxes) leaves the thread as it was.
    """
    if not sys.platform.startswith("linux"):
        return None
    tid = threading.get_native_id()
    try:
        value = min(19, os.getpriority(os.PRIO_PROCESS, tid) + step)
        os.setpriority(os.PRIO_PROCESS, tid, value)
        return value
    except OSError:
        return None


class Lane:
    """One worker thread, at a lower CPU priority, that runs blocking calls one after another."""

    def __init__(self, name: str, *, nice: int = BACKGROUND_NICE) -> None:
        self.name = name
        self.nice = nice
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Lane({self.name!r}, nice=+{self.nice})"

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"lane-{self.name}",
                                                initializer=lower_this_thread, initargs=(self.nice,))
            return self._pool

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in this lane, after the work queued before it; its result or error."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        """Let the queued work finish and stop the thread (a later ``run`` starts a new one)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)


PICTURES = Lane("pictures")
"""Uploaded pictures: checks, fixes (decode, rotate, downscale, re-encode) and the history thumbnail."""
VIDEOS = Lane("videos")
"""Finished videos: probe, prompt-and-seed tagging (remux), poster frame."""
