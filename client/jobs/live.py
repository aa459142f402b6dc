"""A running job that outlives whoever is watching it.

Why a job gets its own task: a page's stop button (Gradio's ``cancels=``) stops the *event* that
streams a job to the page. If the job's loop lived inside that event, stopping it would also abandon
a job RunComfy can no longer stop (running jobs are billed anyway), and its video would be lost. So
the job is pumped by its own task into an event log (:class:`LiveJob`); watchers only *read* the
log. Stopping a watcher decides nothing by itself: :meth:`LiveJob.cancel` asks RunComfy, and only a
queued job is actually cancelled. A running one keeps going and any watcher can pick it up again.

With a :class:`~.registry.Registry`, the pump reads the job's events through ``record``: each event
is written to the store before the log sees it, so the receipt is on disk before the first poll,
and the registry knows the job is followed until it ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from client.dreamina import JobRequest, PreparedJob
from client.history import LOCAL_OWNER
from client.jobs.connect import Route
from client.jobs.durations import Expectation, expect
from client.jobs.events import END_EVENTS, Cancelled, Downloading, Event, InProgress, Submitted
from client.jobs.record import record
from client.jobs.registry import Registry
from client.jobs.run import run_job
from client.jobs.spend import Admission
from client.runcomfy import RunComfyError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CancelReport:
    """What a cancel attempt came to: cancelled, not cancellable, or unknown (``cancelled`` None)."""

    request_id: str | None
    cancelled: bool | None
    outcome: str


class LiveJob:
    """One submitted job: a pump task appends its events to a log that any number of watchers read."""

    def __init__(
        self,
        route: Route,
        job: PreparedJob,
        *,
        registry: Registry | None = None,
        owner: str = LOCAL_OWNER,
        admission: Admission | None = None,
        parent_id: str | None = None,
    ) -> None:
        self.route = route
        self.parent_id = parent_id  # the job whose last frame this one continues (a story)
        self.job = job
        self.registry = registry
        self.owner = owner
        self.admission = admission  # from ``admit``: its estimate goes on the receipt, its share follows
        self.events: list[Event] = []
        self.error: RunComfyError | None = None
        self.done = False
        self.started = time.monotonic()
        self._wake = asyncio.Event()
        self._cancel: asyncio.Task[CancelReport] | None = None
        # Keep a reference: a task nobody references may be garbage-collected mid-run.
        self.task = asyncio.create_task(self._pump(), name="runcomfy-job")

    @property
    def request(self) -> JobRequest:
        """Exactly what was submitted."""
        return self.job.request

    @property
    def request_id(self) -> str | None:
        """The receipt, once RunComfy has accepted the job."""
        return self.events[0].request_id if self.events else None

    @property
    def last(self) -> Event | None:
        """The latest event, if any."""
        return self.events[-1] if self.events else None

    def elapsed(self) -> float:
        """Seconds since the job was started here."""
        return time.monotonic() - self.started

    def _push(self, event: Event | None) -> None:
        if event is not None:
            self.events.append(event)
        self._wake.set()
        self._wake = asyncio.Event()

    def _events(self, expected: Expectation | None) -> AsyncIterator[Event]:
        """The job's events, recorded into the history first when there is one."""
        conn = self.route.conn
        events = run_job(conn, self.request, token=self.route.token, expected=expected)
        admission = self.admission
        if self.registry is not None:
            events = record(self.registry.store, events, conn=conn, job=self.job, owner=self.owner,
                            files=self.registry.files if self.registry.available else None,
                            paid_by=self.route.mode, estimate=admission.estimate_usd if admission else None,
                            parent_id=self.parent_id)
        return admission.watch(events) if admission is not None else events

    async def _expected(self) -> Expectation | None:
        """What the history learned of jobs like this one (None without a history)."""
        if self.registry is None or not self.registry.available:
            return None
        conn = self.route.conn
        return await asyncio.to_thread(expect, self.registry.store, base_url=conn.base_url, model=conn.model,
                                       frames=self.request.frames)

    async def _pump(self) -> None:
        try:
            async for event in self._events(await self._expected()):
                if isinstance(event, Submitted) and self.registry is not None:
                    self.registry.follow(event.request_id)
                if isinstance(event, Cancelled) and isinstance(self.last, Cancelled):
                    continue  # already shown when RunComfy answered the cancel
                self._push(event)
        except RunComfyError as exc:
            self.error = exc
        except Exception:  # last line of defence: the page shows a sentence, the log the trace
            log.exception("job %s ended with an unexpected error", self.request_id)
            self.error = RunComfyError("unexpected", request_id=self.request_id)
        finally:
            self.done = True
            if self.admission is not None:
                self.admission.release()  # a share not settled by now was never sent (harmless otherwise)
            if self.registry is not None and self.request_id is not None:
                self.registry.release(self.request_id)
            self._push(None)

    async def watch(self, start: int = 0, *, tick_s: float | None = None) -> AsyncIterator[Event | None]:
        """Yield events from index ``start`` to the end; ``None`` every ``tick_s`` while nothing happens."""
        index = start
        while True:
            wake = self._wake
            while index < len(self.events):
                index += 1
                yield self.events[index - 1]
            if self.done:
                return
            try:
                await asyncio.wait_for(wake.wait(), tick_s)
            except TimeoutError:
                yield None

    def cancel(self) -> asyncio.Task[CancelReport]:
        """Ask RunComfy to cancel (once, shared by every caller); only a queued job can be."""
        if self._cancel is None:
            self._cancel = asyncio.create_task(self._ask_to_cancel(), name="runcomfy-cancel")
        return self._cancel

    async def _ask_to_cancel(self) -> CancelReport:
        # The submit is never interrupted (a half-sent submit is an unknown paid job): wait for the
        # receipt, then ask. If the job is already known to run, RunComfy would only say no.
        while self.request_id is None and not self.done:
            wake = self._wake
            await wake.wait()
        rid = self.request_id
        if rid is None or (self.done and isinstance(self.last, END_EVENTS)):
            return CancelReport(rid, None, "ended")
        if isinstance(self.last, InProgress | Downloading):
            return CancelReport(rid, False, "not_cancellable")
        try:
            outcome = await self.route.conn.cancel(rid, token=self.route.token)
        except RunComfyError as exc:
            log.warning("cancel of %s failed: %s", rid, type(exc).__name__)
            return CancelReport(rid, None, "unreachable")
        if outcome.cancelled:
            # Show it now: the pump's next poll (up to a queued interval away) would confirm it, and
            # until then a watcher's tick would redraw the last "queued" over the cancel.
            self._push(Cancelled(rid, self.elapsed()))
        return CancelReport(rid, outcome.cancelled, outcome.outcome)

    def stop_watching(self) -> None:
        """A watcher left before the end: cancel the job if it may still be queued (nothing billed)."""
        if not self.done and not isinstance(self.last, InProgress | Downloading):
            self.cancel()
