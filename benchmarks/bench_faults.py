"""Faults: 30 % failing polls, a 60 s outage, a lost submit answer, broken and expired video links.

Run: ``python benchmarks/bench_faults.py`` (about 4 minutes; ``--quick`` shrinks every timing for a
smoke test). Everything targets the loopback stand-in; the app is ``app.py`` in a subprocess
(``tests/app/test_reliability.py`` launches it) and visitors come through gradio_client.

1. Amplification: the same jobs (20 s queued + 40 s running) side by side on two stand-ins, one
   clean and one where 30 % of status/result calls fail (7.5 % each: 500, HTML 502, 429 with
   Retry-After 1 s, dropped connection), through the real client. Figure: requests seen by the
   faulty stand-in / by the clean one (target <= 1.5x), and how much later the end was noticed.
2. Outage: jobs through the app; 10 s after they start, the stand-in drops every call for 60 s.
   Figure: every video delivered, and how long after the outage ended.
3. Lost submit answer (drop_after_submit): the visitor's message, the submissions counted after a
   wait, then ``python -m client recover ID``.
4. The video download cut off once (retried), always (reported), and an expired link (403).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from client.offline import OfflineConfig, OfflineServer
from tests.app.test_reliability import (
    SERVER_KEY,
    completed,
    launch_app,
    requests_seen,
    run_jobs,
    thirty_percent_faults,
    visit,
)
from tests.apps import ROOT


def _finished_wall(job: dict[str, Any]) -> float | None:
    stamp = job.get("finished_at")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() if stamp else None


def _noticed_after(stats: dict[str, Any], seen: dict[str, float]) -> list[float]:
    """Seconds between each job's end at the stand-in and the client learning of it."""
    gaps = []
    for rid, job in stats["jobs"].items():
        end = _finished_wall(job)
        if end is not None and rid in seen:
            gaps.append(seen[rid] - end)
    return gaps


def amplification(jobs: int, queue_s: float, run_s: float, work: Path) -> dict[str, Any]:
    """Scenario 1: clean and faulty stand-ins side by side, same jobs."""
    config = OfflineConfig(queue_s=queue_s, run_s=run_s, start_position=5)
    with OfflineServer(config) as clean, OfflineServer(config) as faulty:
        faulty.configure(faults=thirty_percent_faults())
        seen_clean: dict[str, float] = {}
        seen_faulty: dict[str, float] = {}

        async def both() -> tuple[list[Any], list[Any]]:
            return await asyncio.gather(
                run_jobs(clean.base_url, work / "clean", jobs, seen=seen_clean),
                run_jobs(faulty.base_url, work / "faulty", jobs, seen=seen_faulty),
            )

        start = time.monotonic()
        results_clean, results_faulty = asyncio.run(both())
        wall = time.monotonic() - start
        stats_clean, stats_faulty = clean.stats(), faulty.stats()
    return {
        "jobs": jobs, "wall_s": wall,
        "completed": (completed(results_clean), completed(results_faulty)),
        "submissions": (stats_clean["submissions"], stats_faulty["submissions"]),
        "calls": (stats_clean["calls"], stats_faulty["calls"]),
        "ratio": requests_seen(stats_faulty) / requests_seen(stats_clean),
        "noticed": (_noticed_after(stats_clean, seen_clean), _noticed_after(stats_faulty, seen_faulty)),
    }


