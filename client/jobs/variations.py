"""Variations: one picture and prompt, N seeds (1 to 4), N jobs at once, the best one kept.

    jobs = plan_variations(prepared, 3)             # seeds chosen here, up front, and shown
    admissions = [await admit(route, frames, ...) for _ in jobs]   # each job is its own paid run
    group = Variations.start(route, jobs, registry=registry, owner=owner, admissions=admissions)
    async for update in group.watch(tick_s=1.0):    # (index, event), (index, None) at its end, or None
        ...
    await group.cancel()                            # the queued ones are cancelled; running ones go on

Each variation is a :class:`~client.jobs.live.LiveJob` of its own: submitted once, its receipt
recorded before its first poll, resumable after a restart (``resume_jobs`` knows nothing of sets:
each job is just an unfinished job) and recoverable by its id. One failing ends only itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

from client.dreamina import InputRefused, PreparedJob, resolve_seed
from client.history import LOCAL_OWNER
from client.jobs.connect import Route
from client.jobs.events import END_EVENTS, Completed, Event
from client.jobs.live import CancelReport, LiveJob
from client.jobs.registry import Registry
from client.runcomfy import RunComfyError

if TYPE_CHECKING:
    from client.jobs.spend import Admission

MAX_VARIATIONS = 4
Update = tuple[int, Event | None] | None
"""What :meth:`Variations.watch` yields: ``(index, event)``; ``(index, None)`` once that job's stream
has ended (its end event came before, or ``lives[index].error`` says why not); ``None``: a tick."""


def check_count(count: int | str | None) -> int:
    """The number of variations, 1 to :data:`MAX_VARIATIONS`; InputRefused otherwise."""
    try:
        number = 1 if count is None or count == "" else int(count)
    except (TypeError, ValueError):
        raise InputRefused(f"variations {count!r}: must be a whole number from 1 to {MAX_VARIATIONS}",
                           rule="variations", value=count) from None
    if not 1 <= number <= MAX_VARIATIONS:
        raise InputRefused(f"variations {number}: must be 1 to {MAX_VARIATIONS}", rule="variations",
                           value=number)
    return number


def plan_variations(prepared: PreparedJob, count: int | str | None, *,
                    rng: random.Random | None = None) -> tuple[PreparedJob, ...]:
    """``count`` copies of ``prepared`` with distinct seeds: its own first, then random ones.

    The seeds are chosen here, before anything is sent, so each can be shown (and kept) by the page.
    """
    number = check_count(count)
    seeds = [prepared.request.seed]
    while len(seeds) < number:
        seed = resolve_seed(-1, rng)
        if seed not in seeds:
            seeds.append(seed)
    return tuple(dataclasses.replace(prepared, request=dataclasses.replace(prepared.request, seed=seed))
                 for seed in seeds)


class Variations:
    """N live jobs of one request that differ only by their seed; watched and cancelled together."""

    def __init__(self, lives: Sequence[LiveJob]) -> None:
        self.lives = tuple(lives)

    @classmethod
    def start(
        cls,
        route: Route,
        jobs: Sequence[PreparedJob],
        *,
        registry: Registry | None = None,
        owner: str = LOCAL_OWNER,
        admissions: Sequence[Admission | None] | None = None,
    ) -> Variations:
        """Submit every job now, at once, each in its own task (call from a running event loop)."""
        shares = list(admissions) if admissions is not None else [None] * len(jobs)
        if len(shares) != len(jobs):
            raise ValueError("one admission per variation")
        lives = []
        for job, admission in zip(jobs, shares, strict=True):
            extra = {"admission": admission} if admission is not None else {}
            lives.append(LiveJob(route, job, registry=registry, owner=owner, **extra))
        return cls(lives)

    @property
    def seeds(self) -> tuple[int, ...]:
        """Each variation's seed, in order."""
        return tuple(live.request.seed for live in self.lives)

    @property
    def request_ids(self) -> tuple[str | None, ...]:
        """Each variation's receipt (None until RunComfy accepted it)."""
        return tuple(live.request_id for live in self.lives)

    @property
    def done(self) -> bool:
        """True once every variation has ended (video, failure, cancel or error)."""
        return all(live.done for live in self.lives)

    def ends(self) -> tuple[Event | RunComfyError | None, ...]:
        """Each variation's end: its end event, the error that stopped it, or None while it runs."""
        out: list[Event | RunComfyError | None] = []
        for live in self.lives:
            last = live.last
            out.append(last if isinstance(last, END_EVENTS) else live.error)
        return tuple(out)

    def videos(self) -> tuple[Completed | None, ...]:
        """Each variation's finished video (None where there is none, yet or at all)."""
        return tuple(end if isinstance(end, Completed) else None for end in self.ends())

    async def cancel(self) -> list[CancelReport]:
        """Ask RunComfy to cancel every variation: the queued ones are, the running ones go on."""
        return list(await asyncio.gather(*(live.cancel() for live in self.lives)))

    async def close(self) -> None:
        """Stop following every job now (the process is ending): a job that may still be queued is
        cancelled on the way out, as a closed single job is; a running one goes on at RunComfy and
        ``resume_jobs`` fetches it later. Call it while the connection is still open."""
        for live in self.lives:
            live.task.cancel()
        await asyncio.gather(*(live.task for live in self.lives), return_exceptions=True)

    def stop_watching(self) -> None:
        """The watcher left: cancel what may still be queued (as a single job's page does)."""
        for live in self.lives:
            live.stop_watching()

    async def watch(self, *, tick_s: float | None = None) -> AsyncIterator[Update]:
        """Every variation's events as they come (see :data:`Update`), until all have ended.

        Reading only: closing this stream stops nothing (the jobs run in their own tasks).
        """
        queue: asyncio.Queue[tuple[int, Event | None]] = asyncio.Queue()

        async def follow(index: int, live: LiveJob) -> None:
            """Copy one job's events into the shared queue, then say it ended."""
            async for event in live.watch():
                if event is not None:
                    queue.put_nowait((index, event))
            queue.put_nowait((index, None))

        readers = [asyncio.create_task(follow(i, live)) for i, live in enumerate(self.lives)]
        running = len(readers)
        try:
            while running:
                try:
                    index, event = await asyncio.wait_for(queue.get(), tick_s)
                except TimeoutError:
                    yield None
                    continue
                if event is None:
                    running -= 1
                yield index, event
        finally:
            for reader in readers:
                reader.cancel()
            for reader in readers:
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
