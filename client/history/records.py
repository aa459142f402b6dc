"""What the job history remembers: a job's states, its record, its events, and the history's one error."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client.media import VideoFacts

LOCAL_OWNER = "local"
"""The owner the CLI and a single-user app record under (``list_jobs(owner=None)`` sees everyone)."""

# Job states as recorded. "downloading" means the API said succeeded and gave a URL; "succeeded" is
# written once the video is on local disk (or the download was given up on, then video_path is NULL).
SUBMITTED, QUEUED, RUNNING, DOWNLOADING = "submitted", "queued", "running", "downloading"
SUCCEEDED, FAILED, CANCELLED, LOST = "succeeded", "failed", "cancelled", "lost"
JOB_STATES = frozenset({SUBMITTED, QUEUED, RUNNING, DOWNLOADING, SUCCEEDED, FAILED, CANCELLED, LOST})
UNFINISHED_STATES = (SUBMITTED, QUEUED, RUNNING, DOWNLOADING)
END_STATES = frozenset({SUCCEEDED, FAILED, CANCELLED, LOST})
ENDED_BADLY = frozenset({FAILED, CANCELLED, LOST})
"""End states without a video: nothing to fetch again, nothing to wait for."""
# Events that annotate a job without changing its state.
PRUNED, NOTE = "pruned", "note"


class StoreUnavailable(Exception):
    """The job history cannot be read or written; generation still works without it.

    Not an API error: the history is this machine's disk, and a job goes on without it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PollTally:
    """How a job's end was seen: the status/result calls it took, when RunComfy says it ended (Unix
    time, if it says), and how long after that we saw it."""

    calls: int
    finished_at: float | None = None
    seen_after_s: float | None = None


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
    finished_at: float | None = None  # when RunComfy said the job ended (Unix time)
    calls: int | None = None  # status and result calls it took to see the end
    seen_after_s: float | None = None  # how long after ``finished_at`` we saw it
    estimate: float | None = None  # USD expected when it was sent (None: offline, or no price)
    parent_id: str | None = None  # the job whose last frame this one continues (a story)
    paid_by: str | None = None  # 'server', 'byo' (a visitor's key) or 'offline'; None before schema 3

    @property
    def ended(self) -> bool:
        """True once the job reached an end state (its video may still need fetching)."""
        return self.state in END_STATES

    @property
    def has_local_video(self) -> bool:
        """True when a kept copy is recorded and was not pruned (the file may still be gone)."""
        return self.video_path is not None and not self.video_pruned


@dataclass(frozen=True)
class JobEvent:
    """One recorded state change (or note) of a job, in the order it happened."""

    request_id: str
    state: str
    at: float
    detail: dict[str, Any] = field(default_factory=dict)


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
