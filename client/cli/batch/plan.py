"""What a batch run will do with each row, decided before anything is sent: skip it (finished), follow it
(sent before, its request id is known), leave it for recovery (its submit may have reached RunComfy),
or check it and send it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from client.cli.batch.journal import Entry
from client.cli.batch.report import UNKNOWN_TEXT, Outcome
from client.cli.batch.rows import Checked, Row, check_rows


@dataclass
class Plan:
    """Every non-blank row, sorted by what this run does with it."""

    finished: list[Outcome] = field(default_factory=list)
    follow: list[tuple[Row, Entry]] = field(default_factory=list)
    uncertain: list[Outcome] = field(default_factory=list)
    send: list[Checked] = field(default_factory=list)
    refused: list[tuple[Row, str]] = field(default_factory=list)

    def settled(self, *, skipped: bool) -> list[Outcome]:
        """The outcomes known before the run: finished rows, rows awaiting recovery, refused rows."""
        refused = [Outcome(row.number, "refused", error=text, skipped=skipped) for row, text in self.refused]
        return [*self.finished, *self.uncertain, *refused]


def plan_batch(rows: list[Row], journal: dict[tuple[int, str], Entry]) -> Plan:
    """Sort ``rows`` by the ``journal`` (see :mod:`.journal`); the rows to send are checked here."""
    plan = Plan()
    fresh: list[Row] = []
    for row in rows:
        entry = journal.get((row.number, row.key))
        if entry is None or entry.status == "new":
            fresh.append(row)
        elif entry.status == "done":
            plan.finished.append(Outcome(row.number, entry.state or "succeeded", entry.request_id,
                                         entry.video, entry.seed, entry.cost))
        elif entry.offline:
            # The offline preview's stand-in lived in the process that died: nothing was paid, send again.
            fresh.append(row)
        elif entry.status == "sent":
            plan.follow.append((row, entry))
        else:  # "sending" and no request id: it may exist at RunComfy, and sending again could pay twice
            plan.uncertain.append(Outcome(row.number, "unknown", error=UNKNOWN_TEXT))
    plan.send, plan.refused = check_rows(fresh)
    return plan
