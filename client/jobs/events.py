"""What a running job reports, as small frozen dataclasses the UI and the CLI stream.

A job's life: ``Submitted`` (the receipt: request id and seed, before any poll) →
``Queued`` (with position, repeated when it changes) → ``InProgress`` → ``Downloading`` →
one end: ``Completed`` (with the local video), ``Failed`` or ``Cancelled``.
``elapsed`` is seconds since the run started.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from client.history import PollTally
from client.media import VideoFacts


@dataclass(frozen=True)
class Video:
    """A finished job's video, on local disk."""

    path: Path
    url: str
    facts: VideoFacts


@dataclass(frozen=True)
class Submitted:
    """The API accepted the job: its request id is the receipt of a paid job."""

    request_id: str
    seed: int
    elapsed: float = 0.0


@dataclass(frozen=True)
class Queued:
    """Waiting in RunComfy's queue (position 0 is next; None when not reported)."""

    request_id: str
    position: int | None
    elapsed: float = 0.0


@dataclass(frozen=True)
class InProgress:
    """Running on RunComfy's side; from here it can no longer be cancelled.

    ``usual_s``: how long jobs like this one usually run from here, and ``late_s``: past it, this
    one is taking longer than usual (both from the history; None until 5 such jobs have finished).
    """

    request_id: str
    elapsed: float = 0.0
    usual_s: float | None = None
    late_s: float | None = None


@dataclass(frozen=True)
class Downloading:
    """The job succeeded; its video is being fetched to local disk."""

    request_id: str
    url: str
    elapsed: float = 0.0


@dataclass(frozen=True)
class Completed:
    """The video is on local disk and probed."""

    request_id: str
    video: Video
    cost: float | None = None
    elapsed: float = 0.0
    tally: PollTally | None = None  # how its end was seen: calls, and delay after RunComfy's end


@dataclass(frozen=True)
class Failed:
    """The job ended in failure on the API's side; ``error`` is a sentence for people."""

    request_id: str
    error: str
    elapsed: float = 0.0
    tally: PollTally | None = None


@dataclass(frozen=True)
class Cancelled:
    """The job was cancelled while queued (nothing billed)."""

    request_id: str
    elapsed: float = 0.0
    tally: PollTally | None = None


Event = Submitted | Queued | InProgress | Downloading | Completed | Failed | Cancelled
END_EVENTS = (Completed, Failed, Cancelled)
