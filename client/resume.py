"""Finishing what a crash, a closed tab or a restart left open, and recovering any job by its id.

:func:`resume_jobs` follows every unfinished job in the store (submitted, queued, running, or
succeeded without a local copy) to its end with ``client.follow`` through the recorder, so the
state, the video and its facts land in the store as if nothing had happened.

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
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from client.errors import AuthError, NotFound, RunComfyError
from client.events import Event
from client.recorder import record
from client.store_schema import LOCAL_OWNER, LOST, NOTE, JobRecord, StoreUnavailable

if TYPE_CHECKING:
    from client.api import RunComfyClient
    from client.secret import Secret
    from client.store import AnyStore

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


async def _drain(store: AnyStore, events: AsyncIterator[Event], *, owner: str, client: RunComfyClient,
                 budget_mb: float | None) -> None:
    async for _event in record(store, events, owner=owner, offline=client.offline,
                               base_url=client.base_url, model=client.model, budget_mb=budget_mb):
        pass


async def _resume_one(client: RunComfyClient, store: AnyStore, job: JobRecord, token: Secret | str | None,
                      budget_mb: float | None) -> ResumeOutcome:
    rid = job.request_id
    if not job.offline and client.offline:
        return ResumeOutcome(rid, PENDING, "no RunComfy API token available to ask about it")
    if job.base_url and job.base_url != client.base_url:
        where = f"made against {job.base_url}; this run talks to {client.base_url}"
        return ResumeOutcome(rid, PENDING, where)
    if not client.offline and not client.has_token and not token:
        return ResumeOutcome(rid, PENDING, "no RunComfy API token available to ask about it")
    try:
        await _drain(store, client.follow(rid, token=token), owner=job.owner, client=client,
                     budget_mb=budget_mb)
    except NotFound:
        if job.offline:
            await asyncio.to_thread(store.add_event, rid, LOST, error=LOST_OFFLINE_TEXT)
            return ResumeOutcome(rid, LOST, LOST_OFFLINE_TEXT)
        text = "RunComfy no longer knows this request id (expired or deleted)"
        return ResumeOutcome(rid, PENDING, text)
    except AuthError as exc:
        return ResumeOutcome(rid, PENDING, f"the token was refused for this job: {exc.message}")
    except StoreUnavailable:
        raise
    except RunComfyError as exc:  # timed out, connection lost, download failed: try again later
        return ResumeOutcome(rid, PENDING, str(exc))
    now = await asyncio.to_thread(store.get, rid)
    state = now.state if now is not None else "unknown"
    return ResumeOutcome(rid, state, "finished" if now is not None and now.ended else "still open")


async def resume_jobs(
    client: RunComfyClient,
    store: AnyStore,
    *,
    token: Secret | str | None = None,
    budget_mb: float | None = None,
    concurrency: int = 4,
) -> list[ResumeOutcome]:
    """Follow every unfinished job in ``store`` to its end, recording into it; one outcome per job.

    ``token`` overrides the client's own (a visitor's key). Jobs run ``concurrency`` at a time.
    Raises :class:`StoreUnavailable` only if the list of jobs cannot be read at all.
    """
    jobs = await asyncio.to_thread(store.unfinished)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(job: JobRecord) -> ResumeOutcome:
        async with gate:
            return await _resume_one(client, store, job, token, budget_mb)

    return list(await asyncio.gather(*(one(job) for job in jobs)))


async def recover_events(
    client: RunComfyClient,
    store: AnyStore,
    request_id: str,
    *,
    owner: str = LOCAL_OWNER,
    token: Secret | str | None = None,
    budget_mb: float | None = None,
) -> AsyncIterator[Event]:
    """Fetch any job by its request id (creating its row if unknown) and follow it to the end.

    Yields the job's events as the recorder writes them. The job's state is asked of the API first,
    so an unknown, expired or foreign id raises (``NotFound``/``AuthError``) before any row is made.
    A row owned by another owner is never touched: :class:`NotFound` as if it did not exist.
    """
    request_id = request_id.strip()
    known = await asyncio.to_thread(store.get, request_id)
    if known is not None and owner != known.owner:
        raise NotFound("No job with this request id in your history.", request_id=request_id)
    await client.result(request_id, token=token)  # proves the id exists for this token
    if known is None:
        await asyncio.to_thread(store.add_submitted, request_id, owner=owner, model=client.model, prompt="",
                                seed=None, frames=None, offline=client.offline, base_url=client.base_url)
        await asyncio.to_thread(store.add_event, request_id, NOTE, note="recovered by request id")
    elif known.ended and known.has_local_video:
        return  # already complete: nothing to fetch
    async for event in record(store, client.follow(request_id, token=token), owner=owner,
                              offline=client.offline, base_url=client.base_url, model=client.model,
                              budget_mb=budget_mb):
        yield event


async def recover(
    client: RunComfyClient,
    store: AnyStore,
    request_id: str,
    *,
    owner: str = LOCAL_OWNER,
    token: Secret | str | None = None,
    budget_mb: float | None = None,
) -> JobRecord | None:
    """:func:`recover_events` to the end; the job's record afterwards (None if the store is degraded)."""
    async for _event in recover_events(client, store, request_id, owner=owner, token=token,
                                       budget_mb=budget_mb):
        pass
    return await asyncio.to_thread(store.get, request_id.strip())