def outage(visitors: int, queue_s: float, run_s: float, outage_s: float, work: Path) -> dict[str, Any]:
    """Scenario 2: an outage of ``outage_s`` seconds starting 10 s into the jobs, through the app."""
    with OfflineServer(OfflineConfig(queue_s=queue_s, run_s=run_s)) as server, \
            launch_app(server.base_url, work / "outage") as app:
        server.configure(queue_s=0.2, run_s=0.2)
        visit(app, timeout=60)  # the stand-in's render, before the clock
        server.reset()
        server.configure(queue_s=queue_s, run_s=run_s)
        results: list[dict[str, Any]] = []
        delivered: list[float] = []

        def one() -> None:
            outcome = visit(app, timeout=1800)
            delivered.append(time.time())
            results.append(outcome)

        threads = [threading.Thread(target=one) for _ in range(visitors)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while server.stats()["submissions"] < visitors and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(max(0.0, min(10.0, queue_s / 2)))
        server.configure(outage_seconds=outage_s)
        outage_end = time.time() + outage_s
        for thread in threads:
            thread.join(1800)
        stats = server.stats()
    return {
        "visitors": visitors, "ok": sum(r["ok"] for r in results), "submissions": stats["submissions"],
        "calls": stats["calls"], "after_outage_s": [t - outage_end for t in delivered],
        "errors": [r["error"] for r in results if not r["ok"]],
    }


def lost_submit(work: Path, wait_s: float) -> dict[str, Any]:
    """Scenario 3: the submit's answer is lost after the job was created."""
    with OfflineServer(OfflineConfig(queue_s=0.5, run_s=0.5)) as server, \
            launch_app(server.base_url, work / "lost") as app:
        server.configure(faults=[{"endpoint": "submit", "kind": "drop_after_submit", "times": 1}])
        outcome = visit(app, timeout=60)
        time.sleep(wait_s)
        stats = server.stats()
        (request_id,) = stats["jobs"]
        env = {**os.environ, "RUNCOMFY_API_TOKEN": SERVER_KEY, "RUNCOMFY_BASE_URL": server.base_url,
               "RUNCOMFY_DATA_DIR": str(app.home / "data"), "RUNCOMFY_OUTPUT_DIR": str(app.home / "outputs")}
        command = [sys.executable, "-m", "client", "recover", request_id, "--json"]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        record = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {}
        return {
            "message": outcome.get("error", "(no error!)"), "submissions_after_wait": stats["submissions"],
            "submit_calls": stats["calls"]["submit"], "recover_exit": done.returncode,
            "recovered_state": record.get("state"), "recovered_video": record.get("video_path"),
            "submissions_after_recover": server.stats()["submissions"],
        }


def broken_video(work: Path) -> dict[str, Any]:
    """Scenario 4: a download cut off once, cut off every time, and an expired link."""
    out: dict[str, Any] = {}
    with OfflineServer(OfflineConfig(queue_s=0.3, run_s=0.3)) as server, \
            launch_app(server.base_url, work / "video") as app:
        cases = {
            "cut off once": {"faults": [{"endpoint": "video", "kind": "drop", "times": 1}]},
            "cut off every time": {"faults": [{"endpoint": "video", "kind": "drop"}]},
            "expired link (403)": {"video_ttl_s": 0.0},
        }
        for name, knobs in cases.items():
            server.reset()
            server.configure(queue_s=0.3, run_s=0.3, **knobs)
            outcome = visit(app, timeout=120)
            stats = server.stats()
            (request_id,) = stats["jobs"]
            out[name] = {"ok": outcome["ok"], "message": outcome.get("error", ""),
                         "video_calls": stats["calls"]["video"],
                         "id_in_message": request_id in outcome.get("error", "")}
    return out


def main() -> None:
    """Run the four scenarios and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="short timings for a smoke test")
    args = parser.parse_args()
    # The client warns on every failed poll it waits out: here that is the point, not news.
    logging.getLogger("client").setLevel(logging.ERROR)
    if args.quick:
        jobs, queue_s, run_s, outage_s, visitors, wait_s = 5, 1.0, 2.0, 5.0, 3, 2.0
    else:
        jobs, queue_s, run_s, outage_s, visitors, wait_s = 20, 20.0, 40.0, 60.0, 5, 30.0
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
        work = Path(tmp)
        amp = amplification(jobs, queue_s, run_s, work)
        print(f"1. 30 % of status/result calls failing, {jobs} jobs "
              f"({queue_s:g} s queued + {run_s:g} s running):")
        print(f"   completed clean {amp['completed'][0]}/{jobs}, faulty {amp['completed'][1]}/{jobs}; "
              f"submissions {amp['submissions'][0]} / {amp['submissions'][1]}")
        print(f"   requests at the stand-in: clean {amp['calls'][0]}")
        print(f"                             faulty {amp['calls'][1]}")
        print(f"   amplification {amp['ratio']:.2f}x (target <= 1.5x)")
        clean_gap, faulty_gap = amp["noticed"]
        if clean_gap and faulty_gap:
            print(f"   end noticed after the stand-in's finish: clean median "
                  f"{statistics.median(clean_gap):.2f} s "
                  f"(max {max(clean_gap):.2f}), faulty median {statistics.median(faulty_gap):.2f} s "
                  f"(max {max(faulty_gap):.2f})")

        out = outage(visitors, queue_s, run_s, outage_s, work)
        after = out["after_outage_s"]
        print(f"2. {outage_s:g} s outage {min(10.0, queue_s / 2):g} s into {visitors} jobs through the app: "
              f"{out['ok']}/{visitors} videos, submissions {out['submissions']}")
        print(f"   delivered {min(after):.1f}-{max(after):.1f} s after the outage ended (overall deadline "
              f"1800 s); calls {out['calls']}")
        if out["errors"]:
            print(f"   errors: {out['errors']}")

        lost = lost_submit(work, wait_s)
        print(f"3. submit answer lost: the visitor read: {lost['message']}")
        print(f"   after {wait_s:g} s: submissions {lost['submissions_after_wait']} (submit calls "
              f"{lost['submit_calls']}); `python -m client recover ID` exit {lost['recover_exit']}, state "
              f"{lost['recovered_state']}, video {lost['recovered_video']}; submissions still "
              f"{lost['submissions_after_recover']}")

        for name, case in broken_video(work).items():
            told = case["message"] or "(video delivered)"
            print(f"4. video {name}: ok={case['ok']}, video requests {case['video_calls']}, "
                  f"request id in the message: {case['id_in_message']}; told: {told}")
    print(f"machine load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
