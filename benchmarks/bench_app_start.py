"""App cold start: ``python app.py`` to its first HTTP 200 on ``/``, against a bare Gradio app.

Run: ``python benchmarks/bench_app_start.py [--rounds 7]``. The bare app is ``gr.Blocks()`` with one
Textbox, launched the same way (a fresh interpreter, same environment, an empty working folder).
Commands are interleaved so machine noise hits all alike; prints each median in ms, its ratio to
the bare app and whether the target (at most 1.2x) is met, and beside it the CPU time each process
used until then (steadier than wall time when other work loads the machine; the load average is
printed too). The app is measured twice: with a
(fake) server key, as on a Space with its secret, and with no key (the offline preview, which also
builds the in-process stand-in).

The launch helpers here (:func:`app_env`, :func:`launch`, :func:`wait_ok`, and ``free_port`` and
``stop`` from ``tests/apps.py``) are shared with ``bench_concurrent.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

# free_port and stop are re-exported: bench_concurrent.py and tests/ui/test_browser.py import them from here.
from tests.apps import free_port, stop

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.2
BARE = "bare gr.Blocks + Textbox"
BARE_APP = """import gradio as gr

with gr.Blocks() as demo:
    gr.Textbox()
demo.launch()
"""
# A loopback port nothing listens on: the app never calls the API at start, and if it did it would
# be refused at once rather than reach the real one.
UNUSED_API = "http://127.0.0.1:9/v1"


def app_env(home: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment of a launched app: no RUNCOMFY_* from this shell, its folders under ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNCOMFY_") and k != "SPACE_ID"}
    env.update(
        {
            "RUNCOMFY_OUTPUT_DIR": str(home / "outputs"),
            "RUNCOMFY_DATA_DIR": str(home / "data"),
            "GRADIO_SERVER_PORT": str(port),
            "GRADIO_TEMP_DIR": str(home / "gradio"),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


def launch(script: Path, home: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start ``python script`` in ``home`` (an empty folder: no developer's .env is read)."""
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "app.log").open("wb")
    try:
        return subprocess.Popen([sys.executable, str(script)], cwd=home, env=env, stdout=log, stderr=log)
    finally:
        log.close()  # the child keeps its own handle


def wait_ok(url: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    """Poll ``url`` every 10 ms until it answers 200; raise if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{url}: the app exited with code {process.returncode}")
            try:
                if http.get(url).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.01)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cold_start(script: Path, home: Path, **extra: str) -> tuple[float, float]:
    """Seconds from spawning ``python script`` to the first 200 on ``/``, and the CPU it used so far."""
    port = free_port()
    env = app_env(home, port, **extra)
    start = time.perf_counter()
    process = launch(script, home, env)
    try:
        wait_ok(f"http://127.0.0.1:{port}/", process)
        return time.perf_counter() - start, cpu_seconds(process.pid)
    finally:
        stop(process)


def main() -> None:
    """Time each variant ``--rounds`` times, interleaved, and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-app-start-") as tmp:
        work = Path(tmp)
        bare = work / "bare_app.py"
        bare.write_text(BARE_APP)
        app = ROOT / "app.py"
        variants: dict[str, Callable[[Path], tuple[float, float]]] = {
            BARE: lambda home: cold_start(bare, home),
            "app.py, server key": lambda home: cold_start(
                app, home, RUNCOMFY_API_TOKEN="fake-bench-key", RUNCOMFY_BASE_URL=UNUSED_API
            ),
            "app.py, offline preview": lambda home: cold_start(app, home),
        }
        # One unmeasured round warms the disk cache (.pyc files, shared libraries) for all alike.
        for name, run in variants.items():
            run(work / "warm" / name.replace(" ", "_").replace(",", ""))
        walls: dict[str, list[float]] = {name: [] for name in variants}
        cpus: dict[str, list[float]] = {name: [] for name in variants}
        for i in range(args.rounds):
            for name, run in variants.items():
                wall, cpu = run(work / f"r{i}" / name.replace(" ", "_").replace(",", ""))
                walls[name].append(wall)
                cpus[name].append(cpu)
    base, base_cpu = statistics.median(walls[BARE]), statistics.median(cpus[BARE])
    ratios = {}
    for name, samples in walls.items():
        median, cpu = statistics.median(samples), statistics.median(cpus[name])
        ratios[name] = median / base
        spread = f"{min(samples) * 1000:.0f}-{max(samples) * 1000:.0f}"
        print(
            f"{name:24s} median {median * 1000:6.0f} ms (range {spread} ms, {len(samples)} runs), "
            f"ratio {median / base:4.2f}x;  CPU {cpu * 1000:5.0f} ms, ratio {cpu / base_cpu:4.2f}x"
        )
    # This machine is shared: when others load it, wall times swing (the CPU ratio much less so).
    print(f"machine load average (1 min) before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")
    worst_name = max((n for n in ratios if n != BARE), key=ratios.__getitem__)
    worst, worst_ms = ratios[worst_name], statistics.median(walls[worst_name]) * 1000
    verdict = "met" if worst <= TARGET else "MISSED"
    print(
        f"summary: app cold start to first 200 is {worst:.2f}x a bare gr.Blocks app "
        f"(worst: {worst_name}, {worst_ms:.0f} ms vs {base * 1000:.0f} ms); "
        f"target <= {TARGET}x {verdict}"
    )


if __name__ == "__main__":
    main()
