"""Twenty generations at once through ``/generate``, against one alone: does the app keep up?

Run: ``python benchmarks/bench_concurrent.py`` (options: ``--jobs 20``, ``--queue-seconds 1``,
``--run-seconds 4``, ``--visitor-keys``, and for finding what is slow ``--profile FILE`` and
``--asyncio-debug``). It starts the stand-in on loopback (5 s jobs: 1 s queued + 4 s running) and
``python app.py`` with a fake server key pointing at it, each in its own process and empty folder.
Each caller is its own ``gradio_client.Client`` in its own thread (made before the clock starts, like
visitors already on the page), sending the same JPEG; with ``--visitor-keys`` each also sends its own
``x-api-key``.

An unmeasured warm-up run comes first: it fills the stand-in's render cache (identical images are
rendered once, so the 20 measure the app, not the stand-in's two render threads) and the app's lazy
imports. Then the median of three single runs, then ``--jobs`` at once. Target: the 20 together
within 1.5x one alone. It also prints where each job's time went, on the stand-in's clock (before the
job existed: upload, checks, submit; the job; after it ended: polling, download, streaming back),
the CPU each process used, and the machine's load average (this machine is shared: other work on
its two cores shows up here as slowness).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from subprocess import Popen
from typing import Any

import httpx
from gradio_client import Client, handle_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from benchmarks.bench_app_start import app_env, free_port, launch, stop, wait_ok
from tests.samples import photo

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.5
SERVER_KEY = "fake-bench-server-key"
PROMPT = "A slow dolly-in on the sunlit shapes, soft light, cinematic"
# app.py under two optional diagnostics (no profiler is installed here, so a small one):
# - asyncio debug mode forced on (uvicorn turns it off for its loop, whatever PYTHONASYNCIODEBUG
#   says), its warnings for callbacks blocking the loop over 100 ms going to the log;
# - a stack sampler: while the file FLAG exists, every 5 ms, the innermost frame of each busy thread
#   (and every frame on its stack), counted and written to OUT when the app is terminated.
WRAPPER = """import asyncio, collections, logging, os, runpy, signal, sys, threading, time
if {debug}:
    _set_debug = asyncio.BaseEventLoop.set_debug
    asyncio.BaseEventLoop.set_debug = lambda loop, enabled: _set_debug(loop, True)
    logging.basicConfig(format="%(asctime)s %(name)s %(message)s")
FLAG, OUT = {flag!r}, {out!r}
IDLE = {{"select", "poll", "wait", "sleep", "_worker", "block_thread", "accept", "get"}}
leaf, anywhere, total = collections.Counter(), collections.Counter(), collections.Counter()
def name(f):
    return f"{{f.f_code.co_name}} ({{os.path.basename(f.f_code.co_filename)}}:{{f.f_lineno}})"
def sample():
    me = threading.get_ident()
    while True:
        time.sleep(0.005)
        if not os.path.exists(FLAG):
            continue
        names = {{t.ident: t.name.split("_")[0].split(" ")[0] for t in threading.enumerate()}}
        for ident, frame in sys._current_frames().items():
            if ident == me or frame.f_code.co_name in IDLE:
                continue
            kind = names.get(ident, "?")
            total[kind] += 1
            leaf[(kind, name(frame))] += 1
            seen = set()
            while frame is not None:
                seen.add((kind, f"{{frame.f_code.co_name}} ({{os.path.basename(frame.f_code.co_filename)}})"))
                frame = frame.f_back
            anywhere.update(seen)
def dump(*_):
    if OUT:
        with open(OUT, "w") as out:
            out.write(f"busy samples by thread kind: {{dict(total)}}\\n\\n== innermost frame ==\\n")
            out.writelines(f"{{n:6d}} {{k:10s}} {{s}}\\n" for (k, s), n in leaf.most_common(40))
            out.write("\\n== anywhere on the stack ==\\n")
            out.writelines(f"{{n:6d}} {{k:10s}} {{s}}\\n" for (k, s), n in anywhere.most_common(80))
    os._exit(0)
if OUT:
    signal.signal(signal.SIGTERM, dump)
    threading.Thread(target=sample, daemon=True).start()
