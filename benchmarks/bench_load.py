"""Load: 50 visitors at once through gradio_client, a full queue, and big decodes, on loopback.

Run: ``python benchmarks/bench_load.py`` (about 4 minutes; ``--quick`` runs 10 visitors on 1 s + 2 s
jobs, ``--ramp-s 10`` spreads the arrivals, ``--skip-queue-full`` skips the three small scenarios).
The app is ``app.py`` in a subprocess (see ``tests/app/test_reliability.py``: a loop-lag monitor runs on
the server's own event loop and logs garbage collections). The stand-in (RunComfy's part) and the
visitors share this 2-core machine with the app. The visitors, and the 51st visitor's Chromium, only
get the CPU the app leaves idle (Linux's SCHED_IDLE, which Chromium may not undo: see
:func:`yield_cpu_to_app`), as on the real service they would be other machines. The stand-in does
not (a scheduling policy belongs to a thread, and its server threads start before the visitors'),
so it competes with the app as an equal: a harsher test than the real service. The stand-in's one
render (every visitor sends the same picture) is made before the clock starts: RunComfy's GPUs are
not this machine's CPUs. The machine's load average is printed: other work on it shows in the figures.

Scenarios: a full queue (concurrency 1, queue 1, 5 visitors: what the extra ones are told); three
4096x4096 decodes and a bomb while a fourth visitor loads the page; 40 visitors fetching the config
and joining the queue in the same instant, with and without ``ui.admission.TakeTurns`` side by
side (these three are in ``load_scenarios.py``); then the main load.
Targets: every job completes, submissions at the stand-in = visitors (nothing lost, nothing sent
twice), a 51st visitor's page loads in under 1 s, the event loop never stalls over 100 ms.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load_scenarios import arrival_burst_run, decode_run, print_small_scenarios, queue_full_run
from client.offline import OfflineConfig, OfflineServer
from tests.app.test_reliability import (
    CHROMIUM,
    AppProcess,
    Latencies,
    crowd,
    latency_probe,
    launch_app,
    launch_chromium,
    visit,
)

PR_CAPBSET_DROP, CAP_SYS_NICE = 24, 23  # from <linux/prctl.h> and <linux/capability.h>


def yield_cpu_to_app() -> None:
    """Make this thread, and all it starts later, use only the CPU the app leaves idle.

    Its threads and processes (the visitors, Playwright's driver, the 51st visitor's Chromium) play
    people on other machines. Linux's SCHED_IDLE policy gives them the CPU only when nothing else
    wants it, and the kernel lets a waking app thread take the CPU from them at once. A nice value
    does not: with ``nice 10`` the app's event loop still waited behind the visitors for a CPU on
    every wake-up (this kernel runs the current task to the end of its time slice first), and
    Chromium, run as root, set its own processes back to nice 0, 5 and -8. Dropping CAP_SYS_NICE
    from this thread's bounding set keeps every process started afterwards from raising its
    priority again. Elsewhere (no SCHED_IDLE) the thread only gets ``nice 19``.
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_CAPBSET_DROP, CAP_SYS_NICE, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: then nothing holds the capability to drop
    if hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    else:
        os.nice(19)


