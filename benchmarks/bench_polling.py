"""Polling efficiency: how soon a finished job is seen, and how many requests it took, for three plans.

Run: ``python benchmarks/bench_polling.py`` (about 5 minutes). The stand-in runs on loopback with a
10 s queue and a 50 s run, each job's run drawn within ±5% (its ``run_spread`` knob). In one run:

1. **First jobs**: 5 jobs with our plan and nothing learned, recorded in a fresh job history.
2. **Side by side**, ``--jobs`` per plan, all at once: our plan leaning on what those 5 taught it
   (``client.jobs.durations``), our plan as it was before learning, and the official CLI's fixed 2 s.
3. **A slow day**: jobs that run 3x longer than learned (150 s), learned plan against today's.

Targets: learned, completion seen within 0.4 s (median) with at most 15 status/result requests
(median); first jobs and today's plan within 1.0 s and 35 requests; on the slow day, the learned plan
within 1.0 s and no more requests than today's. ``--quick`` runs 1 s + 5 s jobs for a smoke test.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from client.dreamina import build_job
from client.history import AnyStore, JobStore
from client.jobs import Connection, Downloading, Expectation, PollPlan, expect, record, run_job
from client.offline import OfflineConfig, OfflineServer
from tests.samples import photo

SPREAD = 0.05
LEARNED, TODAY, CLI = "ours, learned", "ours, nothing learned", "official CLI (fixed 2 s)"


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts status/result requests per request id (the thing RunComfy sees)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.counts: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/")
        if len(parts) >= 4 and parts[-3] == "requests" and parts[-1] in ("status", "result"):
            self.counts[parts[-2]] += 1
        return await self.inner.handle_async_request(request)


class Plan:
    """One way of polling, with its own connection, its counter and when each job's end was seen."""

    def __init__(self, server: OfflineServer, poll: PollPlan, out: Path, expected: Expectation | None = None):
        self.counter = CountingTransport()
        self.conn = Connection("fake-bench-token", server.base_url, transport=self.counter, poll=poll,
                               outputs_dir=out)
        self.expected = expected
        self.seen: dict[str, float] = {}

    async def follow(self, delay: float, store: AnyStore | None = None) -> None:
        """Submit one job after ``delay`` s (ends fall anywhere on the grid) and note when its end is seen."""
        await asyncio.sleep(delay)
        prepared = build_job("benchmark: a slow pan", image=photo(640, 360), seed=1)
        events = run_job(self.conn, prepared.request, expected=self.expected)
        if store is not None:
            events = record(store, events, conn=self.conn, job=prepared)
        async for event in events:
            if isinstance(event, Downloading):
                self.seen[event.request_id] = time.time()

    def figures(self, finished: dict[str, float]) -> tuple[list[float], list[int]]:
        """(how long after its end each job was seen, status/result requests per job)."""
        return ([self.seen[rid] - finished[rid] for rid in self.seen],
                [self.counter.counts[rid] for rid in self.seen])


def finish_times(server: OfflineServer) -> dict[str, float]:
    """When the stand-in says each job finished, as Unix time."""
    jobs = server.stats()["jobs"]
    return {rid: datetime.fromisoformat(job["finished_at"].replace("Z", "+00:00")).timestamp()
            for rid, job in jobs.items() if job["finished_at"]}


async def side_by_side(plans: dict[str, Plan], jobs: int, store: AnyStore | None = None) -> None:
    """``jobs`` jobs per plan, all at once, started within 2 s of each other."""
    rng = random.Random(7)
    await asyncio.gather(*(plan.follow(rng.uniform(0, 2.0), store) for plan in plans.values()
                           for _ in range(jobs)))


