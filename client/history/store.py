"""The job history: an embedded SQLite store (WAL) shared by the app and the CLI. No server needed.

    store = open_store(settings.data_dir)         # JobStore, or NullStore (one warning) if unusable
    store.add_submitted(request_id, owner=..., model=..., prompt=..., seed=..., frames=..., ...)
    store.add_event(request_id, "queued", position=3)
    store.list_jobs(owner="browser-123")            # newest first; owner=None = everyone's

Why these choices: WAL lets the app's readers and one writer (app or CLI) work at once;
``busy_timeout`` waits out the other process's short writes instead of failing; one connection per
store guarded by a lock serialises this process's writes (SQLite allows one writer anyway), so twenty
jobs recording at once lose nothing. Writes open with ``BEGIN IMMEDIATE`` so a busy database is
waited for up front rather than failing halfway through a transaction. Every sqlite3 error leaves
as :class:`StoreUnavailable`, one sentence saying what to do.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from client.history.null import NullStore
from client.history.records import (
    DOWNLOADING,
    JOB_STATES,
    LOCAL_OWNER,
    PRUNED,
    RUNNING,
    SUCCEEDED,
    UNFINISHED_STATES,
    JobEvent,
    JobRecord,
    PollTally,
    StoreUnavailable,
    unavailable,
)
from client.history.spending import SpendingQueries
from client.history.sql import DB_NAME, JOB_COLUMNS, connect_database, event_from_row, record_from_row
from client.history.stories import StoryQueries
from client.media import VideoFacts

log = logging.getLogger(__name__)
DB_SUFFIXES = (".db", ".sqlite", ".sqlite3")


class JobStore(SpendingQueries, StoryQueries):
    """The job history in one SQLite file. Thread-safe; use :meth:`open`."""

    available = True
    problem: str | None = None

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: str | Path, *, busy_timeout_s: float = 5.0) -> JobStore:
        """Open (creating if needed) the store at ``path`` (a file, or a folder to hold ``jobs.db``)."""
        path = Path(path)
        if not path.is_file() and path.suffix.lower() not in DB_SUFFIXES:
            path = path / DB_NAME  # a data folder (existing or not), as settings give it
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise unavailable(path, exc) from None
        return cls(path, connect_database(path, busy_timeout_s))

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> JobStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"JobStore({str(self.path)!r})"

    @contextmanager
    def _guard(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """Run under the lock; a write is one transaction; any sqlite3 error -> StoreUnavailable."""
        with self._lock:
            try:
                if write:
                    self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                if write:
                    self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise unavailable(self.path, exc) from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        # A failed COMMIT (busy, disk full) leaves the transaction open: never leave it for the next write.
        try:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
        except sqlite3.Error:
            log.debug("rollback failed", exc_info=True)

    # -- writes ------------------------------------------------------------------------------

    def add_submitted(
        self,
        request_id: str,
        *,
        owner: str = LOCAL_OWNER,
        model: str,
        prompt: str,
        seed: int | None,
        frames: int | None,
        image_thumb: bytes | None = None,
        image_url: str | None = None,
        offline: bool = False,
        base_url: str = "",
        at: float | None = None,
        estimate: float | None = None,
        parent_id: str | None = None,
        paid_by: str | None = None,
    ) -> None:
        """Write a job's row and its ``submitted`` event (before the first poll).

        Recording the same id twice (a recover of a known job) keeps the first row.
        """
        at = time.time() if at is None else at
        with self._guard(write=True) as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO jobs (request_id, owner, model, prompt, seed, frames, image_thumb, "
                "image_url, state, created_at, updated_at, offline, base_url, estimate, parent_id, paid_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?, ?, ?, ?, ?)",
                (request_id, owner, model, prompt, seed, frames, image_thumb, image_url, at, at,
                 int(offline), base_url, estimate, parent_id, paid_by)).rowcount
            if inserted:
                db.execute("INSERT INTO events (request_id, state, at, detail) VALUES (?, 'submitted', ?, ?)",
                           (request_id, at, json.dumps({"seed": seed})))

    def add_event(
        self,
        request_id: str,
        state: str,
        at: float | None = None,
        *,
        position: int | None = None,
        video_url: str | None = None,
        video_path: Path | str | None = None,
        facts: VideoFacts | None = None,
        error: str | None = None,
        cost: float | None = None,
        note: str | None = None,
        tally: PollTally | None = None,
    ) -> bool:
        """Record one event; job states (see ``JOB_STATES``) also become the row's state.

        Given fields update the row (None leaves a column as it was). Returns False when the job is
        not in the store (e.g. deleted while it ran): nothing is written then.
        """
        at = time.time() if at is None else at
        updates: dict[str, Any] = {"updated_at": at}
        if state in JOB_STATES:
            updates["state"] = state
        if video_path is not None:
            updates.update(video_path=str(video_path), video_pruned=0)
        if facts is not None:
            updates.update(duration_s=facts.duration_s, video_frames=facts.frames, fps=facts.fps,
                           width=facts.width, height=facts.height, size_bytes=facts.size_bytes)
        if tally is not None:
            updates.update(calls=tally.calls, finished_at=tally.finished_at, seen_after_s=tally.seen_after_s)
        updates.update({k: v for k, v in (("video_url", video_url), ("error", error), ("cost", cost))
                        if v is not None})
        detail = {k: v for k, v in (("position", position), ("url", video_url), ("error", error),
                                    ("cost", cost), ("note", note)) if v is not None}
        if video_path is not None:
            detail["path"] = str(video_path)
        sets = ", ".join(f"{column} = ?" for column in updates)  # column names are ours, not input
        with self._guard(write=True) as db:
            changed = db.execute(f"UPDATE jobs SET {sets} WHERE request_id = ?",  # noqa: S608
                                 (*updates.values(), request_id)).rowcount
            if changed:
                db.execute("INSERT INTO events (request_id, state, at, detail) VALUES (?, ?, ?, ?)",
                           (request_id, state, at, json.dumps(detail) if detail else None))
        return bool(changed)

    def mark_pruned(self, request_id: str, *, reason: str = "disk budget") -> None:
        """Say the local copy is gone (the record, URL and facts stay)."""
        at = time.time()
        with self._guard(write=True) as db:
            if db.execute("UPDATE jobs SET video_pruned = 1, updated_at = ? WHERE request_id = ?",
                          (at, request_id)).rowcount:
                db.execute("INSERT INTO events (request_id, state, at, detail) VALUES (?, ?, ?, ?)",
                           (request_id, PRUNED, at, json.dumps({"note": reason})))

    def delete(self, request_id: str, owner: str | None) -> bool:
        """Delete a job's record and its events, if ``owner`` owns it (its files: ``JobFiles.delete``).

        ``owner=None`` is the single-user local run (any job). Returns False when there is no such
        job for that owner (another owner's job is indistinguishable from a missing one).
        """
        with self._guard(write=True) as db:
            row = db.execute("SELECT owner FROM jobs WHERE request_id = ?", (request_id,)).fetchone()
            if row is None or (owner is not None and row[0] != owner):
                return False
            db.execute("DELETE FROM jobs WHERE request_id = ?", (request_id,))
        return True

    # -- reads -------------------------------------------------------------------------------

    def get(self, request_id: str, owner: str | None = None) -> JobRecord | None:
        """One job, or None (also when ``owner`` is given and is not the job's)."""
        with self._guard() as db:
            row = db.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE request_id = ?",  # noqa: S608
                             (request_id,)).fetchone()
        record = record_from_row(row) if row else None
        if record is not None and owner is not None and record.owner != owner:
            return None
        return record

    def list_jobs(self, owner: str | None = None, limit: int = 100, offset: int = 0) -> list[JobRecord]:
        """Jobs newest first; ``owner=None`` lists everyone's (single-user local run)."""
        where, args = ("WHERE owner = ?", (owner,)) if owner is not None else ("", ())
        with self._guard() as db:
            rows = db.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs {where} ORDER BY created_at DESC LIMIT ? OFFSET ?",  # noqa: S608
                (*args, max(0, limit), max(0, offset))).fetchall()
        return [record_from_row(row) for row in rows]

    def count(self, owner: str | None = None) -> int:
        """How many jobs (for paging)."""
        where, args = ("WHERE owner = ?", (owner,)) if owner is not None else ("", ())
        with self._guard() as db:
            return int(db.execute(f"SELECT count(*) FROM jobs {where}", args).fetchone()[0])  # noqa: S608

    def events(self, request_id: str) -> list[JobEvent]:
        """A job's events, oldest first."""
        with self._guard() as db:
            rows = db.execute("SELECT request_id, state, at, detail FROM events WHERE request_id = ? "
                              "ORDER BY id", (request_id,)).fetchall()
        return [event_from_row(row) for row in rows]

    def unfinished(self) -> list[JobRecord]:
        """Jobs to resume, oldest first: not ended, or succeeded with no local copy ever made."""
        marks = ", ".join("?" for _ in UNFINISHED_STATES)
        with self._guard() as db:
            rows = db.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE state IN ({marks}) "  # noqa: S608
                "OR (state = ? AND video_path IS NULL AND video_pruned = 0) ORDER BY created_at",
                (*UNFINISHED_STATES, SUCCEEDED)).fetchall()
        return [record_from_row(row) for row in rows]

    def run_times(self, *, base_url: str, model: str, frames: int, limit: int = 40) -> list[float]:
        """Seconds from first seen running to the end, of the newest finished jobs of this kind.

        The end is RunComfy's ``finished_at`` where it said it, else the moment we saw it; only
        succeeded jobs count (a failure or a cancel says nothing about how long a video takes).
        """
        with self._guard() as db:
            rows = db.execute(
                "SELECT coalesce(j.finished_at, (SELECT min(at) FROM events WHERE request_id = j.request_id "
                "AND state IN (?, ?))) - (SELECT min(at) FROM events "
                "WHERE request_id = j.request_id AND state = ?) FROM jobs j WHERE j.base_url = ? "
                "AND j.model = ? AND j.frames = ? AND j.state = ? ORDER BY j.created_at DESC LIMIT ?",
                (DOWNLOADING, SUCCEEDED, RUNNING, base_url, model, frames, SUCCEEDED, max(0, limit)),
            ).fetchall()
        return [float(seconds) for (seconds,) in rows if seconds is not None and seconds > 0]

    def local_videos(self) -> list[tuple[str, Path]]:
        """``(request_id, path)`` of every kept, unpruned copy, oldest job first (the budget's order)."""
        with self._guard() as db:
            rows = db.execute("SELECT request_id, video_path FROM jobs WHERE video_path IS NOT NULL "
                              "AND video_pruned = 0 ORDER BY created_at").fetchall()
        return [(rid, Path(path)) for rid, path in rows]


AnyStore = JobStore | NullStore


def open_store(path: str | Path, *, busy_timeout_s: float = 5.0) -> AnyStore:
    """:meth:`JobStore.open`, or a :class:`NullStore` after logging one warning (history degraded).

    The one way the app and the CLI open the history: a damaged, locked or read-only database never
    stops a generation; ``store.problem`` then says what to do.
    """
    try:
        return JobStore.open(path, busy_timeout_s=busy_timeout_s)
    except StoreUnavailable as exc:
        log.warning("job history disabled: %s", exc)
        return NullStore(exc.message)
