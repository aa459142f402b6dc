"""What the client tests share: a checked job, a connection to the stand-in, and a stream collected."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from client.dreamina import JobRequest, build_job
from client.jobs import Connection, PollPlan
from client.runcomfy import RetryPolicy
from tests.samples import photo

T = TypeVar("T")
FAKE_TOKEN = "fake-token-LEAKCHECK-0123456789"
FAST = PollPlan.fixed(0.05)
QUICK_RETRY = RetryPolicy(attempts=4, base_delay_s=0.02, max_delay_s=0.1, max_retry_after_s=0.3)


def job(frames: int = 121) -> JobRequest:
    """A checked request for a 960x540 picture, seed 7."""
    prompt = "A slow dolly-in over a sunny street"
    return build_job(prompt, image=photo(960, 540), seed=7, frames=frames).request


def make_client(standin: Any, tmp_path: Path, **kw: Any) -> Connection:
    """A connection to the loopback stand-in with fast polls and quick retries."""
    kw.setdefault("poll", FAST)
    kw.setdefault("retry", QUICK_RETRY)
    kw.setdefault("deadline_s", 60)
    return Connection(FAKE_TOKEN, standin.base_url, outputs_dir=tmp_path, **kw)


async def collect(events: AsyncIterator[T]) -> list[T]:
    """Every item of a stream."""
    return [event async for event in events]


def run(coro: Coroutine[Any, Any, T]) -> T:
    """One scenario in its own event loop."""
    return asyncio.run(coro)
