"""The three small scenarios of ``bench_load.py``, run before its main load, and their report.

A full queue (concurrency 1, queue 1, 5 visitors: what the extra ones are told); three 4096x4096
decodes and a bomb while a fourth visitor loads the page; 40 visitors fetching the config and joining
the queue in the same instant, with and without ``ui.admission.TakeTurns`` side by side.
``bench_load.py --skip-queue-full`` skips all three.
"""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from client.offline import OfflineConfig, OfflineServer
from tests.app.test_reliability import (
    AppProcess,
    crowd,
    crowd_arrives_at_once,
    latency_probe,
    launch_app,
    visit,
)


def queue_full_run(work: Path) -> dict[str, Any]:
    """More visitors than the app's queue holds: what the extra ones are told."""
    env = {"RUNCOMFY_CONCURRENCY": "1", "RUNCOMFY_QUEUE_SIZE": "1"}
    with OfflineServer(OfflineConfig(queue_s=3, run_s=3)) as server, \
            launch_app(server.base_url, work / "full", env=env) as app:
        results = crowd(app, 5, timeout=120)
        submissions = server.stats()["submissions"]
        return {
            "accepted": sum(1 for r in results if r["ok"]),
            "refused": [r["error"] for r in results if not r["ok"]],
            "submissions": submissions,
            "raw_http": _raw_join_when_full(app, server),
        }


def decode_run(work: Path) -> dict[str, Any]:
    """Three visitors upload 4096x4096 PNGs (cut at 90 %: the whole decode runs, then the refusal) and
    one a 9000x9000 bomb, while the probe plays a fourth visitor loading the page."""
    from tests.app.test_hostile import big_cut_png
    from tests.image_corpus import png_bomb

    big, bomb = work / "big-4096.png", work / "bomb.png"
    big.write_bytes(big_cut_png())
    bomb.write_bytes(png_bomb(9_000, 9_000, real=True))
    with OfflineServer(OfflineConfig()) as server, launch_app(server.base_url, work / "decode") as app:
        with latency_probe(app.url, work / "probe-decode") as probed:
            time.sleep(1)
            start = time.time()
            results = [None] * 4
            threads = [threading.Thread(target=lambda i=i, p=p: results.__setitem__(i, visit(app, image=p)))
                       for i, p in enumerate([big, big, big, bomb])]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            end = time.time()
            time.sleep(1)
        probe = probed[0]
        return {
            "refused": sum(1 for r in results if r and not r["ok"] and "Not sent" in r.get("error", "")),
            "submissions": server.stats()["submissions"],
            "page_max_ms": probe.worst(probe.page), "info_max_ms": probe.worst(probe.info),
            "lag": app.loop_lag_ms(start, end), "seconds": end - start,
        }


def arrival_burst_run(work: Path, count: int = 40, rounds: int = 3) -> dict[str, list[float]]:
    """``count`` new visitors fetch the config and join the queue in the same instant, at the app as it
    is and at the same app without :class:`ui.admission.TakeTurns`, in alternate rounds: the worst
    event-loop lag of each round."""
    worst: dict[str, list[float]] = {"in turn": [], "all at once": []}
    with OfflineServer(OfflineConfig()) as server, \
            launch_app(server.base_url, work / "turn") as turn, \
            launch_app(server.base_url, work / "no-turn", env={"PROOF_WITHOUT_TURNS": "1"}) as plain:
        for _ in range(rounds):
            for name, app in (("in turn", turn), ("all at once", plain)):
                start = time.time()
                crowd_arrives_at_once(app, count)
                time.sleep(1)
                worst[name].append(app.loop_lag_ms(start, time.time())[0])
    return worst


def _raw_join_when_full(app: AppProcess, server: OfflineServer) -> str:
    """What a plain HTTP caller gets from /gradio_api/call/generate while the queue is full."""
    server.configure(queue_s=5, run_s=5)
    holders = [threading.Thread(target=visit, args=(app,), kwargs={"timeout": 60}) for _ in range(2)]
    for t in holders:
        t.start()
    time.sleep(3)
    with httpx.Client(base_url=app.url, timeout=30) as http:
        reply = http.post("gradio_api/call/generate", json={"data": ["x", None, -1, 121, "https://a.b/c.jpg"]})
    for t in holders:
        t.join(60)
    return f"HTTP {reply.status_code}: {reply.text[:200]}"


def print_small_scenarios(
    full: dict[str, Any], decode: dict[str, Any], burst: dict[str, list[float]]
) -> None:
    """Print the figures of the full queue, the big decodes and the arrival burst."""
    print(f"queue full (concurrency 1, queue 1, 5 visitors at once): {full['accepted']} served, "
          f"{len(full['refused'])} told: {sorted(set(full['refused']))}; "
          f"submissions {full['submissions']}")
    print(f"  plain HTTP caller while full: {full['raw_http']}")
    d_lag, _ = decode["lag"]
    print(f"big decodes: 3 visitors upload 4096x4096 PNGs and 1 a 9000x9000 bomb at once: "
          f"{decode['refused']}/4 refused with their sentence, submissions {decode['submissions']}, "
          f"{decode['seconds']:.1f} s; a 4th visitor's GET / max {decode['page_max_ms']:.0f} ms, "
          f"/gradio_api/info max {decode['info_max_ms']:.0f} ms; event loop max lag {d_lag:.0f} ms")
    turn, at_once = (statistics.median(burst[k]) for k in ("in turn", "all at once"))
    rounds = "; ".join(f"{k}: " + ", ".join(f"{v:.0f}" for v in burst[k]) + " ms" for k in burst)
    print(f"arrival burst: 40 new visitors fetch /config and join the queue in the same instant, "
          f"event loop worst lag median {turn:.0f} ms in turn vs {at_once:.0f} ms all at once "
          f"({at_once / max(turn, 1):.1f}x; {rounds})")
