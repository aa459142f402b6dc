"""The job history's shape: SQL schema, the record types it reads into, and its one error.

Two tables. ``jobs`` holds one row per paid job (the receipt: request id, what was asked, where the
video is); ``events`` holds every state change with its time, in order. No column can hold a token:
the only link to the API kept is its base URL, and the input image is kept as a small JPEG thumbnail
(never the data URI that was sent).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client.errors import RunComfyError
from client.events import VideoFacts

SCHEMA_VERSION = 1
DB_NAME = "jobs.db"
LOCAL_OWNER = "local"
"""The owner the CLI and a single-user app record under (``list_jobs(owner=None)`` sees everyone)."""

# Job states as recorded. "downloading" means the API said succeeded and gave a URL; "succeeded" is
# written once the video is on local disk (or the download was given up on, then video_path is NULL).
SUBMITTED, QUEUED, RUNNING, DOWNLOADING = "submitted", "queued", "running", "downloading"
SUCCEEDED, FAILED, CANCELLED, LOST = "succeeded", "failed", "cancelled", "lost"
JOB_STATES = frozenset({SUBMITTED, QUEUED, RUNNING, DOWNLOADING, SUCCEEDED, FAILED, CANCELLED, LOST})
UNFINISHED_STATES = (SUBMITTED, QUEUED, RUNNING, DOWNLOADING)
END_STATES = frozenset({SUCCEEDED, FAILED, CANCELLED, LOST})
# Events that annotate a job without changing its state.
PRUNED, NOTE = "pruned", "note"

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS jobs (
    request_id   TEXT PRIMARY KEY,
    owner        TEXT NOT NULL,
    model        TEXT NOT NULL,
    prompt       TEXT NOT NULL DEFAULT '',
    seed         INTEGER,
    frames       INTEGER,
    image_thumb  BLOB,
    image_url    TEXT,
    state        TEXT NOT NULL,
    created_at   REAL NOT NULL,
    updated_at   REAL NOT NULL,
    video_url    TEXT,
    video_path   TEXT,
    video_pruned INTEGER NOT NULL DEFAULT 0,
    duration_s   REAL,
    video_frames INTEGER,
    fps          REAL,
    width        INTEGER,
    height       INTEGER,
    size_bytes   INTEGER,
    error        TEXT,
    cost         REAL,
    offline      INTEGER NOT NULL DEFAULT 0,
    base_url     TEXT NOT NULL DEFAULT ''
);
-- History pages: newest first, for one owner or for everyone.
CREATE INDEX IF NOT EXISTS jobs_owner_created ON jobs (owner, created_at DESC);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at DESC);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
CREATE TABLE IF NOT EXISTS events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL REFERENCES jobs (request_id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    at         REAL NOT NULL,
    detail     TEXT
);
CREATE INDEX IF NOT EXISTS events_request ON events (request_id, id);
"""

JOB_COLUMNS = (
    "request_id, owner, model, prompt, seed, frames, image_thumb, image_url, state, created_at, "
    "updated_at, video_url, video_path, video_pruned, duration_s, video_frames, fps, width, height, "
    "size_bytes, error, cost, offline, base_url"
)


class StoreUnavailable(RunComfyError):
    """The job history cannot be read or written; generation still works without it."""


@dataclass(frozen=True)
class JobRecord:
    """One job as the history knows it."""

    request_id: str
    owner: str
    model: str
    prompt: str
    seed: int | None
    frames: int | None
    state: str
    created_at: float
    updated_at: float
    image_thumb: bytes | None = field(default=None, repr=False)
    image_url: str | None = None
    video_url: str | None = None
    video_path: Path | None = None
    video_pruned: bool = False
    facts: VideoFacts | None = None
    error: str | None = None
    cost: float | None = None
    offline: bool = False
    base_url: str = ""

    @property
    def ended(self) -> bool:
        """True once the job reached an end state (its video may still need fetching)."""
        return self.state in END_STATES

    @property
    def has_local_video(self) -> bool:
        """True when a kept copy is recorded and was not pruned (the file may still be gone)."""
        return self.video_path is not None and not self.video_pruned

    @property
    def needs_resume(self) -> bool:
        """Not ended yet, or succeeded without a local copy ever made."""
        return self.state in UNFINISHED_STATES or (self.state == SUCCEEDED and self.video_path is None
                                                   and not self.video_pruned)


@dataclass(frozen=True)
class JobEvent:
    """One recorded state change (or note) of a job, in the order it happened."""

    request_id: str
    state: str
    at: float
    detail: dict[str, Any] = field(default_factory=dict)


def record_from_row(row: tuple[Any, ...]) -> JobRecord:
    """A :class:`JobRecord` from a row selected with :data:`JOB_COLUMNS`."""
    (rid, owner, model, prompt, seed, frames, thumb, image_url, state, created, updated, video_url,
     video_path, pruned, duration, vframes, fps, width, height, size, error, cost, offline, base) = row
    facts = None
    if duration is not None and vframes is not None:
        facts = VideoFacts(duration, vframes, fps or 0.0, width or 0, height or 0, size or 0)
    return JobRecord(rid, owner, model, prompt, seed, frames, state, created, updated, thumb, image_url,
                     video_url, Path(video_path) if video_path else None, bool(pruned), facts, error, cost,
                     bool(offline), base)


def event_from_row(row: tuple[Any, ...]) -> JobEvent:
    """A :class:`JobEvent` from ``(request_id, state, at, detail)``."""
    rid, state, at, detail = row
    try:
        parsed = json.loads(detail) if detail else {}
    except ValueError:
        parsed = {}  # a hand-edited row must not break the history page
    return JobEvent(rid, state, at, parsed if isinstance(parsed, dict) else {})


def unavailable(path: Path, exc: BaseException) -> StoreUnavailable:
    """One actionable sentence for why the history at ``path`` cannot be used."""
    reason = str(exc) or type(exc).__name__
    low = reason.lower()
    where = f"The job history at {path}"
    tail = " Generation still works meanwhile; new jobs are just not remembered."
    if "locked" in low or "busy" in low:
        text = (f"{where} is locked by another program ({reason}). Close other copies of the app or CLI "
                "that use it, or set RUNCOMFY_DATA_DIR to another folder.")
    elif "not a database" in low or "malformed" in low or "corrupt" in low:
        text = (f"{where} is damaged ({reason}). Move it aside (for example rename it to "
                f"{path.name}.broken) and restart: a new, empty history will be created.")
    elif "readonly" in low or "read-only" in low or "permission" in low or "unable to open" in low:
        text = (f"{where} cannot be opened for writing ({reason}). Check the folder's permissions, or set "
                "RUNCOMFY_DATA_DIR to a writable folder.")
    else:
        text = f"{where} cannot be used ({reason}). Check the disk, or set RUNCOMFY_DATA_DIR elsewhere."
    return StoreUnavailable(text + tail)
