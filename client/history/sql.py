"""The job history's SQL: two tables, and rows read back into records.

``jobs`` holds one row per paid job (the receipt: request id, what was asked, where the video is);
``events`` holds every state change with its time, in order. No column can hold a token: the only
link to the API kept is its base URL, and the input image is kept as a small JPEG thumbnail (never
the data URI that was sent).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from client.history.records import JobEvent, JobRecord, unavailable
from client.media import VideoFacts

SCHEMA_VERSION = 3
DB_NAME = "jobs.db"
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
    base_url     TEXT NOT NULL DEFAULT '',
    finished_at  REAL,
    calls        INTEGER,
    seen_after_s REAL,
    estimate     REAL,
    parent_id    TEXT,
    paid_by      TEXT
);
-- History pages: newest first, for one owner or for everyone.
CREATE INDEX IF NOT EXISTS jobs_parent ON jobs (parent_id);
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

# What each version adds to the one before (a new database gets SCHEMA_SQL whole).
MIGRATIONS = {
    # When RunComfy says the job ended, how many status/result calls it took us, and how long after
    # the end we saw it: what the poll schedule learns from (client.jobs.durations).
    2: "ALTER TABLE jobs ADD COLUMN finished_at REAL;\nALTER TABLE jobs ADD COLUMN calls INTEGER;\n"
       "ALTER TABLE jobs ADD COLUMN seen_after_s REAL;",
    # What the run was expected to cost when it was sent (the daily budget counts it until the real
    # cost is known), the job it continues from (a story), and whose key paid: 'server', 'byo'
    # (a visitor's own key) or 'offline' (nobody).
    3: "ALTER TABLE jobs ADD COLUMN estimate REAL;\nALTER TABLE jobs ADD COLUMN parent_id TEXT;\n"
       "ALTER TABLE jobs ADD COLUMN paid_by TEXT;\n"
       "CREATE INDEX IF NOT EXISTS jobs_parent ON jobs (parent_id);",
}

JOB_COLUMNS = (
    "request_id, owner, model, prompt, seed, frames, image_thumb, image_url, state, created_at, "
    "updated_at, video_url, video_path, video_pruned, duration_s, video_frames, fps, width, height, "
    "size_bytes, error, cost, offline, base_url, finished_at, calls, seen_after_s, estimate, parent_id, "
    "paid_by"
)


def record_from_row(row: tuple[Any, ...]) -> JobRecord:
    """A :class:`JobRecord` from a row selected with :data:`JOB_COLUMNS`."""
    (rid, owner, model, prompt, seed, frames, thumb, image_url, state, created, updated, video_url,
     video_path, pruned, duration, vframes, fps, width, height, size, error, cost, offline, base, finished_at,
     calls, seen_after, estimate, parent_id, paid_by) = row
    facts = None
    if duration is not None and vframes is not None:
        facts = VideoFacts(duration, vframes, fps or 0.0, width or 0, height or 0, size or 0)
    return JobRecord(rid, owner, model, prompt, seed, frames, state, created, updated, thumb, image_url,
                     video_url, Path(video_path) if video_path else None, bool(pruned), facts, error, cost,
                     bool(offline), base, finished_at, calls, seen_after, estimate, parent_id, paid_by)


def event_from_row(row: tuple[Any, ...]) -> JobEvent:
    """A :class:`JobEvent` from ``(request_id, state, at, detail)``."""
    rid, state, at, detail = row
    try:
        parsed = json.loads(detail) if detail else {}
    except ValueError:
        parsed = {}  # a hand-edited row must not break the history page
    return JobEvent(rid, state, at, parsed if isinstance(parsed, dict) else {})


def connect_database(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """A connection to the history at ``path``, created or migrated to this version's tables.

    Any sqlite3 error (locked, damaged, read-only, newer schema) leaves as ``StoreUnavailable``.
    """
    try:
        db = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise unavailable(path, exc) from None
    try:
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        db.execute("PRAGMA journal_mode = WAL")  # may stay "delete" on filesystems without WAL
        # FULL, not NORMAL: a receipt must also survive a power cut or a killed VM, and a job
        # writes a handful of rows per minute, so an fsync per commit costs nothing that shows.
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"made by a newer version of this app (schema {version})")
        if version < SCHEMA_VERSION:
            later = range(version + 1, SCHEMA_VERSION + 1)
            steps = [SCHEMA_SQL] if version == 0 else [MIGRATIONS[v] for v in later]
            db.executescript(f"BEGIN IMMEDIATE;\n{''.join(steps)}\nPRAGMA user_version = {SCHEMA_VERSION};\n"
                             "COMMIT;")
    except sqlite3.Error as exc:
        db.close()
        raise unavailable(path, exc) from None
    return db
