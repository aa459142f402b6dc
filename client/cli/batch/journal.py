"""The batch journal: what happened to each row, written down before it matters, so a rerun never pays twice.

One JSON object per line in ``DIR/batch-journal.jsonl``, appended and flushed to disk (``fsync``) one
line at a time, in this order for a row that is sent::

    {"row": 3, "key": "…", "event": "sending", "offline": false, "base_url": "…"}   before the submit
    {"row": 3, "key": "…", "request_id": "…", "seed": 12}                            the moment it is known
    {"row": 3, "key": "…", "done": "succeeded", "video": "row-003-….mp4", "seed": 12, "cost": 0.25}

and ``{"event": "not_sent"}`` when the submit provably never reached RunComfy (refused, or no
connection at all), or ``{"event": "withdrawn"}`` when a queued job was cancelled at Ctrl-C (nothing
billed): both let a rerun send the row again. Reading the lines in order gives each row's
:class:`Entry`. A rerun trusts it: ``done`` rows are skipped, rows with a request id are followed,
and a row left at ``sending`` (the process died while its submit was in the air) is never resent:
the job may exist, and only its request id (RunComfy's dashboard) can say.
A line cut off by a crash is skipped (and never glued to the next one).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

JOURNAL_NAME = "batch-journal.jsonl"
Status = Literal["new", "sending", "sent", "done"]


@dataclass
class Entry:
    """What the journal says of one row (one number with one content)."""

    status: Status = "new"
    request_id: str | None = None
    seed: int | None = None
    state: str | None = None  # the end state, once done
    video: str | None = None  # the video's name in the batch folder
    cost: float | None = None
    offline: bool = False  # sent to the offline preview (nothing paid; that stand-in dies with its process)
    base_url: str | None = None

    def apply(self, line: dict[str, Any]) -> None:
        """Move this row on by one journal line."""
        event = line.get("event")
        if event == "sending":
            self.status, self.request_id = "sending", None
            self.offline, self.base_url = bool(line.get("offline")), line.get("base_url")
        elif event in ("not_sent", "withdrawn"):
            self.status, self.request_id = "new", None
        elif "done" in line:
            self.status, self.state = "done", str(line["done"])
            self.video, self.cost = line.get("video"), line.get("cost")
            self.seed = line.get("seed", self.seed)
        elif line.get("request_id"):
            self.status, self.request_id, self.seed = "sent", str(line["request_id"]), line.get("seed")


def read_journal(folder: Path) -> dict[tuple[int, str], Entry]:
    """Every row the journal in ``folder`` knows, by ``(row number, row key)``; empty when there is none."""
    path = folder / JOURNAL_NAME
    entries: dict[tuple[int, str], Entry] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return entries
    for raw in text.splitlines():
        try:
            line = json.loads(raw)
            name = (int(line["row"]), str(line["key"]))
        except (ValueError, KeyError, TypeError):
            continue  # a line cut off by a crash, or not ours
        entries.setdefault(name, Entry()).apply(line)
    return entries


class Journal:
    """The journal open for appending; every ``write`` is on disk before it returns."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / JOURNAL_NAME
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        size = os.fstat(self._fd).st_size
        if size:
            with self.path.open("rb") as handle:
                handle.seek(size - 1)
                if handle.read(1) != b"\n":  # a crash cut the last line: start ours on a line of its own
                    os.write(self._fd, b"\n")

    def write_now(self, row: int, key: str, **fields: Any) -> None:
        """Append one line and flush it to disk.

        Blocking, in the event loop's own thread on purpose (a few ms): the line is on disk before the
        next step (the submit) begins, and no cancellation can fall between the two.
        """
        line = json.dumps({"row": row, "key": key, **fields, "at": round(time.time(), 3)}, ensure_ascii=False)
        # One write() of one line: O_APPEND keeps concurrent lines whole; fsync makes it survive a crash.
        os.write(self._fd, (line + "\n").encode("utf-8"))
        os.fsync(self._fd)

    def close(self) -> None:
        """Close the file (every line is already on disk)."""
        os.close(self._fd)
