"""``python -m client generate``: check the inputs, submit once, follow the job, write the video."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path

from client import (
    Cancelled,
    Completed,
    Downloading,
    Event,
    Failed,
    InProgress,
    PreparedJob,
    Queued,
    Settings,
    Submitted,
    build_job,
    connect,
    expect,
    record,
    run_job,
)
from client.cli.money import admit_run
from client.cli.say import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REFUSED,
    MISSING_KEY_HELP,
    OFFLINE_PREVIEW,
    facts_line,
    open_history,
    say,
)
from client.cli.variations import run_variations


@dataclass
class Progress:
    """What the command knows of its job so far (read when Ctrl-C interrupts it)."""

    request_id: str | None = None
    running: bool = False
    offline: bool = False
    estimate: float | None = None  # USD, when RunComfy's price gave a figure


def generate(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``generate``; returns the exit code (InputRefused is left to ``main``: exit 2)."""
    if not args.offline and settings.offline:
        say(MISSING_KEY_HELP)
        return EXIT_REFUSED
    if "://" in args.image:
        prepared = build_job(args.prompt, image_url=args.image, seed=args.seed, frames=args.frames)
    else:
        path = Path(args.image)
        if not path.is_file():
            say(f"refused: no such image file: {path}")
            return EXIT_REFUSED
        prepared = build_job(args.prompt, image=path, seed=args.seed, frames=args.frames)
    for fix in prepared.fixes:
        say(f"fixed: {fix}")
    if args.variations != 1:  # 0 or 5 are refused there, not silently run once
        return run_variations(args, settings, prepared)
    return run_prepared(args, settings, prepared)


def run_prepared(args: argparse.Namespace, settings: Settings, prepared: PreparedJob, *,
                 parent_id: str | None = None) -> int:
    """Send ``prepared`` once and follow it to its end (``generate``, ``extend``); the exit code."""
    progress = Progress()
    try:
        return asyncio.run(_run(args, settings, prepared, progress, parent_id))
    except KeyboardInterrupt:
        rid = progress.request_id
        if rid is None:
            say("interrupted before anything was submitted")
        elif progress.offline:  # the in-process stand-in ends with this command: nothing went to RunComfy
            say(f"interrupted: the offline preview {rid} ended with this command (nothing went to RunComfy)")
        elif progress.running:
            say(f"interrupted: job {rid} is already running on RunComfy; it will finish and be billed. "
                f"Fetch it later with: python -m client resume (or: python -m client result {rid})")
        else:
            say(f"interrupted: queued job {rid} was cancelled (nothing billed)")
        return EXIT_INTERRUPTED


async def _run(
    args: argparse.Namespace, settings: Settings, prepared: PreparedJob, progress: Progress,
    parent_id: str | None = None,
) -> int:
    store = open_history(settings)
    try:
        async with connect(settings, offline=args.offline or None) as conn:
            progress.offline = conn.offline
            if conn.offline:
                say(OFFLINE_PREVIEW)
            admission = await admit_run(conn, settings, store, prepared.request.frames, args.max_cost)
            if admission is None:
                return EXIT_REFUSED
            progress.estimate = admission.estimate_usd
            expected = expect(store, base_url=conn.base_url, model=conn.model, frames=prepared.request.frames)
            run = run_job(conn, prepared.request, expected=expected)
            events = admission.watch(record(store, run, conn=conn, job=prepared, files=settings.files(),
                                            paid_by="offline" if conn.offline else "server",
                                            estimate=admission.estimate_usd, parent_id=parent_id))
            async with aclosing(events):
                async for event in events:
                    code = _show(args, event, prepared, progress, conn.offline, kept=store.available)
                    if code is not None:
                        return code
    finally:
        store.close()
    say("the job ended without a final state")
    return EXIT_FAILED


def _show(args: argparse.Namespace, event: Event, prepared: PreparedJob, progress: Progress, offline: bool,
          *, kept: bool) -> int | None:
    """Print one event; the exit code once the job has ended, else None."""
    stamp = f"[{event.elapsed:6.1f}s]"
    rid = event.request_id
    if isinstance(event, Submitted):
        progress.request_id = rid
        say(f"{stamp} submitted   request id {rid} (seed {event.seed})")
    elif isinstance(event, Queued):
        where = "" if event.position is None else f" position {event.position}"
        say(f"{stamp} queued{where}   {rid}")
    elif isinstance(event, InProgress):
        progress.running = True
        usual = f"   usually ready in about {round(event.usual_s)} s" if event.usual_s else ""
        say(f"{stamp} running     {rid}{usual}")
    elif isinstance(event, Downloading):
        say(f"{stamp} downloading {rid}")
    elif isinstance(event, Failed):
        say(f"{stamp} failed      {rid}: {event.error}")
        return EXIT_FAILED
    elif isinstance(event, Cancelled):
        say(f"{stamp} cancelled   {rid}")
        return EXIT_FAILED
    elif isinstance(event, Completed):
        path = event.video.path
        if args.out:
            # The history keeps its own copy (counted by the disk budget); --out gets the user's.
            args.out.parent.mkdir(parents=True, exist_ok=True)
            path = Path((shutil.copy2 if kept else shutil.move)(str(path), str(args.out)))
        say(f"{stamp} done        {rid}: {facts_line(event.video.facts)}")
        if args.json:
            print(json.dumps({"request_id": rid, "video": str(path), "seed": prepared.request.seed,
                              "facts": vars(event.video.facts), "cost": event.cost,
                              "estimate": progress.estimate,
                              "elapsed_s": round(event.elapsed, 2), "offline": offline}))
        else:
            print(path)
        return EXIT_OK
    return None
