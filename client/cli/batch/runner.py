"""Running a batch's rows, at most N in flight: each row sent once (or followed by its request id), recorded
in the history like any job, journaled before and after its submit, and its video put in the batch folder.

Each row sent is ``generate``'s run: ``admit`` (price, budget, cap) → journal ``sending`` →
``record(run_job(...), paid_by=...)`` → journal ``request_id`` the moment ``Submitted`` comes (before
the first poll, and before the history's own receipt) → the end. A row sent by an earlier run is
followed with ``recover_events`` (which skips the API when the history already has its video).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections import deque
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path

from client import (
    PICTURES,
    Admission,
    AnyStore,
    APIRefused,
    Cancelled,
    Completed,
    ConnectionFailed,
    Event,
    Failed,
    InputRefused,
    Refused,
    Route,
    RunComfyError,
    Settings,
    StoreUnavailable,
    Submitted,
    SubmitUncertain,
    expect,
    record,
    recover_events,
    run_job,
    safe_name,
)
from client.cli.batch.journal import Entry, Journal
from client.cli.batch.progress import Lines
from client.cli.batch.report import UNKNOWN_TEXT, Outcome
from client.cli.batch.rows import Checked, Row
from client.cli.batch.spend import Purse
from client.cli.money import refusal_line

STOP_REASONS = ("auth", "balance")  # RunComfy refused the key or the wallet: every later row would fail too


@dataclass
class Flight:
    """A row in flight: its receipt once known, and the last event of its job."""

    row: Row
    request_id: str | None = None
    seed: int | None = None
    last: Event | None = None
    started: bool = False  # counted in flight (admitted and about to be sent, or followed)
    submitting: bool = False  # "sending" is journaled: its submit may be on its way
    ended: bool = False


class Runner:
    """One batch run's rows on one connection (see the module doc)."""

    def __init__(self, route: Route, store: AnyStore, settings: Settings, journal: Journal, folder: Path,
                 purse: Purse, progress: Lines) -> None:
        self.route = route
        self.conn = route.conn
        self.store = store
        self.files = settings.files()
        self.journal = journal
        self.folder = folder
        self.purse = purse
        self.progress = progress
        self.flights: dict[int, Flight] = {}
        self.outcomes: dict[int, Outcome] = {}
        self.stopped: str | None = None  # why no more rows are sent

    async def run(self, follow: list[tuple[Row, Entry]], send: list[Checked], concurrency: int) -> None:
        """Follow, then send, with at most ``concurrency`` rows in flight; returns when all have ended."""
        work: deque[tuple[Row, Entry | Checked]] = deque([*follow, *((c.row, c) for c in send)])

        async def worker() -> None:
            while work:
                row, item = work.popleft()
                flight = self.flights[row.number] = Flight(row)
                if isinstance(item, Entry):
                    outcome = await self._follow(flight, item)
                else:
                    outcome = await self._send(flight, item)
                flight.ended = True
                self.outcomes[row.number] = outcome
                self.progress.finished(outcome, was_in_flight=flight.started)

        tasks = [asyncio.create_task(worker()) for _ in range(max(1, min(concurrency, len(work))))]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:  # interrupted: stop every row's stream before the connection closes
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _send(self, flight: Flight, checked: Checked) -> Outcome:
        row = flight.row
        if self.stopped:
            return Outcome(row.number, "not_sent", error=self.stopped)
        try:
            prepared = await PICTURES.run(row.build)  # again: the checked job was not kept (a big batch)
        except InputRefused as exc:
            return Outcome(row.number, "refused", error=str(exc))
        try:
            admission = await self.purse.admit(prepared.request.frames)
        except Refused as exc:
            return Outcome(row.number, "refused", error=refusal_line(exc).removeprefix("refused: "))
        flight.seed, flight.started = prepared.request.seed, True
        self.progress.started()
        expected = expect(self.store, base_url=self.conn.base_url, model=self.conn.model,
                          frames=prepared.request.frames)  # learned from the rows already done, too
        # Not cancelled when closed: Ctrl-C withdraws queued rows itself, and journals it (see .stop).
        stream = run_job(self.conn, prepared.request, cancel_on_close=False, expected=expected)
        events = admission.watch(record(self.store, self._journal_receipt(flight, stream), conn=self.conn,
                                        job=prepared, files=self.files, paid_by=self.route.mode,
                                        estimate=admission.estimate_usd))
        try:
            return await self._through(flight, events)
        except RunComfyError as exc:
            return self._send_failed(flight, admission, exc)

    def _send_failed(self, flight: Flight, admission: Admission, exc: RunComfyError) -> Outcome:
        """The outcome of a row whose stream raised; journaled so that a rerun does the right thing."""
        row = flight.row
        if flight.request_id is not None:  # sent: a rerun follows it by its id
            return Outcome(row.number, "error", flight.request_id, seed=flight.seed, error=str(exc))
        answered_no = isinstance(exc, APIRefused) and (exc.status_code or 0) < 500
        never_left = isinstance(exc, ConnectionFailed) and not isinstance(exc, SubmitUncertain)
        if not (answered_no or never_left):
            # It may have reached RunComfy: the journal stays at "sending", and nothing is resent.
            self.progress.say(f"row {row.number}: {UNKNOWN_TEXT}")
            return Outcome(row.number, "unknown", seed=flight.seed, error=f"{exc}; {UNKNOWN_TEXT}")
        # RunComfy answered no, or the connection failed before a byte left: nothing was made.
        self.journal.write_now(row.number, row.key, event="not_sent", error=str(exc))
        self.purse.refund(admission)
        if isinstance(exc, APIRefused) and exc.reason in STOP_REASONS:
            self.stopped = f"not sent: RunComfy refused an earlier row ({exc})"
        return Outcome(row.number, "error", seed=flight.seed, error=f"not sent: {exc}")

    async def _follow(self, flight: Flight, entry: Entry) -> Outcome:
        row, rid = flight.row, entry.request_id or ""
        flight.request_id, flight.seed, flight.submitting = rid, entry.seed, True
        if entry.base_url and entry.base_url != self.conn.base_url:
            where = f"sent to {entry.base_url}; this run talks to {self.conn.base_url}: not followed"
            return Outcome(row.number, "error", rid, seed=entry.seed, error=where)
        flight.started = True
        self.progress.started()
        try:
            events = recover_events(self.conn, self.store, rid, files=self.files)
            outcome = await self._through(flight, events)
            return outcome if outcome is not None else await self._from_history(flight)
        except (RunComfyError, StoreUnavailable) as exc:  # NotFound: expired; a rerun tries again
            return Outcome(row.number, "error", rid, seed=entry.seed, error=str(exc))

    async def _from_history(self, flight: Flight) -> Outcome:
        """A followed job the history already holds whole (finished after the journal last heard of it)."""
        row, rid = flight.row, flight.request_id or ""
        job = await asyncio.to_thread(self.store.get, rid)
        if job is None or job.video_path is None or not job.video_path.is_file():
            return Outcome(row.number, "error", rid, seed=flight.seed, error="no video of it in the history")
        return await self._placed(flight, rid, job.video_path,
                                  Outcome(row.number, job.state, rid, None, job.seed, job.cost))

    async def _journal_receipt(self, flight: Flight, events: AsyncIterator[Event]) -> AsyncIterator[Event]:
        """Journal "sending", then pass ``events`` on (the first step submits); the request id goes into
        the journal the moment it arrives, before the history's receipt and the first poll."""
        row = flight.row
        # On disk before the submit starts: from here on, a crash leaves "sending" and no id (never resent).
        self.journal.write_now(row.number, row.key, event="sending", offline=self.conn.offline,
                               base_url=self.conn.base_url)
        flight.submitting = True
        async with aclosing(events):
            async for event in events:
                if isinstance(event, Submitted):
                    flight.request_id, flight.seed = event.request_id, event.seed
                    self.journal.write_now(flight.row.number, flight.row.key, request_id=event.request_id,
                                           seed=event.seed)
                yield event

    async def _through(self, flight: Flight, events: AsyncIterator[Event]) -> Outcome | None:
        """Follow one row's (recorded) events to its end; None when the stream had nothing at all."""
        row = flight.row
        async with aclosing(events):
            async for event in events:
                flight.last = event
                self.progress.event(row.number, event)
                if isinstance(event, Completed):
                    return await self._placed(flight, event.request_id, event.video.path,
                                              Outcome(row.number, "succeeded", event.request_id, None,
                                                      flight.seed, event.cost))
                if isinstance(event, Failed | Cancelled):
                    state = "failed" if isinstance(event, Failed) else "cancelled"
                    error = event.error if isinstance(event, Failed) else None
                    return self._ended(flight, Outcome(row.number, state, event.request_id, seed=flight.seed,
                                                       error=error))
        if flight.last is None:
            return None
        return Outcome(row.number, "error", flight.request_id, seed=flight.seed,
                       error="the job ended without a final state")

    async def _placed(self, flight: Flight, request_id: str, source: Path, outcome: Outcome) -> Outcome:
        """The video put in the batch folder, then the row's end journaled."""
        try:
            outcome.video = await asyncio.to_thread(self._place, flight.row, request_id, source)
        except OSError as exc:  # a full disk: the job is done and in the history; a rerun places it again
            return Outcome(flight.row.number, "error", request_id, seed=outcome.seed, cost=outcome.cost,
                           error=f"the video could not be put in {self.folder}: {exc}")
        return self._ended(flight, outcome)

    def _ended(self, flight: Flight, outcome: Outcome) -> Outcome:
        """Journal a row's end (after its video is in place): a rerun skips it."""
        self.journal.write_now(flight.row.number, flight.row.key, done=outcome.state, video=outcome.video,
                               request_id=outcome.request_id, seed=outcome.seed, cost=outcome.cost)
        return outcome

    def _place(self, row: Row, request_id: str, source: Path) -> str:
        """Put the video in the batch folder as ``row-NNN-<request id>.mp4``; its name there.

        The history keeps its own copy (the disk budget counts it): a hard link costs no space and
        survives the history pruning its copy; another disk gets a copy. With no history the file moves.
        """
        name = f"row-{row.number:03d}-{safe_name(request_id)}.mp4"
        target = self.folder / name
        target.unlink(missing_ok=True)
        if not self.store.available:
            shutil.move(str(source), str(target))
            return name
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        return name
