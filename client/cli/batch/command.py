"""``python -m client batch``: check every row, then run them (see :mod:`client.cli.batch`)."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from client import Route, Settings, connect, safe_name
from client.cli.batch.journal import Journal, read_journal
from client.cli.batch.plan import Plan, plan_batch
from client.cli.batch.progress import progress_for
from client.cli.batch.report import Outcome, exit_code, summary, tally_line, write_results
from client.cli.batch.rows import BatchFileError, read_rows
from client.cli.batch.runner import Runner
from client.cli.batch.spend import Purse
from client.cli.batch.stop import withdraw
from client.cli.say import EXIT_INTERRUPTED, EXIT_REFUSED, MISSING_KEY_HELP, open_history, say


def batch(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``batch``; returns the exit code (see the package doc)."""
    if not args.offline and settings.offline:
        say(MISSING_KEY_HELP)
        return EXIT_REFUSED
    if args.concurrency < 1:
        say("refused: --concurrency must be 1 or more")
        return EXIT_REFUSED
    try:
        rows = [row for row in read_rows(args.csv) if not row.blank]
    except BatchFileError as exc:
        say(f"refused: {exc}")
        return EXIT_REFUSED
    folder: Path = args.out or settings.outputs_dir / f"batch-{safe_name(args.csv.stem)}"
    try:
        plan = plan_batch(rows, read_journal(folder))
        _tell_plan(args, plan, len(rows), folder)
        if plan.refused and not args.skip_invalid:
            say("nothing was sent: fix these rows, or add --skip-invalid to send the others")
            if args.json:
                print(json.dumps(summary(plan.settled(skipped=False), folder=folder, csv_path=args.csv,
                                         offline=bool(args.offline), interrupted=False, code=EXIT_REFUSED)))
            return EXIT_REFUSED
        if not plan.send and not plan.follow:  # every row ended before, or awaits recovery: nothing to run
            folder.mkdir(parents=True, exist_ok=True)
            return _finish(args, plan.settled(skipped=True), folder, offline=bool(args.offline),
                           interrupted=False, refused=None)
        return asyncio.run(_run(args, settings, plan, folder))
    except KeyboardInterrupt:  # before the run began, or a second Ctrl-C while it was winding down
        say(f"interrupted: the journal in {folder} says what was sent; run the same command again to go on")
        return EXIT_INTERRUPTED


def _tell_plan(args: argparse.Namespace, plan: Plan, total: int, folder: Path) -> None:
    """What this run will do, and every refusal, before anything is sent."""
    parts = [f"{len(plan.send)} to send"]
    counts = ((len(plan.finished), "already done"), (len(plan.follow), "to follow"),
              (len(plan.refused), "refused"), (len(plan.uncertain), "awaiting recovery"))
    parts += [f"{n} {what}" for n, what in counts if n]
    say(f"batch: {total} rows in {args.csv} -> {folder}: {', '.join(parts)}")
    for checked in plan.send:
        for fix in checked.fixes:
            say(f"row {checked.row.number}: fixed: {fix}")
    for row, text in plan.refused:
        say(f"row {row.number}: refused: {text}")
    for outcome in plan.uncertain:
        say(f"row {outcome.row}: {outcome.error}")


async def _run(args: argparse.Namespace, settings: Settings, plan: Plan, folder: Path) -> int:
    """Money first, then the rows; results.csv and the summary whatever happened."""
    outcomes = plan.settled(skipped=True)
    interrupted, offline, refused = False, bool(args.offline), None
    store = open_history(settings)
    journal = Journal(folder)
    try:
        async with connect(settings, offline=args.offline or None) as conn:
            offline = conn.offline
            if conn.offline:
                say("offline preview: a local camera move over each image, not Dreamina output")
            route = Route(conn, None, "offline" if conn.offline else "server")
            purse = Purse(route, settings, store, args.max_cost)
            runner: Runner | None = None
            try:
                refused = await purse.check_all([checked.frames for checked in plan.send])
                if refused is None:  # the bar starts after the lines above, so none of them breaks it
                    progress = progress_for(len(plan.send) + len(plan.follow), plain=args.json)
                    runner = Runner(route, store, settings, journal, folder, purse, progress)
                    try:
                        await runner.run(plan.follow, plan.send, args.concurrency)
                    finally:
                        progress.close()
            except asyncio.CancelledError:  # Ctrl-C (asyncio.run cancels this task): wind down in order
                _uncancel()
                interrupted = True
                if runner is not None:
                    await withdraw(runner)
            outcomes += _outcomes(plan, runner.outcomes if runner else {}, refused)
    finally:
        journal.close()
        store.close()
    return _finish(args, outcomes, folder, offline=offline, interrupted=interrupted, refused=refused)


def _outcomes(plan: Plan, ended: dict[int, Outcome], refused: str | None) -> list[Outcome]:
    """The outcome of every row this run was to follow or send (one that never had its turn says so)."""
    out = []
    for row, entry in plan.follow:
        out.append(ended.get(row.number) or Outcome(
            row.number, "running", entry.request_id, seed=entry.seed, error="not followed this time"))
    reason = f"not sent: {refused.removeprefix('refused: ')}" if refused else "interrupted before its turn"
    for checked in plan.send:
        number = checked.row.number
        out.append(ended.get(number) or Outcome(number, "not_sent", error=reason))
    return out


def _finish(args: argparse.Namespace, outcomes: list[Outcome], folder: Path, *, offline: bool,
            interrupted: bool, refused: str | None) -> int:
    if refused:
        say(refused)
    results = write_results(folder, outcomes)
    code = EXIT_REFUSED if refused else exit_code(outcomes, interrupted=interrupted)
    say(f"batch: {tally_line(outcomes)}; results in {results}")
    if args.json:
        print(json.dumps(summary(outcomes, folder=folder, csv_path=args.csv, offline=offline,
                                 interrupted=interrupted, code=code)))
    else:
        print(results)
    return code


def _uncancel() -> None:
    """Take back asyncio.run's cancel (the interrupt is handled here), so the wind-down's awaits work."""
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()