async def measure(server: OfflineServer, jobs: int, run_s: float, out: Path) -> dict[str, dict[str, tuple]]:
    """The three phases (see the module docstring); figures per phase and plan."""
    results: dict[str, dict[str, tuple]] = {}
    with JobStore.open(out / "data") as store:
        first = {TODAY: Plan(server, PollPlan(), out / "first")}
        await side_by_side(first, 5, store)
        known = expect(store, base_url=server.base_url, model=first[TODAY].conn.model, frames=121)
        results["first jobs"] = {name: plan.figures(finish_times(server)) for name, plan in first.items()}
    print(f"learned from 5 jobs: {known}")
    plans = {LEARNED: Plan(server, PollPlan(), out / "learned", known),
             TODAY: Plan(server, PollPlan(), out / "today"),
             CLI: Plan(server, PollPlan.fixed(2.0), out / "cli")}
    await side_by_side(plans, jobs)
    results["side by side"] = {name: plan.figures(finish_times(server)) for name, plan in plans.items()}
    await asyncio.to_thread(server.configure, run_s=3 * run_s)
    slow = {LEARNED: Plan(server, PollPlan(), out / "slow-learned", known),
            TODAY: Plan(server, PollPlan(), out / "slow-today")}
    await side_by_side(slow, jobs)
    ended = finish_times(server)
    results["3x longer than learned"] = {name: plan.figures(ended) for name, plan in slow.items()}
    for group in (first, plans, slow):
        for plan in group.values():
            await plan.conn.aclose()
    return results


def report(results: dict[str, dict[str, tuple]], quick: bool) -> None:
    """One line per plan and phase, the ratios, and the targets."""
    columns = f"{'seen after finish: median':>26s} {'max':>7s} {'requests: median':>17s} {'max':>5s}"
    print(f"{'phase / plan':52s} {columns}")
    for phase, plans in results.items():
        for name, (lags, counts) in plans.items():
            print(f"{phase + ': ' + name:52s} {statistics.median(lags):25.2f}s {max(lags):6.2f}s "
                  f"{statistics.median(counts):17.0f} {max(counts):5d}")
    sbs = {name: (statistics.median(lags), statistics.median(counts))
           for name, (lags, counts) in results["side by side"].items()}
    print(f"ratio learned/today: latency {sbs[LEARNED][0] / sbs[TODAY][0]:.2f}x, "
          f"requests {sbs[LEARNED][1] / sbs[TODAY][1]:.2f}x; learned/CLI: latency "
          f"{sbs[LEARNED][0] / sbs[CLI][0]:.2f}x, requests {sbs[LEARNED][1] / sbs[CLI][1]:.2f}x")
    if quick:
        return
    (first_lags, first_counts), = results["first jobs"].values()
    slow = {name: (statistics.median(lags), statistics.median(counts))
            for name, (lags, counts) in results["3x longer than learned"].items()}
    checks = {
        "learned: median <= 0.4 s, <= 15 requests": sbs[LEARNED][0] <= 0.4 and sbs[LEARNED][1] <= 15,
        "nothing learned: median <= 1.0 s, <= 35 requests":
            statistics.median(first_lags) <= 1.0 and max(first_counts) <= 35 and sbs[TODAY][0] <= 1.0,
        "3x longer: median <= 1.0 s, requests <= today's":
            slow[LEARNED][0] <= 1.0 and slow[LEARNED][1] <= slow[TODAY][1],
    }
    for what, ok in checks.items():
        print(f"target {what}: {'met' if ok else 'MISSED'}")


def main() -> None:
    """Run the three phases on one stand-in and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--jobs", type=int, default=20, help="jobs per plan, side by side")
    args = parser.parse_args()
    queue_s, run_s = (1.0, 5.0) if args.quick else (10.0, 50.0)
    config = OfflineConfig(queue_s=queue_s, run_s=run_s, run_spread=SPREAD, seed=3)
    with TemporaryDirectory() as tmp, OfflineServer(config) as server:
        print(f"stand-in job: {queue_s:g} s queue + {run_s:g} s run ±{SPREAD:.0%}; {args.jobs} jobs per plan")
        results = asyncio.run(measure(server, args.jobs, run_s, Path(tmp)))
    report(results, args.quick)


if __name__ == "__main__":
    main()
