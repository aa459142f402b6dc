"""Ctrl-C in a batch: stop sending, and leave every row in flight in a state the next run can trust.

- a row whose job is still queued at RunComfy is cancelled there (nothing billed) and journaled
  ``withdrawn``: the next run sends it again (as ``generate`` cancels a queued job on Ctrl-C);
- a row whose job runs is left to finish (RunComfy cannot stop it; it will be billed): the next run
  fetches its video by its request id;
- a row whose submit was in the air has no request id: it may exist, so it is never resent (``unknown``);
- a row of the offline preview ended with this process (nothing went to RunComfy): sent again next time.
"""

from __future__ import annotations

import asyncio

from client import Completed, Downloading, InProgress, RunComfyError, StoreUnavailable
from client.cli.batch.report import UNKNOWN_TEXT, Outcome
from client.cli.batch.runner import Flight, Runner

CANCEL_TIMEOUT_S = 10.0
RUNNING_TEXT = ("running on RunComfy when interrupted: it will finish and be billed; the next run "
                "fetches its video")


async def withdraw(runner: Runner) -> None:
    """Give each row that was in flight its outcome (see the module doc), cancelling the queued ones."""
    left = [flight for flight in runner.flights.values() if not flight.ended]
    outcomes = await asyncio.gather(*(_leave(runner, flight) for flight in left))
    for flight, outcome in zip(left, outcomes, strict=True):
        flight.ended = True
        runner.outcomes[flight.row.number] = outcome
        runner.progress.say(f"interrupted: {outcome.line()}")


async def _leave(runner: Runner, flight: Flight) -> Outcome:
    number, rid, seed = flight.row.number, flight.request_id, flight.seed
    if not flight.submitting:
        return Outcome(number, "not_sent", error="interrupted before it was sent")
    if runner.conn.offline:
        return Outcome(number, "not_sent", rid, seed=seed,
                       error="the offline preview ended with this command (nothing went to RunComfy)")
    if rid is None:
        return Outcome(number, "unknown", seed=seed, error=f"interrupted during its submit; {UNKNOWN_TEXT}")
    if isinstance(flight.last, InProgress | Downloading | Completed):  # nothing left to cancel
        return Outcome(number, "running", rid, seed=seed, error=RUNNING_TEXT)
    try:
        answer = await asyncio.wait_for(runner.conn.cancel(rid), CANCEL_TIMEOUT_S)
    except (RunComfyError, TimeoutError):
        return Outcome(number, "running", rid, seed=seed, error=f"it could not be cancelled; {RUNNING_TEXT}")
    if not answer.cancelled:  # it started meanwhile
        return Outcome(number, "running", rid, seed=seed, error=RUNNING_TEXT)
    runner.journal.write_now(number, flight.row.key, event="withdrawn", request_id=rid)
    try:  # the history too: a job left "queued" there would count against the daily budget all day
        await asyncio.to_thread(runner.store.add_event, rid, "cancelled")
    except StoreUnavailable:
        pass  # the history is degraded: the journal alone knows, and that is what the rerun reads
    return Outcome(number, "withdrawn", rid, seed=seed,
                   error="cancelled while queued (nothing billed); the next run sends it again")
