"""What is remembered: the job history (SQLite), its records and states, and the files beside each job.

    store = open_store(settings.data_dir)      # JobStore, or NullStore (one warning) if unusable
    store.add_submitted(request_id, owner=..., model=..., prompt=..., seed=..., frames=...)
    store.add_event(request_id, "queued", position=3)
    store.list_jobs(owner="browser-123")         # newest first; owner=None = everyone's
    files = JobFiles.under(outputs_dir, data_dir, budget_mb=5000)
    files.delete(store, job, owner)              # the record, the video, the poster, the picture

Never imports the API client, the job runner or the page: it only keeps what they tell it.
"""

from client.history.files import JobFiles, enforce_budget, safe_name, video_file
from client.history.ids import (
    API_OWNER,
    NOBODY,
    clean_request_id,
    listing_owner,
    new_owner_id,
    recording_owner,
    valid_owner,
)
from client.history.null import NullStore
from client.history.records import (
    CANCELLED,
    DOWNLOADING,
    END_STATES,
    ENDED_BADLY,
    FAILED,
    JOB_STATES,
    LOCAL_OWNER,
    LOST,
    NOTE,
    PRUNED,
    QUEUED,
    RUNNING,
    SUBMITTED,
    SUCCEEDED,
    UNFINISHED_STATES,
    JobEvent,
    JobRecord,
    PollTally,
    StoreUnavailable,
)
from client.history.spending import Spending
from client.history.sql import DB_NAME, JOB_COLUMNS
from client.history.store import AnyStore, JobStore, open_store

__all__ = [
    "API_OWNER",
    "CANCELLED",
    "DB_NAME",
    "DOWNLOADING",
    "ENDED_BADLY",
    "END_STATES",
    "FAILED",
    "JOB_COLUMNS",
    "JOB_STATES",
    "LOCAL_OWNER",
    "LOST",
    "NOBODY",
    "NOTE",
    "PRUNED",
    "QUEUED",
    "RUNNING",
    "SUBMITTED",
    "SUCCEEDED",
    "UNFINISHED_STATES",
    "AnyStore",
    "JobEvent",
    "JobFiles",
    "JobRecord",
    "JobStore",
    "NullStore",
    "PollTally",
    "Spending",
    "StoreUnavailable",
    "clean_request_id",
    "enforce_budget",
    "listing_owner",
    "new_owner_id",
    "open_store",
    "recording_owner",
    "safe_name",
    "valid_owner",
    "video_file",
]
