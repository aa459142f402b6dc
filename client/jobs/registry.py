"""The jobs of this process: the history they are recorded in, and who follows which one.

One :class:`Registry` per app (made by ``app.py`` or a test), never one per module: two apps (or two
tests) never share it. It holds the store opened once (a ``JobStore``, or a ``NullStore`` when the
database is damaged or locked: history degraded, generation untouched), the files beside each job,
and whether the app is shared (each browser sees only its own jobs; see ``client.history.ids``).

Who follows what: a request id is followed by at most one task of this process at a time (a page's
job, the start-up resume, a recover by id). A second follower would download into the same file at
the same time, and a job still followed must not be deleted (its receipt must outlive the run).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from client.history import AnyStore, JobFiles, NullStore, listing_owner, recording_owner
from client.jobs.connect import Connection
from client.jobs.resume import ResumeOutcome, resume_jobs

log = logging.getLogger(__name__)


class Registry:
    """The history of this process's jobs, as the page and the start-up resume use it."""

    def __init__(self, store: AnyStore | None, files: JobFiles, *, shared: bool = False) -> None:
        self.store: AnyStore = store if store is not None else NullStore("no job history was configured")
        self.files = files
        self.shared = shared
        self._followed: set[str] = set()

    @property
    def available(self) -> bool:
        """False in degraded mode (the database could not be opened)."""
        return bool(self.store.available)

    @property
    def problem(self) -> str | None:
        """Why the history is off, for a banner (None when it works)."""
        return None if self.available else self.store.problem

    def recording_owner(self, browser_owner: Any) -> str:
        """Whose name a job is recorded under (``browser_owner`` None: a ``/generate`` caller)."""
        return recording_owner(browser_owner, shared=self.shared)

    def listing_owner(self, browser_owner: Any) -> str | None:
        """The owner filter of ``list_jobs``/``get``/``delete``: None (everyone) on a local run."""
        return listing_owner(browser_owner, shared=self.shared)

    # -- who follows what ---------------------------------------------------------------------------

    def follow(self, request_id: str) -> bool:
        """Claim ``request_id`` for one follower; False when another task already follows it."""
        if request_id in self._followed:
            return False
        self._followed.add(request_id)
        return True

    def release(self, request_id: str) -> None:
        """The follower is done with ``request_id``."""
        self._followed.discard(request_id)

    def is_followed(self, request_id: str) -> bool:
        """True while a task of this process follows the job (it will finish into the history)."""
        return request_id in self._followed

    @contextmanager
    def claim(self, request_id: str) -> Iterator[bool]:
        """``with registry.claim(rid) as mine:`` follow only if ``mine``; released at the end if it was."""
        mine = self.follow(request_id)
        try:
            yield mine
        finally:
            if mine:
                self.release(request_id)

    # -- start-up -------------------------------------------------------------------------------------

    async def resume_at_start(self, conn: Connection, *, concurrency: int = 4) -> list[ResumeOutcome]:
        """Follow every unfinished job to its end in the background, after a restart.

        Uses the connection's own key (the server's, or the offline stand-in, whose forgotten jobs
        are marked lost). Jobs made with a visitor's key stay pending (the key is gone with the
        old process); the visitor finishes them with "Retry download" after adding the key again.
        """
        if not self.available:
            return []
        try:
            outcomes = await resume_jobs(conn, self.store, files=self.files, concurrency=concurrency,
                                         claim=self.claim)
        except Exception:  # a background task: a failure is logged, never raised into the void
            log.warning("resuming jobs at start failed", exc_info=True)
            return []
        for outcome in outcomes:
            log.info("resumed %s: %s (%s)", outcome.request_id, outcome.state, outcome.message)
        return outcomes
