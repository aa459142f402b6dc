"""A whole job as a stream of events: submit once, poll to the end, download, probe.

The request id is yielded (``Submitted``) before the first poll, so whoever consumes the stream can
record the receipt of a paid job first: async generators do not run ahead of their consumer.
Outages, 5xx, 429 and garbled answers while polling are waited out (with growing pauses) until the
overall deadline; they never end a paid job early. If the stream is closed or cancelled while the
job may still be queued, the job is cancelled (nothing billed); a running job is left to finish.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from client.errors import JobTimedOut, RunComfyError
from client.events import (
    Cancelled,
    Completed,
    Downloading,
    Event,
    Failed,
    InProgress,
    Queued,
    Submitted,
)
from client.http_errors import is_transient
from client.inputs import JobRequest
from client.parse import JobResult, State
from client.secret import Secret

if TYPE_CHECKING:
    from client.api import RunComfyClient

log = logging.getLogger(__name__)
CANCEL_ON_CLOSE_TIMEOUT_S = 10.0


async def run_job(
    api: RunComfyClient, job: JobRequest, *, token: Secret | str | None, cancel_on_close: bool
) -> AsyncIterator[Event]:
    """Submit ``job`` (once) and yield every event until its end."""
    start = time.monotonic()
    submission = await api.submit(job, token=token)
    yield Submitted(submission.request_id, job.seed, time.monotonic() - start)
    inner = follow_job(api, submission.request_id, token=token, cancel_on_close=cancel_on_close, start=start)
    try:
        async for event in inner:
            yield event
    finally:
        # Close the inner stream here, while the loop still runs, so its cancel-on-close can await;
        # left to the garbage collector it would run after asyncio.run() has cancelled everything.
        await inner.aclose()


async def follow_job(
    api: RunComfyClient,
    request_id: str,
    *,
    token: Secret | str | None,
    cancel_on_close: bool,
    start: float | None = None,
) -> AsyncIterator[Event]:
    """Poll ``request_id`` to its end and yield the events (no ``Submitted``)."""
    start = time.monotonic() if start is None else start
    tracker = _Tracker(api, request_id, start)
    finished = False
    try:
        async for event in tracker.events(token):
            yield event
        finished = True
    finally:
        if not finished and cancel_on_close and tracker.state in (State.QUEUED, State.UNKNOWN):
            await _cancel_quietly(api, request_id, token)


async def _cancel_quietly(api: RunComfyClient, request_id: str, token: Secret | str | None) -> None:
    try:
        outcome = await asyncio.wait_for(api.cancel(request_id, token=token), CANCEL_ON_CLOSE_TIMEOUT_S)
        log.info("stream closed while queued: cancel of %s -> %s", request_id, outcome.outcome)
    except (RunComfyError, TimeoutError, asyncio.CancelledError) as exc:
        log.warning("could not cancel %s on close: %s", request_id, type(exc).__name__)


class _Tracker:
    """The poll loop's state for one job."""

    def __init__(self, api: RunComfyClient, request_id: str, start: float) -> None:
        self.api = api
        self.request_id = request_id
        self.start = start
        self.deadline = start + api.deadline_s
        self.state = State.QUEUED  # until told otherwise: the job was just submitted
        self.raw_state = "in_queue"
        self._outages = 0
        self._rng = random.Random()  # noqa: S311 - jitter only

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def _timed_out(self) -> JobTimedOut:
        return JobTimedOut(
            f"No final state after {self.api.deadline_s / 60:g} min (last state: {self.raw_state}). "
            "The job may still finish on RunComfy: recover it later by its request id.",
            request_id=self.request_id)

    async def _pause(self, seconds: float) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self._timed_out()
        await asyncio.sleep(min(seconds, remaining))

    async def _outage(self, exc: RunComfyError) -> None:
        """Wait out a transient failure with the retry policy's growing, jittered pauses."""
        self._outages += 1
        log.warning("poll of %s failed (%s); waiting it out", self.request_id, type(exc).__name__)
        await self._pause(self.api.retry_policy.backoff(min(self._outages - 1, 8), self._rng))

    async def events(self, token: Secret | str | None) -> AsyncIterator[Event]:
        delay: float | None = None
        running_since: float | None = None
        last_queued: int | str | None = "none yet"
        while True:
            running_for = time.monotonic() - running_since if running_since else 0.0
            delay = self.api.poll.next_delay(self.state, delay, running_for)
            await self._pause(delay)
            try:
                status = await self.api.status(self.request_id, token=token)
            except RunComfyError as exc:
                if not is_transient(exc):
                    raise
                await self._outage(exc)
                continue
            self._outages = 0
            self.raw_state = status.raw_state
            if status.state is State.UNKNOWN:
                log.warning("job %s reports an unknown state %r; still polling", self.request_id,
                            status.raw_state[:40])
                continue
            self.state = status.state
            if status.state is State.QUEUED and status.position != last_queued:
                last_queued = status.position
                yield Queued(self.request_id, status.position, self.elapsed())
            elif status.state is State.RUNNING and running_since is None:
                running_since = time.monotonic()
                yield InProgress(self.request_id, self.elapsed())
            elif status.state.ended:
                break
        result = await self._final_result(token)
        self.state = result.state
        if result.state is State.FAILED:
            yield Failed(self.request_id, result.error or "The job failed.", self.elapsed())
        elif result.state is State.CANCELLED:
            yield Cancelled(self.request_id, self.elapsed())
        elif result.video_url is None:
            yield Failed(self.request_id, "RunComfy reported success but returned no video: contact "
                         "RunComfy support with this request id.", self.elapsed())
        else:
            yield Downloading(self.request_id, result.video_url, self.elapsed())
            video = await self.api.download(self.request_id, result.video_url)
            yield Completed(self.request_id, video, result.cost, self.elapsed())

    async def _final_result(self, token: Secret | str | None) -> JobResult:
        """The result once status says the job ended (tolerating a result that lags behind)."""
        while True:
            try:
                result = await self.api.result(self.request_id, token=token)
            except RunComfyError as exc:
                if not is_transient(exc):
                    raise
                await self._outage(exc)
                continue
            if result.state.ended:
                return result
            # The two endpoints may disagree for a moment; trust the result and ask again.
            await self._pause(self.api.poll.running_s)