def browser_page_load(url: str) -> float | None:
    """Seconds until a fresh Chromium shows the Generate button; None if Playwright is unavailable."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not CHROMIUM.exists():
        return None
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(url, wait_until="domcontentloaded", timeout=30_000)
            page.wait_for_selector("#generate", state="visible", timeout=30_000)
            return time.perf_counter() - start
        finally:
            browser.close()


def plain_page_load(url: str) -> float:
    """Seconds for GET / and GET /config (what the page's first paint needs from the server)."""
    start = time.perf_counter()
    with httpx.Client(timeout=30) as http:
        http.get(url).raise_for_status()
        http.get(url + "config").raise_for_status()
    return time.perf_counter() - start


def warm_render(app: AppProcess, server: OfflineServer) -> None:
    """One quick job so the stand-in's render cache holds the video (see the module docstring)."""
    server.configure(queue_s=0.2, run_s=0.2)
    outcome = visit(app, timeout=120)
    if not outcome["ok"]:
        raise SystemExit(f"warm-up job failed: {outcome}")


def load_run(
    visitors: int, queue_s: float, run_s: float, work: Path, *, ramp_s: float = 0.0
) -> dict[str, Any]:
    """The main scenario; returns the figures."""
    figures: dict[str, Any] = {}
    with OfflineServer(OfflineConfig(queue_s=queue_s, run_s=run_s, start_position=10)) as server, \
            launch_app(server.base_url, work / "app") as app:
        warm_render(app, server)
        server.reset()
        server.configure(queue_s=queue_s, run_s=run_s, start_position=10)
        figures["rss_idle_mb"] = app.peak_rss_mb()
        with latency_probe(app.url, work / "probe") as probed:
            yield_cpu_to_app()
            start, end, results = _crowd_and_51st_visitor(
                app, server, visitors, queue_s, run_s, ramp_s, figures)
        figures.update(_crowd_figures(app, server.stats(), results, visitors, start, end))
        figures.update(_probe_figures(probed[0]))
    return figures


def _crowd_and_51st_visitor(
    app: AppProcess, server: OfflineServer, visitors: int, queue_s: float, run_s: float, ramp_s: float,
    figures: dict[str, Any],
) -> tuple[float, float, list[dict[str, Any]]]:
    """Send the crowd, time a 51st visitor's page into ``figures``; the crowd's start, end and results."""
    start = time.time()
    results: list[dict[str, Any]] = []
    stagger = ramp_s / visitors
    runner = threading.Thread(
        target=lambda: results.extend(crowd(app, visitors, stagger_s=stagger, timeout=900)))
    runner.start()
    # The 51st visitor arrives once every job is in flight (queued or running at the stand-in).
    deadline = time.monotonic() + 120 + ramp_s
    while server.stats()["submissions"] < visitors and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)
    figures["visitor_51_at"] = time.time() - start
    figures["page_plain_s"] = plain_page_load(app.url)
    figures["page_browser_s"] = browser_page_load(app.url)
    figures["page_plain_later_s"] = plain_page_load(app.url)
    runner.join(queue_s + run_s + 600)
    end = time.time()
    return start, end, results


def _crowd_figures(
    app: AppProcess, stats: dict[str, Any], results: list[dict[str, Any]], visitors: int, start: float,
    end: float,
) -> dict[str, Any]:
    """The crowd's figures: from its results, the stand-in's ``stats`` and the app's logs."""
    created = [_wall(j["created_at"]) for j in stats["jobs"].values()]
    finished = {rid: _wall(j["finished_at"]) for rid, j in stats["jobs"].items() if j["finished_at"]}
    delivery = [r["ended_at"] - finished[r["request_id"]] for r in results
                if r.get("request_id") in finished]
    return dict(
        submitted_within_s=max(created) - start if created else float("nan"),
        delivery_median_s=statistics.median(delivery) if delivery else float("nan"),
        delivery_max_s=max(delivery, default=float("nan")),
        wall_s=end - start,
        start=start,
        visitors=visitors,
        ok=sum(1 for r in results if r["ok"]),
        errors=[r["error"] for r in results if "error" in r][:5],
        submissions=stats["submissions"],
        unique_ids=len({r.get("request_id") for r in results if r.get("request_id")}),
        standin_completed=sum(1 for j in stats["jobs"].values() if j["state"] == "completed"),
        calls=stats["calls"],
        connect_max_s=max((r.get("connect_s", 0.0) for r in results), default=0.0),
        total_median_s=statistics.median(r["total_s"] for r in results) if results else 0.0,
        lag=app.loop_lag_ms(start, end),
        worst_lags=sorted(app.loop_lags(start, end), key=lambda row: -row[1])[:5],
        phases=_phases(start, created, list(finished.values())),
        gc_pauses=app.gc_pauses_ms(start, end),
        rss_peak_mb=app.peak_rss_mb(),
    )


def _probe_figures(probe: Latencies) -> dict[str, Any]:
    """What the latency probe saw while the crowd ran."""
    return {
        "probe_info_max_ms": probe.worst(probe.info),
        "probe_info_p95_ms": _p95([ms for _, ms in probe.info]),
        "probe_page_max_ms": probe.worst(probe.page),
        "probe_errors": probe.errors,
        "probe_samples": len(probe.info),
    }


