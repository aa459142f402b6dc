"""What a batch run hands back: an :class:`Outcome` per row, ``results.csv``, the JSON summary, the exit code.

States in ``results.csv`` (and the JSON summary):

- ``succeeded`` (the video is in the folder), ``failed``, ``cancelled``: the job ended at RunComfy;
  a rerun skips the row.
- ``refused``: not sent: a rule of the model (the sentence says which) or money (--max-cost, the
  balance, the daily budget). ``not_sent``: the run stopped before the row's turn (Ctrl-C, or RunComfy
  refused the key or the balance for an earlier row). A rerun sends both.
- ``error``: RunComfy refused the submit (nothing was made; a rerun sends it again), or the job was
  sent and then could not be followed to its end (timed out, video not fetched; a rerun follows it).
- ``unknown``: the submit may have reached RunComfy but no request id came back: never resent; find
  the job on RunComfy's dashboard and ``python -m client recover REQUEST_ID``.
- ``running``: interrupted while the job ran at RunComfy (it will be billed): a rerun fetches it.
  ``withdrawn``: interrupted while queued, and cancelled there (nothing billed): a rerun sends it again.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from client.cli.say import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_REFUSED

RESULTS_NAME = "results.csv"
COLUMNS = ("row", "request_id", "state", "video", "seed", "cost", "error")
ENDED = ("succeeded", "failed", "cancelled")
BAD = ("failed", "cancelled", "error", "unknown")
NOT_SENT = ("refused", "not_sent")
UNKNOWN_TEXT = ("the submit may have reached RunComfy but no request id came back, so it is not sent "
                "again: find the job on your RunComfy dashboard and recover it by id "
                "(python -m client recover REQUEST_ID)")


@dataclass
class Outcome:
    """One row's result in this run (``video``: the file's name in the batch folder)."""

    row: int
    state: str
    request_id: str | None = None
    video: str | None = None
    seed: int | None = None
    cost: float | None = None
    error: str | None = None
    skipped: bool = False  # refused and left out on purpose (--skip-invalid): not held against the exit code

    def line(self) -> str:
        """One line for people: 'row 3: succeeded  <id>  row-003-<id>.mp4'."""
        rid = f"  {self.request_id}" if self.request_id else ""
        tail = f"  {self.video}" if self.video else (f": {self.error}" if self.error else "")
        return f"row {self.row}: {self.state}{rid}{tail}"


def write_results(folder: Path, outcomes: list[Outcome]) -> Path:
    """Rewrite ``folder/results.csv`` (one line per row, in row order) in one step; its path."""
    path = folder / RESULTS_NAME
    partial = path.with_name(f".{RESULTS_NAME}.partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for item in sorted(outcomes, key=lambda o: o.row):
            cost = "" if item.cost is None else f"{item.cost:g}"
            writer.writerow([item.row, item.request_id or "", item.state, item.video or "",
                             "" if item.seed is None else item.seed, cost, item.error or ""])
    os.replace(partial, path)  # a reader never sees half a file
    return path


def exit_code(outcomes: list[Outcome], *, interrupted: bool) -> int:
    """130 interrupted; 1 when a row failed, was cancelled, errored or awaits recovery; 2 when a row
    was not sent (refused for money, or its turn never came); else 0 (rows skipped with
    --skip-invalid do not count)."""
    states = {o.state for o in outcomes if not o.skipped}
    if interrupted:
        return EXIT_INTERRUPTED
    if states & set(BAD):
        return EXIT_FAILED
    if states & set(NOT_SENT):
        return EXIT_REFUSED
    return EXIT_OK


def summary(outcomes: list[Outcome], *, folder: Path, csv_path: Path, offline: bool, interrupted: bool,
            code: int) -> dict[str, Any]:
    """The ``--json`` object: where things are, counts by state, and every row."""
    rows = []
    for item in sorted(outcomes, key=lambda o: o.row):
        data = asdict(item)
        data["video"] = str(folder / item.video) if item.video else None
        rows.append(data)
    return {"csv": str(csv_path), "out": str(folder), "results": str(folder / RESULTS_NAME),
            "counts": dict(Counter(o.state for o in outcomes)), "rows": rows, "offline": offline,
            "interrupted": interrupted, "exit_code": code}


def tally_line(outcomes: list[Outcome]) -> str:
    """'10 succeeded, 2 refused' in a stable order."""
    counts = Counter(o.state for o in outcomes)
    return ", ".join(f"{counts[state]} {state}" for state in sorted(counts, key=_order)) or "no rows"


def _order(state: str) -> tuple[int, str]:
    known = (*ENDED, "running", "withdrawn", "error", "unknown", "refused", "not_sent")
    return (known.index(state) if state in known else len(known), state)
