"""Stories: chains of jobs, each continuing its parent's last frame (``parent_id``), read from the history.

    store.story_of(rid)          # root .. rid, oldest first: what ``stitch`` joins
    store.children_of(rid)       # the jobs that continue rid (more than one: branches)
    store.list_stories(owner)    # one entry per story, newest first, for the history page

A story is named by its last clip: ``story_of(leaf)``. Continuing a clip that was already continued
starts a branch, a new story sharing the clips up to that point, so a clip can appear in several
stories. A job nobody continued and that continues nothing is a story of one clip.

A mixin of :class:`~client.history.store.JobStore` (it uses the store's ``_guard``); the degraded
:class:`~client.history.null.NullStore` answers the same names with empties.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager

from client.history.records import JobRecord
from client.history.sql import JOB_COLUMNS, record_from_row

# A chain is walked at most this far up: no real story is this long, and a loop made by hand-editing
# the database ends here instead of running forever.
MAX_CLIPS = 500
# Only our own column names and a constant are put into it; the request id is a parameter.
_CHAIN = (
    "WITH RECURSIVE chain(rid, up, depth) AS ("  # noqa: S608
    " SELECT request_id, parent_id, 0 FROM jobs WHERE request_id = ?"
    " UNION ALL SELECT j.request_id, j.parent_id, c.depth + 1 FROM jobs j JOIN chain c ON j.request_id = c.up"
    f" WHERE c.depth < {MAX_CLIPS - 1}) "
    f"SELECT {JOB_COLUMNS} FROM jobs JOIN chain ON jobs.request_id = chain.rid ORDER BY chain.depth"
)


class StoryQueries:
    """Story queries, mixed into :class:`~client.history.store.JobStore` (it provides ``_guard``)."""

    _guard: Callable[..., AbstractContextManager[sqlite3.Connection]]  # the store's own

    def story_of(self, request_id: str, owner: str | None = None) -> list[JobRecord]:
        """The clips from the story's first to ``request_id``, in order ([] when it is unknown).

        With ``owner`` the job must be theirs, and the chain stops below a clip of someone else.
        """
        with self._guard() as db:
            rows = db.execute(_CHAIN, (request_id,)).fetchall()
        chain: list[JobRecord] = []
        seen: set[str] = set()
        for record in map(record_from_row, rows):  # this job first, then up
            if record.request_id in seen or (owner is not None and record.owner != owner):
                break
            seen.add(record.request_id)
            chain.append(record)
        return chain[::-1]

    def children_of(self, request_id: str, owner: str | None = None) -> list[JobRecord]:
        """The jobs that continue ``request_id``, oldest first."""
        where, args = ("AND owner = ?", (owner,)) if owner is not None else ("", ())
        with self._guard() as db:
            rows = db.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE parent_id = ? {where} "  # noqa: S608
                              "ORDER BY created_at", (request_id, *args)).fetchall()
        return [record_from_row(row) for row in rows]

    def _leaves(self, owner: str | None, limit: int, offset: int) -> list[str]:
        where, args = ("AND j.owner = ?", (owner,)) if owner is not None else ("", ())
        with self._guard() as db:
            rows = db.execute(
                "SELECT j.request_id FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM jobs c "  # noqa: S608
                f"WHERE c.parent_id = j.request_id AND c.owner = j.owner) {where} "
                "ORDER BY j.created_at DESC LIMIT ? OFFSET ?",
                (*args, max(0, limit), max(0, offset))).fetchall()
        return [rid for (rid,) in rows]

    def list_stories(self, owner: str | None = None, limit: int = 50,
                     offset: int = 0) -> list[list[JobRecord]]:
        """One story per clip nobody continued, newest first, each its clips in order (root first)."""
        return [story for rid in self._leaves(owner, limit, offset) if (story := self.story_of(rid, owner))]

    def count_stories(self, owner: str | None = None) -> int:
        """How many stories (for paging): the clips nobody continued."""
        where, args = ("AND j.owner = ?", (owner,)) if owner is not None else ("", ())
        with self._guard() as db:
            return int(db.execute(
                "SELECT count(*) FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM jobs c "  # noqa: S608
                f"WHERE c.parent_id = j.request_id AND c.owner = j.owner) {where}", args).fetchone()[0])
