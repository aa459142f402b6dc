"""``python -m client generate --variations N``: one picture and prompt, N seeds, N paid jobs at once.

The seeds are chosen and printed before anything is sent, with the estimate for the whole set. Each
job is admitted (price, balance, daily budget) and recorded on its own, so an interrupted set is
finished by ``python -m client resume`` like any job. Progress lines carry ``[k/N]``; stdout ends with
one video path per line (or one JSON object with --json). Exit 0 when every variation made a video,
1 when one did not (the others' videos are still written), 2 refused, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client import (
    Admission,
    AnyStore,
    Cancelled,
    Completed,
    Downloading,
    Event,
    Failed,
    InProgress,
    PreparedJob,
    PriceBook,
    Queued,
    Refused,
    Registry,
    Route,
    Settings,
    Submitted,
    Variations,
    admit,
    connect,
    plan_variations,
)
from client.cli.money import budget_of, estimate_line, refusal_line, usd
from client.cli.say import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REFUSED,
    OFFLINE_PREVIEW,
    facts_line,
    open_history,
    say,
)


@dataclass
class _Holder:
    """The running set, for the Ctrl-C message."""

    group: Variations | None = None
    offline: bool = False


def run_variations(args: argparse.Namespace, settings: Settings, prepared: PreparedJob) -> int:
    """Send ``args.variations`` copies of ``prepared`` with distinct seeds and follow them all."""
    jobs = plan_variations(prepared, args.variations)
    say(f"{len(jobs)} variations, seeds {', '.join(str(job.request.seed) for job in jobs)}")
    holder = _Holder()
    try:
        return asyncio.run(_run(args, settings, jobs, holder))
    except KeyboardInterrupt:
        _interrupted(holder)
        return EXIT_INTERRUPTED


async def _run(args: argparse.Namespace, settings: Settings, jobs: tuple[PreparedJob, ...],
               holder: _Holder) -> int:
    store = open_history(settings)
    try:
        async with connect(settings, offline=args.offline or None) as conn:
            holder.offline = conn.offline
            if conn.offline:
                say(OFFLINE_PREVIEW)
            route = Route(conn, None, "offline" if conn.offline else "server")
            admissions = await _admit_all(route, settings, store, jobs, args.max_cost)
            if admissions is None:
                return EXIT_REFUSED
            group = Variations.start(route, jobs, registry=Registry(store, settings.files()),
                                     admissions=admissions)
            holder.group = group
            try:
                async for update in group.watch():
                    if update is not None and update[1] is not None:
                        say(f"[{update[0] + 1}/{len(jobs)}] {event_text(update[1])}")
            finally:
                await group.close()  # Ctrl-C: cancel the queued ones while the connection is open
            return _finish(args, group, offline=conn.offline, kept=store.available)
    finally:
        store.close()


async def _admit_all(route: Route, settings: Settings, store: AnyStore, jobs: tuple[PreparedJob, ...],
                     max_cost: float | None) -> list[Admission] | None:
    """One admission per variation (each its own run for the budget); None after saying why not."""
    book, budget, frames = PriceBook(), budget_of(settings, store), jobs[0].request.frames
    admitted: list[Admission] = []
    try:
        for n in range(len(jobs)):
            admitted.append(await admit(route, frames, prices=book, budget=budget, check_balance=n == 0,
                                        max_cost=max_cost))
        first = admitted[0]
        total = sum(a.estimate_usd or 0.0 for a in admitted) if first.estimate_usd is not None else None
        wallet = first.balance.usd if first.balance is not None else None
        if total is not None and max_cost is not None and total > max_cost + 1e-9:
            raise Refused("max_cost", estimate_usd=total, limit_usd=max_cost)
        if total is not None and wallet is not None and total > wallet + 1e-9:
            raise Refused("balance", estimate_usd=total, balance_usd=wallet)
    except Refused as exc:
        for admission in admitted:
            admission.release()
        say(refusal_line(exc))
        return None
    if not route.offline:
        whole = f"; {usd(total)} for all {len(jobs)}" if total is not None else ""
        say(f"{estimate_line(first.estimate)} each{whole}")
    return admitted


def event_text(event: Event) -> str:
    """One progress line's text for one job's event."""
    stamp, rid = f"[{event.elapsed:6.1f}s]", event.request_id
    if isinstance(event, Submitted):
        return f"{stamp} submitted   request id {rid} (seed {event.seed})"
    if isinstance(event, Queued):
        return f"{stamp} queued{'' if event.position is None else f' position {event.position}'}   {rid}"
    if isinstance(event, InProgress):
        return f"{stamp} running     {rid}"
    if isinstance(event, Downloading):
        return f"{stamp} downloading {rid}"
    if isinstance(event, Failed):
        return f"{stamp} failed      {rid}: {event.error}"
    if isinstance(event, Cancelled):
        return f"{stamp} cancelled   {rid}"
    assert isinstance(event, Completed)
    return f"{stamp} done        {rid}: {facts_line(event.video.facts)}"


def _finish(args: argparse.Namespace, group: Variations, *, offline: bool, kept: bool) -> int:
    """Deliver the videos, print the result; the exit code."""
    results: list[dict[str, Any]] = []
    for index, (live, end) in enumerate(zip(group.lives, group.ends(), strict=True)):
        item: dict[str, Any] = {"request_id": live.request_id, "seed": live.request.seed}
        if isinstance(end, Completed):
            path = _deliver(args.out, end.video.path, index + 1, kept=kept)
            item.update(state="succeeded", video=str(path), facts=vars(end.video.facts), cost=end.cost)
        elif isinstance(end, Failed | Cancelled):
            item.update(state="failed" if isinstance(end, Failed) else "cancelled",
                        error=end.error if isinstance(end, Failed) else None)
        else:
            item.update(state="error", error=str(end) if end is not None else "ended without a final state")
        results.append(item)
    made = [item for item in results if item["state"] == "succeeded"]
    if args.json:
        print(json.dumps({"variations": results, "offline": offline}))
    else:
        for item in made:
            print(item["video"])
    if len(made) < len(results):
        say(f"{len(made)} of {len(results)} variations made a video")
        return EXIT_FAILED
    return EXIT_OK


def _deliver(out: Path | None, path: Path, number: int, *, kept: bool) -> Path:
    """``--out clip.mp4`` gets ``clip-1.mp4``, ``clip-2.mp4``...; the history keeps its own copy."""
    if out is None:
        return path
    target = out.with_name(f"{out.stem}-{number}{out.suffix or '.mp4'}")
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path((shutil.copy2 if kept else shutil.move)(str(path), str(target)))


def _interrupted(holder: _Holder) -> None:
    """Say what became of each variation when Ctrl-C stopped the command."""
    if holder.group is None:
        say("interrupted before anything was submitted")
        return
    for live in holder.group.lives:
        rid = live.request_id
        if rid is None:
            say(f"interrupted: seed {live.request.seed} was not submitted")
        elif holder.offline:
            say(f"interrupted: the offline preview {rid} ended with this command (nothing went to RunComfy)")
        elif live.done:
            say(f"{rid}: ended before the interruption")
        elif isinstance(live.last, InProgress | Downloading):
            say(f"interrupted: job {rid} is already running on RunComfy; it will finish and be billed. "
                "Fetch it later with: python -m client resume")
        else:
            say(f"interrupted: queued job {rid} was cancelled (nothing billed)")
