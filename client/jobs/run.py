"""A job's life as a stream of events: submit once, poll to the end, download, probe.

    async for event in run_job(conn, job.request, token=key):   # Submitted, Queued..., Completed
        ...

What happens, in order (``record`` in :mod:`.record` writes each event down before passing it on):
1. **Submit, once.** The request id comes back and is yielded (``Submitted``) before the first poll,
   so whoever consumes the stream records the receipt of a paid job first: async generators do not
   run ahead of their consumer. A submit is never resent (``client.runcomfy.retry``).
2. **Poll** on the schedule of :class:`~.polling.PollPlan`, leaning on what the history learned of
   jobs like this one (``expected``, see :mod:`.durations`): ``Queued`` (with its position, again
   when it changes), ``InProgress`` (with the usual run time). Outages, 5xx, 429 and garbled answers
   are waited out with growing pauses until the overall deadline; they never end a paid job early.
3. **Fetch the result** once the status says it ended: ``Failed``, ``Cancelled``, or ``Downloading``
   then the video to ``<outputs>/<id>.mp4``, probed with PyAV in the videos lane: ``Completed``.
   The end event carries its tally: the calls it took, and how long after RunComfy's ``finished_at``
   we saw it.

If the stream is closed or cancelled while the job may still be queued, the job is cancelled
(nothing billed); a running job is left to finish.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from client.dreamina import JobRequest
from client.history import PollTally
from client.jobs.connect import Connection
from client.jobs.durations import Expectation
from client.jobs.events import (
    Cancelled,
    Completed,
    Downloading,
    Event,
    Failed,
    InProgress,
    Queued,
    Submitted,
    Video,
)
from client.media import VIDEOS, probe_video
from client.runcomfy import DownloadFailed, JobResult, JobTimedOut, RunComfyError, Secret, State, is_transient

log = logging.getLogger(__name__)
CANCEL_ON_CLOSE_TIMEOUT_S = 10.0
T = TypeVar("T")


async def run_job(
    conn: Connection,
    job: JobRequest,
    *,
    token: Secret | str | None = None,
    cancel_on_close: bool = True,
    expected: Expectation | None = None,
) -> AsyncIterator[Event]:
    """Submit ``job`` (once) and yield every event until its end."""
    start = time.monotonic()
    submission = await conn.api.submit(job.payload(), token=token)
    yield Submitted(submission.request_id, job.seed, time.monotonic() - start)
    inner = follow_job(conn, submission.request_id, token=token, cancel_on_close=cancel_on_close, start=start,
                       expected=expected)
    try:
        async for event in inner:
            yield event
    finally:
        # Close the inner stream here, while the loop still runs, so its cancel-on-close can await;
        # left to the garbage collector it would run after asyncio.run() has cancelled everything.
        await inner.aclose()


async def follow_job(
    conn: Connection,
    request_id: str,
    *,
    token: Secret | str | None = None,
    cancel_on_close: bool = False,
    start: float | None = None,
    expected: Expectation | None = None,
) -> AsyncIterator[Event]:
    """Poll ``request_id`` to its end and yield the events (no ``Submitted``).

    ``expected`` only for a job followed from its submit: a job picked up midway (a resume) is first
    seen running late, and the learned window would be placed after its real end.
    """
    tracker = _Tracker(conn, request_id, time.monotonic() if start is None else start, token, expected)
    finished = False
    try:
        async for event in tracker.events():
            yield event
        finished = True
    finally:
        if not finished and cancel_on_close and tracker.state in (State.QUEUED, State.UNKNOWN):
            await _cancel_quietly(conn, request_id, token)


async def _cancel_quietly(conn: Connection, request_id: str, token: Secret | str | None) -> None:
    try:
        outcome = await asyncio.wait_for(conn.api.cancel(request_id, token=token), CANCEL_ON_CLOSE_TIMEOUT_S)
        log.info("stream closed while queued: cancel of %s -> %s", request_id, outcome.outcome)
    except (RunComfyError, TimeoutError, asyncio.CancelledError) as exc:
        log.warning("could not cancel %s on close: %s", request_id, type(exc).__name__)


async def fetch_video(conn: Connection, request_id: str, url: str) -> Video:
    """Download a finished job's video to its place and probe it; DownloadFailed if it is not a video."""
    dest = await conn.api.download(request_id, url, conn.video_path(request_id))
    try:
        facts = await VIDEOS.run(probe_video, dest)
    except ValueError as exc:
        raise DownloadFailed(f"The downloaded file is not a playable video: {exc}.",
                             request_id=request_id, url=url, reason="broken") from None
    return Video(dest, url, facts)


