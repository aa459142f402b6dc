"""Finishing what a crash, a closed tab or a restart left open, and recovering any job by its id.

:func:`resume_jobs` follows every unfinished job in the store (submitted, queued, running, or
succeeded without a local copy) to its end with ``follow_job`` through ``record``, so the
state, the video and its facts land in the store as if nothing had happened. It is the one resume
loop: ``python -m client resume`` calls it, and so does the app at start (``Registry.resume_at_start``,
which skips the jobs another task already follows). :func:`recover_events` fetches any job by its id.

What it will not do, on purpose:
- follow a job made against another API address (its id means nothing there) or a real-API job when
  no token is available: those stay pending, with the reason, for a later run that has them;
- retry forever a job of the in-process offline stand-in that no longer exists: that stand-in forgets
  its jobs when the app restarts, so a 404 there means "lost" (offline preview only, nothing paid).
  A 404 from the real API (record expired) is noted and left pending: the remote URL, if recorded,
  may still serve the video, and the person decides whether to delete the row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from client.history import LOCAL_OWNER, LOST, NOTE, AnyStore, JobFiles, JobRecord, StoreUnavailable
from client.jobs.connect import Connection
from client.jobs.events import Event
from client.jobs.record import record
from client.jobs.run import follow_job
from client.runcomfy import AuthError, NotFound, RunComfyError, Secret

log = logging.getLogger(__name__)
PENDING = "pending"
LOST_OFFLINE_TEXT = ("The offline preview forgot this job when the app restarted (offline preview only: "
                     "nothing was paid). Generate it again if you still want it.")


@dataclass(frozen=True)
class ResumeOutcome:
    """What resuming one job did: its recorded ``state`` now, or ``pending`` with the reason."""

    request_id: str
    state: str
    message: str


Claim = Callable[[str], AbstractContextManager[bool]]
"""Held while a job is followed; it says whether this caller may follow it (False: another task does)."""


def _nobody_else(request_id: str) -> AbstractContextManager[bool]:
    return contextlib.nullcontext(True)


async def _resume_one(conn: Connection, store: AnyStore, job: JobRecord, token: Secret | str | None,
                      files: JobFiles | None) -> ResumeOutcome:
    rid = job.request_id
    if not job.offline and conn.offline:
        return ResumeOutcome(rid, PENDING, "no RunComfy API token available to ask about it")
    if job.base_url and job.base_url != conn.base_url:
        where = f"made against {job.base_url}; this run talks to {conn.base_url}"
        return ResumeOutcome(rid, PENDING, where)
    if not conn.offline and not conn.has_token and not token:
        return ResumeOutcome(rid, PENDING, "no RunComfy API token available to ask about it")
    try:
        async for _event in record(store, follow_job(conn, rid, token=token), conn=conn, owner=job.owner,
                                   files=files):
            pass
    except NotFound:
        if job.offline:
            await asyncio.to_thread(store.add_event, rid, LOST, error=LOST_OFFLINE_TEXT)
            return ResumeOutcome(rid, LOST, LOST_OFFLINE_TEXT)
        text = "RunComfy no longer knows this request id (expired or deleted)"
        return ResumeOutcome(rid, PENDING, text)
    except AuthError as exc:
        return ResumeOutcome(rid, PENDING, f"the token was refused for this job: {exc.message}")
    except RunComfyError as exc:  # timed out, connection lost, download failed: try again later
        return ResumeOutcome(rid, PENDING, str(exc))
    now = await asyncio.to_thread(store.get, rid)
    state = now.state if now is not None else "unknown"
    return ResumeOutcome(rid, state, "finished" if now is not None and now.ended else "still open")


async def resume_jobs(
    conn: Connection,
    store: AnyStore,
    *,
    token: Secret | str | None = None,
    files: JobFiles | None = None,
    concurrency: int = 4,
    claim: Claim = _nobody_else,
) -> list[ResumeOutcome]:
    """Follow every unfinished job in ``store`` to its end, recording into it; one outcome per job.

    ``token`` overrides the connection's own (a visitor's key). Jobs run ``concurrency`` at a time.
    ``claim`` (``Registry.claim``) skips a job another task of this process already follows.
    Raises :class:`StoreUnavailable` only if the list of jobs cannot be read at all.
    """
    jobs = await asyncio.to_thread(store.unfinished)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(job: JobRecord) -> list[ResumeOutcome]:
        with claim(job.request_id) as mine:
            if not mine:
                return []
            async with gate:
                try:
                    return [await _resume_one(conn, store, job, token, files)]
                except StoreUnavailable as exc:  # one job's row unreadable: the others go on
                    return [ResumeOutcome(job.request_id, PENDING, exc.message)]

    return [outcome for outcomes in await asyncio.gather(*(one(job) for job in jobs)) for outcome in outcomes]


async def recover_events(
    conn: Connection,
    store: AnyStore,
    request_id: str,
    *,
    owner: str = LOCAL_OWNER,
    token: Secret | str | None = None,
    files: JobFiles | None = None,
) -> AsyncIterator[Event]:
    """Fetch any job by its request id (creating its row if unknown) and follow it to the end.

    Yields the job's events as ``record`` writes them. The job's state is asked of the API first,
    so an unknown, expired or foreign id raises (``NotFound``/``AuthError``) before any row is made.
    A row owned by another owner is never touched: :class:`NotFound` as if it did not exist.
    """
    request_id = request_id.strip()
    known = await asyncio.to_thread(store.get, request_id)
    if known is not None and owner != known.owner:
        raise NotFound("No job with this request id in your history.", request_id=request_id,
                       reason="unknown_id")
    await conn.api.result(request_id, token=token)  # proves the id exists for this token
    if known is None:
        await asyncio.to_thread(store.add_submitted, request_id, owner=owner, model=conn.model, prompt="",
                                seed=None, frames=None, offline=conn.offline, base_url=conn.base_url)
        await asyncio.to_thread(store.add_event, request_id, NOTE, note="recovered by request id")
    elif known.ended and known.has_local_video:
        return  # already complete: nothing to fetch
    async for event in record(store, follow_job(conn, request_id, token=token), conn=conn, owner=owner,
                              files=files):
        yield event


async def recover_job(
    conn: Connection,
    store: AnyStore,
    request_id: str,
    *,
    owner: str = LOCAL_OWNER,
    token: Secret | str | None = None,
    files: JobFiles | None = None,
) -> JobRecord | None:
    """:func:`recover_events` to the end; the job's record afterwards (None if the store is degraded)."""
    async for _event in recover_events(conn, store, request_id, owner=owner, token=token, files=files):
        pass
    return await asyncio.to_thread(store.get, request_id.strip())
