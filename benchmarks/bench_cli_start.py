"""CLI cold start, measured side by side with a bare interpreter (``python -c pass``).

Run: ``python benchmarks/bench_cli_start.py``. Interleaves the commands so machine noise hits both
alike; prints medians and the ratio. Budget: ``python -m client --help`` under 0.5 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 15
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -m client --help": [sys.executable, "-m", "client", "--help"],
    "python -m client generate --help": [sys.executable, "-m", "client", "generate", "--help"],
}


def main() -> None:
    """Time each command ROUNDS times, interleaved, and print the medians."""
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(ROUNDS):
        for name, argv in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["python -c pass"])
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:36s} median {median * 1000:6.0f} ms   ratio to bare python {median / base:4.2f}x")
    worst = max(statistics.median(s) for n, s in times.items() if "client" in n)
    print(f"budget 500 ms: {'met' if worst < 0.5 else 'MISSED'} ({worst * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
