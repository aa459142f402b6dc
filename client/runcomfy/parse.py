"""Turning RunComfy's JSON into small typed records, tolerantly (see shared/runcomfy-api.md).

Both success spellings (``completed`` on status, ``succeeded`` on result), ``canceled`` too,
``video`` or ``videos``, and extra fields ignored. Anything else is ``UNKNOWN``: the poll loop keeps
going until the overall deadline rather than guessing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any


class State(Enum):
    """A job's state, normalised across the status and result endpoints."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def ended(self) -> bool:
        """True for the three end states."""
        return self in (State.SUCCEEDED, State.FAILED, State.CANCELLED)


_STATES = {
    "in_queue": State.QUEUED,
    "in_progress": State.RUNNING,
    "completed": State.SUCCEEDED,
    "succeeded": State.SUCCEEDED,
    "failed": State.FAILED,
    "cancelled": State.CANCELLED,
    "canceled": State.CANCELLED,
}


def parse_state(value: Any) -> State:
    """Map a state word from either endpoint to :class:`State` (case-insensitive)."""
    return _STATES.get(str(value).strip().lower(), State.UNKNOWN) if value is not None else State.UNKNOWN


@dataclass(frozen=True)
class Submission:
    """What the submit call returned: the receipt of a paid job (its status/result/cancel URLs are
    not kept: every call is built from the base URL and the request id)."""

    request_id: str


@dataclass(frozen=True)
class JobStatus:
    """One answer of the status endpoint."""

    request_id: str
    state: State
    raw_state: str
    position: int | None = None


@dataclass(frozen=True)
class JobResult:
    """One answer of the result endpoint."""

    request_id: str
    state: State
    raw_state: str
    video_url: str | None = None
    error: str | None = None
    cost: float | None = None
    finished_at: float | None = None  # when RunComfy says the job ended (Unix time), if it says


@dataclass(frozen=True)
class CancelOutcome:
    """What the cancel call said, with a sentence for people."""

    request_id: str
    cancelled: bool
    outcome: str
    message: str


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_submission(body: dict[str, Any]) -> Submission:
    """Read the submit answer; a missing ``request_id`` is a ValueError."""
    request_id = _str_or_none(body.get("request_id"))
    if request_id is None:
        raise ValueError("the submit answer has no request_id")
    return Submission(request_id)


def parse_status(body: dict[str, Any], request_id: str) -> JobStatus:
    """Read the status answer."""
    raw = str(body.get("status", ""))
    position = body.get("queue_position")
    if isinstance(position, bool) or not isinstance(position, int | float):
        position = None
    return JobStatus(str(body.get("request_id") or request_id), parse_state(raw), raw,
                     int(position) if position is not None else None)


def first_video_url(output: Any) -> str | None:
    """The first video URL of an ``output`` object: ``video`` or ``videos[0]``."""
    if not isinstance(output, dict):
        return None
    video = _str_or_none(output.get("video"))
    if video:
        return video
    videos = output.get("videos")
    if isinstance(videos, list):
        return next((v for v in videos if _str_or_none(v)), None)
    return None


def error_text(error: Any, limit: int = 500) -> str:
    """A readable sentence from an ``error`` of any JSON type (its type is not documented)."""
    if error is None:
        return "RunComfy reported the job as failed without saying why."
    if isinstance(error, dict):
        for key in ("error_message", "message", "detail", "error"):
            if key in error:
                return error_text(error[key], limit)
    text = error if isinstance(error, str) else json.dumps(error, ensure_ascii=False)
    return text.strip()[:limit] or "RunComfy reported the job as failed without saying why."


def parse_time(value: Any) -> float | None:
    """A timestamp as Unix seconds: ISO 8601 (``2026-12-01T10:00:00.123Z``) or a number; None otherwise.

    The result's ``created_at``/``finished_at`` are documented without their format (ASSUMED: ISO
    8601, as RunComfy's clients print them); a naive time is read as UTC.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if math.isfinite(value) and value > 0 else None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def parse_result(body: dict[str, Any], request_id: str) -> JobResult:
    """Read the result answer (which, before the end, carries the current state)."""
    raw = str(body.get("status", ""))
    state = parse_state(raw)
    cost = body.get("cost")
    cost = float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None
    err = error_text(body.get("error")) if state is State.FAILED else None
    return JobResult(str(body.get("request_id") or request_id), state, raw,
                     first_video_url(body.get("output")), err, cost, parse_time(body.get("finished_at")))
