"""A job's life in this process, the same for the page and the CLI.

    settings = Settings.load()
    async with connect(settings) as conn:              # the real API, or the offline stand-in
        job = build_job(prompt, image=path)           # client.dreamina: checked before anything is paid
        async for event in record(store, run_job(conn, job.request), conn=conn, job=job,
                                  files=settings.files()):
            ...                                       # Submitted, Queued, InProgress, ..., Completed

- :mod:`.run`: submit once, poll on the schedule of :mod:`.polling`, download, probe.
- :mod:`.durations`: how long jobs of a kind take, learned from the history (the schedule leans on it).
- :mod:`.record`: each event written to the history before it is passed on.
- :mod:`.live`: a job that outlives the page watching it (:class:`LiveJob`).
- :mod:`.resume`: finishing what a restart left open; recovering any job by its id.
- :mod:`.registry`: who follows which job in this process; the start-up resume.
- :mod:`.connect`: the connection (real API or stand-in) and the route a job takes through it.
- :mod:`.continuation`, :mod:`.stitching`, :mod:`.variations`: continue from a video's last frame, join
  a story into one MP4, run one request with up to four seeds at once.
- :mod:`.spend`: before a paid run is sent: the price (:mod:`.pricing`), the balance, the owner's daily
  budget (:mod:`.budget`) and a cost cap; ``admit`` lets it through or raises ``Refused``.
"""

from client.jobs.budget import BudgetStatus, DailyBudget, Refused, Reservation
from client.jobs.connect import OFFLINE_BASE_URL, OFFLINE_TOKEN, Connection, Mode, Route, Routes, connect
from client.jobs.continuation import Continuation, continue_from, continue_job
from client.jobs.durations import MIN_JOBS, Expectation, expect, learn
from client.jobs.events import (
    END_EVENTS,
    Cancelled,
    Completed,
    Downloading,
    Event,
    Failed,
    InProgress,
    Queued,
    Submitted,
    Video,
)
from client.jobs.live import CancelReport, LiveJob
from client.jobs.polling import PollPlan
from client.jobs.pricing import PRICE_TTL_S, Estimate, PriceBook, estimate_from
from client.jobs.record import input_preview, record
from client.jobs.registry import Registry
from client.jobs.resume import (
    LOST_OFFLINE_TEXT,
    PENDING,
    ResumeOutcome,
    recover_events,
    recover_job,
    resume_jobs,
)
from client.jobs.run import fetch_video, follow_job, run_job
from client.jobs.settings import Settings, default_data_dir
from client.jobs.spend import Admission, admit, read_balance
from client.jobs.stitching import StoryFile, expected_frames, stitch_jobs, story_path
from client.jobs.variations import MAX_VARIATIONS, Variations, plan_variations

__all__ = [
    "END_EVENTS",
    "LOST_OFFLINE_TEXT",
    "MAX_VARIATIONS",
    "MIN_JOBS",
    "OFFLINE_BASE_URL",
    "OFFLINE_TOKEN",
    "PENDING",
    "PRICE_TTL_S",
    "Admission",
    "BudgetStatus",
    "CancelReport",
    "Cancelled",
    "Completed",
    "Connection",
    "Continuation",
    "DailyBudget",
    "Downloading",
    "Estimate",
    "Event",
    "Expectation",
    "Failed",
    "InProgress",
    "LiveJob",
    "Mode",
    "PollPlan",
    "PriceBook",
    "Queued",
    "Refused",
    "Registry",
    "Reservation",
    "ResumeOutcome",
    "Route",
    "Routes",
    "Settings",
    "StoryFile",
    "Submitted",
    "Variations",
    "Video",
    "admit",
    "connect",
    "continue_from",
    "continue_job",
    "default_data_dir",
    "estimate_from",
    "expect",
    "expected_frames",
    "fetch_video",
    "follow_job",
    "input_preview",
    "learn",
    "plan_variations",
    "read_balance",
    "record",
    "recover_events",
    "recover_job",
    "resume_jobs",
    "run_job",
    "stitch_jobs",
    "story_path",
]
