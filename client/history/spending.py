"""What the history says was spent: the jobs the owner's daily budget counts, and a person's day in figures.

A job's receipt carries the ``estimate`` it was sent with and whose key paid (``paid_by``); its ``cost``
comes with the result (``include_cost``). What one job counts against a budget, on the safe side:

- its recorded ``cost`` when RunComfy said it;
- nothing when it was cancelled (only a queued job can be, and a queued job is not billed);
- else its ``estimate``: it is still running, or it ended without a cost (RunComfy's billing of a
  failure is not documented, so a failure keeps counting its estimate for the day).

Offline runs are never counted (``paid_by`` 'offline' or ``offline`` set), nor visitors' own keys
('byo'). Rows written before schema 3 have no ``paid_by`` and are not counted either.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from client.history.records import CANCELLED, SUCCEEDED, UNFINISHED_STATES

COUNTED_SQL = (f"CASE WHEN cost IS NOT NULL THEN cost WHEN state = '{CANCELLED}' THEN 0 "
               "ELSE coalesce(estimate, 0) END")
PAID_SQL = "offline = 0 AND coalesce(paid_by, '') != 'offline'"


@dataclass(frozen=True)
class Spending:
    """Paid jobs since a moment: ``cost_usd`` as RunComfy billed them, ``pending_usd`` the estimates of
    those still running (their cost is not known yet), ``uncosted`` ended jobs that came with no cost."""

    jobs: int = 0
    videos: int = 0
    cost_usd: float = 0.0
    pending_usd: float = 0.0
    uncosted: int = 0

    @property
    def total_usd(self) -> float:
        """Billed plus still expected."""
        return self.cost_usd + self.pending_usd


class SpendingQueries:
    """Spend queries, mixed into :class:`~client.history.store.JobStore` (it provides ``_guard``)."""

    _guard: Callable[..., AbstractContextManager[sqlite3.Connection]]

    def spend_items(self, *, since: float, paid_by: str = "server") -> list[tuple[float, float]]:
        """``(created_at, usd)`` of each job paid by ``paid_by`` since ``since`` that counts, oldest first."""
        with self._guard() as db:
            rows = db.execute(
                f"SELECT created_at, {COUNTED_SQL} FROM jobs WHERE paid_by = ? AND created_at >= ? "  # noqa: S608
                f"AND {PAID_SQL} ORDER BY created_at", (paid_by, since)).fetchall()
        return [(float(at), float(usd)) for at, usd in rows if usd is not None and usd > 0]

    def spending(self, *, since: float, owner: str | None = None) -> Spending:
        """Paid jobs since ``since`` (all owners' with ``owner`` None), for 'today: 3 videos, $2.10'."""
        marks = ", ".join("?" for _ in UNFINISHED_STATES)
        where, args = ("AND owner = ?", (owner,)) if owner is not None else ("", ())
        # Every piece of this SQL is ours; the values go in as parameters.
        sql = ("SELECT count(*), coalesce(sum(state = ?), 0), coalesce(sum(cost), 0), "  # noqa: S608
               f"coalesce(sum(CASE WHEN cost IS NULL AND state IN ({marks}) THEN estimate END), 0), "
               f"coalesce(sum(cost IS NULL AND state NOT IN ({marks}) AND state != ?), 0) "
               f"FROM jobs WHERE created_at >= ? AND {PAID_SQL} {where}")
        with self._guard() as db:
            row = db.execute(sql, (SUCCEEDED, *UNFINISHED_STATES, *UNFINISHED_STATES, CANCELLED, since,
                                   *args)).fetchone()
        jobs, videos, cost, pending, uncosted = row
        return Spending(int(jobs), int(videos), float(cost), float(pending), int(uncosted))
