"""A running job that outlives whoever is watching it, and the per-visitor session that holds it.

Why a job gets its own task: Gradio's ``cancels=`` stops the *event* that streams a job to the page.
If the job's event loop lived inside that event, stopping it would also abandon a job RunComfy can
no longer stop (running jobs are billed anyway), and its video would be lost. So the job is pumped
by its own task into an event log (:class:`LiveJob`); page events only *watch* the log. Stopping a
watcher decides nothing by itself: :meth:`LiveJob.cancel` asks RunComfy, and only a queued job is
actually cancelled. A running one keeps going and any watcher can pick the stream up again.

With a history (:class:`ui.history_archive.Archive`), the pump reads the client's events through
``client.recorder.record``: each event is written to the store before the log sees it, so the
receipt is on disk before the first poll. The prepared input is kept beside it (for "Reuse
settings") and the video's poster made once it is on disk; none of that can fail the job.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from client.api import RunComfyClient
from client.errors import RunComfyError
from client.events import END_EVENTS, Cancelled, Completed, Downloading, Event, InProgress, Submitted
from client.inputs import JobRequest, PreparedJob
from client.lanes import VIDEOS
from client.recorder import record
from client.secret import Secret
from client.store import LOCAL_OWNER

if TYPE_CHECKING:
    from ui.history_archive import Archive

log = logging.getLogger(__name__)
Mode = Literal["offline", "byo", "server"]


@dataclass(frozen=True)
class Route:
    """Which client and key a job goes through, and whether it counts toward the hourly limit."""

    client: RunComfyClient
    token: Secret | None = field(repr=False)
    mode: Mode

    @property
    def limited(self) -> bool:
        """Only the server's own key is rationed; offline runs and visitors' keys are not."""
        return self.mode == "server"


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
        request: JobRequest,
        *,
        prepared: PreparedJob | None = None,
        archive: Archive | None = None,
        owner: str = LOCAL_OWNER,
    ) -> None:
        self.route = route
        self.request = request
        self.prepared = prepared
        self.archive = archive
        self.owner = owner
        self.events: list[Event] = []
        self.error: RunComfyError | None = None
        self.done = False
        self.started = time.monotonic()
        self._wake = asyncio.Event()
        self._cancel: asyncio.Task[CancelReport] | None = None
        # Keep a reference: a task nobody references may be garbage-collected mid-run.
        self.task = asyncio.create_task(self._pump(), name="runcomfy-job")

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

    def _events(self) -> AsyncIterator[Event]:
        """The client's events, recorded into the history first when there is one."""
        client = self.route.client
        events = client.run(self.request, token=self.route.token)
        if self.archive is None:
            return events
        return record(self.archive.store, events, job=self.prepared or self.request, owner=self.owner,
                      offline=client.offline, base_url=client.base_url, model=client.model,
                      budget_mb=self.archive.budget_mb)

    async def _keep_files(self, event: Event) -> None:
        """Beside the record: the input picture at the receipt, the poster once the video is here."""
        archive = self.archive
        if archive is None or not archive.available:
            return
        if isinstance(event, Submitted):
            archive.follow(event.request_id)
            image = self.prepared.image if self.prepared is not None else None
            if image is not None:
                await asyncio.to_thread(archive.keep_input, event.request_id, image)
        elif isinstance(event, Completed):
            await VIDEOS.run(archive.make_poster, event.video.path)

    async def _pump(self) -> None:
        try:
            async for event in self._events():
                if isinstance(event, Cancelled) and isinstance(self.last, Cancelled):
                    continue  # already shown when RunComfy answered the cancel
                self._push(event)  # the page sees the receipt first; the files follow
                try:
                    await self._keep_files(event)
                except Exception:  # a poster or a kept input is never worth failing a paid job
                    log.warning("job %s: files beside the record not kept", event.request_id, exc_info=True)
        except RunComfyError as exc:
            self.error = exc
        except Exception:  # last line of defence: the page shows a sentence, the log the trace
            log.exception("job %s ended with an unexpected error", self.request_id)
            self.error = RunComfyError("unexpected", request_id=self.request_id)
        finally:
            self.done = True
            if self.archive is not None and self.request_id is not None:
                self.archive.release(self.request_id)
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
            outcome = await self.route.client.cancel(rid, token=self.route.token)
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


@dataclass
class Attempt:
    """One press of Generate: ``live`` once something was sent, ``stop`` once Cancel was pressed."""

    live: LiveJob | None = None
    stop: bool = False
    started: float = field(default_factory=time.monotonic)


@dataclass
class VisitorSession:
    """What one browser tab keeps on the server (inside ``gr.State``); never sent to the browser."""

    key: Secret | None = field(default=None, repr=False)
    attempt: Attempt | None = None
    download_failed: str | None = None  # the request id whose video could not be fetched (Retry)

    def __deepcopy__(self, memo: dict[int, object]) -> VisitorSession:
        # Gradio deep-copies a State's initial value per tab; a fresh, empty session is the copy.
        return VisitorSession()

    def close(self) -> None:
        """The tab is gone: forget the key (its job's fate was already settled by its watcher)."""
        self.key = None