def _phases(start: float, created: list[float], finished: list[float]) -> dict[str, tuple[float, float]]:
    """When the submissions and the stand-in's finishes happened, in seconds after ``start``."""
    spans = {"submissions": created, "finishes": finished}
    return {name: (min(v) - start, max(v) - start) for name, v in spans.items() if v}


def _wall(stamp: str) -> float:
    """An ISO time from the stand-in's stats as ``time.time()`` seconds."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def parse_args() -> argparse.Namespace:
    """The command line's options (``--quick`` sets the visitors and the jobs' seconds)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--queue-s", type=float, default=20.0)
    parser.add_argument("--run-s", type=float, default=40.0)
    parser.add_argument("--quick", action="store_true", help="10 visitors, 1 s + 2 s jobs")
    parser.add_argument("--ramp-s", type=float, default=0.0,
                        help="visitors arrive evenly over this many seconds (default 0: all at once)")
    parser.add_argument("--skip-queue-full", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.visitors, args.queue_s, args.run_s = 10, 1.0, 2.0
    return args


def print_load(f: dict[str, Any], args: argparse.Namespace) -> None:
    """Print the main scenario's figures."""
    lag_ms, samples = f["lag"]
    arrival = f"arriving over {args.ramp_s:g} s" if args.ramp_s else "at once"
    print(f"load: {f['visitors']} visitors {arrival}, stand-in jobs {args.queue_s:g} s queued + "
          f"{args.run_s:g} s running, {f['wall_s']:.0f} s wall")
    print(f"  completed {f['ok']}/{f['visitors']}; submissions at the stand-in {f['submissions']}, distinct "
          f"request ids {f['unique_ids']}, stand-in jobs completed {f['standin_completed']}")
    if f["errors"]:
        print(f"  errors: {f['errors']}")
    print(f"  stand-in calls: {f['calls']}")
    print(f"  visitor connect (gradio_client) max {f['connect_max_s']:.2f} s; all {f['visitors']} jobs "
          f"submitted within {f['submitted_within_s']:.1f} s; visitor's wait median "
          f"{f['total_median_s']:.1f} s")
    print(f"  video in the visitor's hands {f['delivery_median_s']:.1f} s after the stand-in finished "
          f"(median; max {f['delivery_max_s']:.1f} s)")
    browser = f["page_browser_s"]
    browser_text = f"{browser:.2f} s" if browser is not None else "n/a (no Playwright/Chromium)"
    print(f"  51st visitor's page: GET / + /config {f['page_plain_s'] * 1000:.0f} ms "
          f"(again {f['page_plain_later_s'] * 1000:.0f} ms); Chromium to a usable page {browser_text}")
    print(f"  probe every 50 ms: /gradio_api/info max {f['probe_info_max_ms']:.0f} ms (p95 "
          f"{f['probe_info_p95_ms']:.0f} ms, {f['probe_samples']} samples); GET / each second max "
          f"{f['probe_page_max_ms']:.0f} ms; failed requests {f['probe_errors']}")
    gc_text = ", ".join(f"{p:.0f}" for p in sorted(f["gc_pauses"], reverse=True)[:5]) or "none"
    print(f"  event loop: max lag {lag_ms:.0f} ms over {samples} samples of 50 ms; GC pauses over 10 ms: "
          f"{gc_text}")
    worst = ", ".join(f"{ms:.0f} ms at +{t - f['start']:.1f} s" for t, ms in f["worst_lags"]) or "none"
    spans = "; ".join(f"{name} +{a:.1f}..+{b:.1f} s" for name, (a, b) in f["phases"].items())
    spans += f"; 51st visitor +{f['visitor_51_at']:.1f} s"
    print(f"  worst stalls: {worst} ({spans})")
    print(f"  app memory: peak RSS (VmHWM) {f['rss_peak_mb']:.0f} MB "
          f"(idle after start {f['rss_idle_mb']:.0f} MB)")


def main() -> None:
    """Run both scenarios and print the figures."""
    args = parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        if not args.skip_queue_full:
            full = queue_full_run(work)
            decode = decode_run(work)
            burst = arrival_burst_run(work)
        f = load_run(args.visitors, args.queue_s, args.run_s, work, ramp_s=args.ramp_s)
    print_load(f, args)
    if not args.skip_queue_full:
        print_small_scenarios(full, decode, burst)
    print(f"machine load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