runpy.run_path({app!r}, run_name="__main__")
"""


@dataclass
class Run:
    """One generation as its caller saw it (wall-clock seconds since the epoch)."""

    start: float
    end: float
    facts: dict[str, Any]
    video: Path

    @property
    def seconds(self) -> float:
        return self.end - self.start


def generate(client: Client, image: Path) -> Run:
    start = time.time()
    video, facts = client.predict(PROMPT, handle_file(str(image)), -1, 121, "", api_name="/generate")
    end = time.time()
    path = Path(video["video"] if isinstance(video, dict) else video)
    run = Run(start, end, facts, path)
    assert facts.get("frames") == 121 and facts.get("request_id"), facts
    assert path.is_file() and path.stat().st_size > 1000, path
    return run


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def breakdown(runs: list[Run], jobs: dict[str, Any]) -> str:
    """Min, median and max of: before the job existed, the job, after it ended (stand-in clock)."""
    parts: dict[str, list[float]] = {"before job": [], "job": [], "after job": []}
    for run in runs:
        job = jobs[run.facts["request_id"]]
        created, finished = epoch(job["created_at"]), epoch(job["finished_at"])
        parts["before job"].append(created - run.start)
        parts["job"].append(finished - created)
        parts["after job"].append(run.end - finished)
    if len(runs) == 1:
        return "  ".join(f"{k} {v[0]:5.2f} s" for k, v in parts.items())
    return (
        "  ".join(f"{k} {min(v):.2f}/{statistics.median(v):.2f}/{max(v):.2f} s" for k, v in parts.items())
        + "  (min/median/max)"
    )


def slow_callbacks(log: Path) -> str:
    """The app log's asyncio warnings for callbacks that held the event loop over 100 ms."""
    found = []
    for line in log.read_text(errors="replace").splitlines():
        if " took " in line and "Executing" in line:
            what, _, took = line.partition("Executing ")[2].rpartition(" took ")
            found.append((float(took.split()[0]), what[:150]))
    worst = "".join(f"\n  {seconds:.3f} s  {what}" for seconds, what in sorted(found, reverse=True)[:5])
    return f"{len(found)} event-loop callbacks over 100 ms; the longest:{worst}"


def parse_args() -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--queue-seconds", type=float, default=1.0)
    parser.add_argument("--run-seconds", type=float, default=4.0)
    parser.add_argument("--visitor-keys", action="store_true", help="each caller sends its own x-api-key")
    parser.add_argument("--profile", type=Path, help="sample the app's threads during the concurrent run")
    parser.add_argument("--asyncio-debug", action="store_true",
                        help="log callbacks blocking the app's loop (slows the app: not with --profile)")
    return parser.parse_args()


def start_processes(work: Path, args: argparse.Namespace,
                    flag: Path) -> tuple[Popen[bytes], Popen[bytes], int, int]:
    """Launch the stand-in, then app.py against it (under :data:`WRAPPER` if a diagnostic is asked for)."""
    standin_port, app_port = free_port(), free_port()
    (work / "standin").mkdir()
    script = work / "standin" / "serve.py"
    script.write_text("from client.offline import OfflineConfig, serve\n"
                      f"serve(port={standin_port}, config=OfflineConfig(queue_s={args.queue_seconds}, "
                      f"run_s={args.run_seconds}), log_level='warning')\n")
    standin = launch(script, work / "standin", app_env(work / "standin", 0))
    env = app_env(work / "app", app_port, RUNCOMFY_API_TOKEN=SERVER_KEY,
                  RUNCOMFY_BASE_URL=f"http://127.0.0.1:{standin_port}/v1",
                  RUNCOMFY_HOURLY_LIMIT=str(10 * args.jobs))  # one visitor (127.0.0.1) makes every call here
    wrapper = work / "app_wrapped.py"
    wrapper.write_text(WRAPPER.format(debug=args.asyncio_debug, flag=str(flag), app=str(ROOT / "app.py"),
                                      out=str(args.profile.resolve()) if args.profile else ""))
    diagnosed = args.asyncio_debug or args.profile
    app = launch(wrapper if diagnosed else ROOT / "app.py", work / "app", env)
    return standin, app, standin_port, app_port


def make_client(url: str, work: Path, visitor_keys: bool, i: int) -> Client:
    """Caller ``i``'s own gradio_client, downloading into its own folder."""
    headers = {"x-api-key": f"fake-bench-visitor-{i:02d}"} if visitor_keys else None
    # ssl_verify=False: gradio_client opens a new httpx client for each request, and with
    # verification on each one loads the CA bundle: ~0.25 s of CPU per generation in this
    # process, on the app's two cores. Loopback HTTP has no TLS to verify anyway.
    return Client(url, headers=headers, verbose=False, analytics_enabled=False, ssl_verify=False,
                  download_files=str(work / "downloads" / str(i)))


