"""Polling efficiency: how soon a finished job is seen, and how many requests it took.

Run: ``python benchmarks/bench_polling.py`` (about 70 s). The stand-in runs on loopback with a
10 s queue and a 50 s run; our poll plan and the official CLI's fixed 2 s polling follow jobs side
by side in the same run (starts staggered so jobs end at every phase of the poll grid).
Targets: completion seen within 1.0 s (median) of the stand-in's finish, at most 35 status/result
requests per job. ``--quick`` runs a 1 s + 5 s job for a smoke test.
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
from client.jobs import Connection, Downloading, PollPlan, run_job
from client.offline import OfflineConfig, OfflineServer
from tests.samples import photo


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


async def follow_one(conn: Connection, delay: float, run_s: float, server: OfflineServer,
                     lock: asyncio.Lock, seen: dict) -> None:
    """Submit one job whose run lasts ``run_s`` and note when its completion is seen."""
    await asyncio.sleep(delay)
    job = build_job("benchmark: a slow pan", image=photo(640, 360), seed=1).request
    stream = run_job(conn, job)
    # A real job's end falls anywhere on the poll grid: give each job its own run time, set on the
    # stand-in just before its submit (the lock keeps the knob and the submit together).
    async with lock:
        await asyncio.to_thread(server.configure, run_s=run_s)
        submitted = await anext(stream)
    async for event in stream:
        if isinstance(event, Downloading):
            seen[submitted.request_id] = time.time()


async def measure(plan_names: dict[str, PollPlan], jobs: int, run_s: float, server: OfflineServer,
                  out: Path) -> dict:
    """Follow ``jobs`` jobs per plan, all at once; return (lags, request counts) per plan."""
    rng = random.Random(7)
    lock = asyncio.Lock()
    results = {}
    clients = {}
    tasks = []
    for name, plan in plan_names.items():
        counter = CountingTransport()
        conn = Connection("fake-bench-token", server.base_url, transport=counter, poll=plan,
                          outputs_dir=out / name)
        seen: dict[str, float] = {}
        clients[name] = (conn, counter, seen)
        tasks += [follow_one(conn, rng.uniform(0, 2.0), run_s + rng.uniform(0, 2.0), server, lock, seen)
                  for _ in range(jobs)]
    await asyncio.gather(*tasks)
    jobs_info = server.stats()["jobs"]
    for name, (conn, counter, seen) in clients.items():
        lags = []
        for rid, at in seen.items():
            finished = datetime.fromisoformat(jobs_info[rid]["finished_at"].replace("Z", "+00:00"))
            lags.append(at - finished.timestamp())
        results[name] = (lags, [counter.counts[rid] for rid in seen])
        await conn.aclose()
    return results


def main() -> None:
    """Run both plans side by side and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--jobs", type=int, default=12, help="jobs per plan")
    args = parser.parse_args()
    queue_s, run_s = (1.0, 5.0) if args.quick else (10.0, 50.0)
    plans = {"ours (PollPlan)": PollPlan(), "official CLI (fixed 2 s)": PollPlan.fixed(2.0)}
    with TemporaryDirectory() as tmp, OfflineServer(OfflineConfig(queue_s=queue_s, run_s=run_s)) as server:
        results = asyncio.run(measure(plans, args.jobs, run_s, server, Path(tmp)))
    print(f"stand-in job: {queue_s:g} s queue + {run_s:g}-{run_s + 2:g} s run; "
          f"{args.jobs} jobs per plan, side by side")
    header = f"{'seen after finish: median':>26s} {'max':>7s} {'requests: median':>17s} {'max':>5s}"
    print(f"{'plan':28s} {header}")
    for name, (lags, counts) in results.items():
        print(f"{name:28s} {statistics.median(lags):25.2f}s {max(lags):6.2f}s "
              f"{statistics.median(counts):17.0f} {max(counts):5d}")
    ours_lag, ours_req = results["ours (PollPlan)"]
    cli_lag, cli_req = results["official CLI (fixed 2 s)"]
    print(f"ratio ours/CLI: latency {statistics.median(ours_lag) / statistics.median(cli_lag):.2f}x, "
          f"requests {statistics.median(ours_req) / statistics.median(cli_req):.2f}x")
    if not args.quick:
        ok = statistics.median(ours_lag) <= 1.0 and max(ours_req) <= 35
        print(f"targets (median <= 1.0 s, <= 35 requests): {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
