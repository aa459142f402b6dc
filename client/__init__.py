"""Everything below the page: the face that ``ui/`` and the CLI use, and nothing else.

The rooms, and the arrows between them (each imports only rooms to its left, through their faces)::

    runcomfy | dreamina | media  <  history  <  jobs  <  cli | ui  <  app.py

- ``client.runcomfy``: the thin HTTP client of RunComfy's queue API (httpx and the stdlib only).
- ``client.dreamina``: what the model accepts: its schema, the request, the image rules (Pillow).
- ``client.media``: pixel and MP4 work off the event loop: probe, tags, posters, thumbnails (PyAV).
- ``client.history``: what is remembered: the SQLite store and every file beside a job.
- ``client.jobs``: a job's life in this process: connect, run, record, resume, live jobs, registry.
- ``client.cli``: ``python -m client``. ``client.offline``: the stand-in, reached only over HTTP.

Never imports gradio. Programs and tests may import a room's own face (``client.jobs``) directly.
"""

from client.dreamina import (
    SCHEMA,
    ImageReport,
    InputRefused,
    PreparedImage,
    PreparedJob,
    build_job,
    frames_text,
    inspect_image,
    size_text,
)
from client.history import (
    DB_NAME,
    ENDED_BADLY,
    LOCAL_OWNER,
    UNFINISHED_STATES,
    AnyStore,
    JobFiles,
    JobRecord,
    StoreUnavailable,
    clean_request_id,
    new_owner_id,
    open_store,
    safe_name,
    valid_owner,
)
from client.jobs import (
    END_EVENTS,
    Cancelled,
    Completed,
    Connection,
    Downloading,
    Event,
    Failed,
    InProgress,
    LiveJob,
    Queued,
    Registry,
    Route,
    Routes,
    Settings,
    Submitted,
    connect,
    expect,
    fetch_video,
    record,
    recover_events,
    recover_job,
    resume_jobs,
    run_job,
)
from client.media import PICTURES, VideoFacts
from client.runcomfy import (
    APIRefused,
    AuthError,
    ConnectionFailed,
    DownloadFailed,
    JobTimedOut,
    NotFound,
    RateLimited,
    RunComfyError,
    Secret,
    SubmitUncertain,
)

__all__ = [
    "DB_NAME",
    "ENDED_BADLY",
    "END_EVENTS",
    "LOCAL_OWNER",
    "PICTURES",
    "SCHEMA",
    "UNFINISHED_STATES",
    "APIRefused",
    "AnyStore",
    "AuthError",
    "Cancelled",
    "Completed",
    "Connection",
    "ConnectionFailed",
    "DownloadFailed",
    "Downloading",
    "Event",
    "Failed",
    "ImageReport",
    "InProgress",
    "InputRefused",
    "JobFiles",
    "JobRecord",
    "JobTimedOut",
    "LiveJob",
    "NotFound",
    "PreparedImage",
    "PreparedJob",
    "Queued",
    "RateLimited",
    "Registry",
    "Route",
    "Routes",
    "RunComfyError",
    "Secret",
    "Settings",
    "StoreUnavailable",
    "SubmitUncertain",
    "Submitted",
    "VideoFacts",
    "build_job",
    "clean_request_id",
    "connect",
    "expect",
    "fetch_video",
    "frames_text",
    "inspect_image",
    "new_owner_id",
    "open_store",
    "record",
    "recover_events",
    "recover_job",
    "resume_jobs",
    "run_job",
    "safe_name",
    "size_text",
    "valid_owner",
]