def concurrent_runs(clients: list[Client], image: Path, pids: dict[str, int],
                    flag: Path) -> tuple[list[Run], dict[str, float]]:
    """Every client generates at once (released by a barrier); the runs and each process's CPU seconds."""
    gate = threading.Barrier(len(clients))

    def go(c: Client) -> Run:
        gate.wait(30)
        return generate(c, image)

    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    flag.touch()
    with ThreadPoolExecutor(len(clients)) as pool:
        runs = list(pool.map(go, clients))
    flag.unlink()
    return runs, {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}


def measure(args: argparse.Namespace,
            work: Path) -> tuple[list[Run], list[Run], dict[str, float], dict[str, Any]]:
    """Start both servers, run the warm-up, three singles, then the concurrent run; the stand-in's stats."""
    image = work / "photo.jpg"
    image.write_bytes(photo(1280, 720, "JPEG", quality=90))
    flag = work / "sampling"
    standin, app, standin_port, app_port = start_processes(work, args, flag)
    admin = f"http://127.0.0.1:{standin_port}/_offline"
    try:
        wait_ok(f"{admin}/stats", standin, 60)
        url = f"http://127.0.0.1:{app_port}/"
        wait_ok(url, app)
        client = partial(make_client, url, work, args.visitor_keys)
        started = time.perf_counter()
        generate(client(99), image)
        print(f"warm-up run (renders the video once): {time.perf_counter() - started:.2f} s")
        singles = []
        for i in range(3):
            httpx.post(f"{admin}/reset", timeout=10)
            singles.append(generate(client(90 + i), image))
            jobs = httpx.get(f"{admin}/stats", timeout=10).json()["jobs"]
            alone = singles[-1]
            print(f"one alone, run {i + 1}: {alone.seconds:5.2f} s   {breakdown([alone], jobs)}")
        httpx.post(f"{admin}/reset", timeout=10)
        with ThreadPoolExecutor(args.jobs) as pool:
            clients = list(pool.map(client, range(args.jobs)))
        pids = {"app": app.pid, "stand-in": standin.pid, "callers (this process)": os.getpid()}
        runs, cpu = concurrent_runs(clients, image, pids, flag)
        stats = httpx.get(f"{admin}/stats", timeout=10).json()
    finally:
        stop(app)
        stop(standin)
    return singles, runs, cpu, stats


def report(args: argparse.Namespace, singles: list[Run], runs: list[Run], cpu: dict[str, float],
           stats: dict[str, Any], load_before: tuple[float, float, float], slow: str) -> None:
    """Check every job came back completed, then print the figures and the verdict."""
    jobs = stats["jobs"]
    assert len({r.facts["request_id"] for r in runs}) == args.jobs == len(jobs), "a job is missing"
    assert all(j["state"] == "completed" for j in jobs.values()), jobs
    single = statistics.median(r.seconds for r in singles)
    wall = max(r.end for r in runs) - min(r.start for r in runs)
    each = sorted(r.seconds for r in runs)
    print(f"one alone: median {single:5.2f} s of {len(singles)} runs")
    print(f"{args.jobs} at once: wall {wall:5.2f} s; each median {statistics.median(each):5.2f} s, "
          f"fastest {each[0]:5.2f} s, slowest {each[-1]:5.2f} s; all {len(runs)} succeeded")
    print(f"{args.jobs} at once, where the time went: {breakdown(runs, jobs)}")
    used = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in cpu.items())
    print(f"CPU used while the {args.jobs} ran ({os.cpu_count()} cores, {wall:.2f} s wall): {used}")
    print(f"stand-in: {stats['submissions']} submissions, {stats['renders']} renders since it started "
          f"(render cache), calls {stats['calls']}")
    print(f"machine load average (1 min) before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    if slow:
        print(slow)
    if args.profile:
        print(f"app stack samples during the concurrent run: {args.profile}")
    ratio = wall / single
    verdict = "met" if ratio <= TARGET else "MISSED"
    keys = "each its own x-api-key" if args.visitor_keys else "the app's server key"
    print(f"summary: {args.jobs} concurrent generations ({args.queue_seconds:g} s queue + "
          f"{args.run_seconds:g} s run, {keys}) took {wall:.2f} s vs {single:.2f} s for one: "
          f"{ratio:.2f}x; target <= {TARGET}x {verdict}")


def main() -> None:
    """The warm-up, the single runs and the concurrent run, then their report."""
    args = parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-concurrent-") as tmp:
        work = Path(tmp)
        singles, runs, cpu, stats = measure(args, work)
        slow = slow_callbacks(work / "app" / "app.log") if args.asyncio_debug else ""
    report(args, singles, runs, cpu, stats, load_before, slow)


if __name__ == "__main__":
    main()