class _Tracker:
    """The poll loop's state for one job."""

    def __init__(self, conn: Connection, request_id: str, start: float, token: Secret | str | None,
                 expected: Expectation | None) -> None:
        self.conn = conn
        self.request_id = request_id
        self.start = start
        self.token = token
        self.expected = expected
        self.calls = 0  # status and result calls made for this job
        self.seen_end: float | None = None  # wall time the status first said it ended
        self.deadline = start + conn.deadline_s
        self.state = State.QUEUED  # until told otherwise: the job was just submitted
        self.raw_state = "in_queue"
        self._outages = 0
        self._rng = random.Random()  # noqa: S311 - jitter only

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def _timed_out(self) -> JobTimedOut:
        return JobTimedOut(
            f"No final state after {self.conn.deadline_s / 60:g} min (last state: {self.raw_state}). "
            "The job may still finish on RunComfy: recover it later by its request id.",
            request_id=self.request_id)

    async def _pause(self, seconds: float) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self._timed_out()
        await asyncio.sleep(min(seconds, remaining))

    async def _ask(self, call: Callable[[], Awaitable[T]]) -> T:
        """One API call, with transient failures waited out (growing, jittered pauses) until the deadline."""
        while True:
            self.calls += 1
            try:
                answer = await call()
            except RunComfyError as exc:
                if not is_transient(exc):
                    raise
                self._outages += 1
                log.warning("poll of %s failed (%s); waiting it out", self.request_id, type(exc).__name__)
                await self._pause(self.conn.api.retry_policy.backoff(min(self._outages - 1, 8), self._rng))
                continue
            self._outages = 0
            return answer

    async def events(self) -> AsyncIterator[Event]:
        delay: float | None = None
        running_since: float | None = None
        last_queued: int | str | None = "none yet"
        while True:
            running_for = time.monotonic() - running_since if running_since else 0.0
            delay = self.conn.poll.next_delay(self.state, delay, running_for, self.expected)
            await self._pause(delay)
            status = await self._ask(lambda: self.conn.api.status(self.request_id, token=self.token))
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
                known = self.expected
                yield InProgress(self.request_id, self.elapsed(), known.median_s if known else None,
                                 known.high_s if known else None)
            elif status.state.ended:
                self.seen_end = time.time()
                break
        result = await self._final_result()
        self.state = result.state
        tally = self._tally(result)
        if result.state is State.FAILED:
            yield Failed(self.request_id, result.error or "The job failed.", self.elapsed(), tally)
        elif result.state is State.CANCELLED:
            yield Cancelled(self.request_id, self.elapsed(), tally)
        elif result.video_url is None:
            yield Failed(self.request_id, "RunComfy reported success but returned no video: contact "
                         "RunComfy support with this request id.", self.elapsed(), tally)
        else:
            yield Downloading(self.request_id, result.video_url, self.elapsed())
            video = await fetch_video(self.conn, self.request_id, result.video_url)
            # The offline preview bills nothing, whatever figure the stand-in puts in its answer.
            cost = None if self.conn.offline else result.cost
            yield Completed(self.request_id, video, cost, self.elapsed(), tally)

    def _tally(self, result: JobResult) -> PollTally:
        """The calls this job took, and how long after RunComfy's end we saw it (if it said when)."""
        seen_after = None
        if result.finished_at is not None and self.seen_end is not None:
            seen_after = round(max(0.0, self.seen_end - result.finished_at), 3)
        return PollTally(self.calls, result.finished_at, seen_after)

    async def _final_result(self) -> JobResult:
        """The result once status says the job ended (tolerating a result that lags behind)."""
        while True:
            result = await self._ask(lambda: self.conn.api.result(self.request_id, token=self.token))
            if result.state.ended:
                return result
            # The two endpoints may disagree for a moment; trust the result and ask again.
            await self._pause(self.conn.poll.running_s)
