"""Proof under fire, short versions: load, faults, outages, a lost submit answer, a broken download.

The long versions are ``benchmarks/bench_load.py`` and ``benchmarks/bench_faults.py``; both reuse
:func:`launch_app` from here. The app runs as ``app.py`` in a subprocess (``BOOTSTRAP`` only adds
probes around it: an event-loop lag monitor on the server's own loop that also logs long garbage
collections, and on request a Python audit hook logging every outgoing connection and DNS lookup),
against the loopback stand-in. Everything is bounded and stays on 127.0.0.1; the whole file runs in
about a minute.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from gradio import processing_utils
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from client.dreamina import build_job
from client.jobs import Cancelled, Completed, Connection, Downloading, Event, Failed, Settings, run_job
from tests.apps import CHROMIUM as CHROMIUM  # re-exported: benchmarks/bench_load.py imports it here
from tests.apps import ROOT, app_environment, running_app, stop
from tests.apps import launch_chromium as launch_chromium  # re-exported for bench_load.py too
from tests.samples import photo
from ui.admission import TakeTurns
from ui.build import launch_options
from ui.hosting import into_gradio_cache

END_OR_DOWNLOADING = (Downloading, Completed, Failed, Cancelled)
EXAMPLE = ROOT / "examples" / "golden_street.jpg"
SERVER_KEY = "fake-server-key-reliability"
PROMPT = "A slow dolly-in along the golden-hour street"
pytestmark = pytest.mark.timeout(90)

# Runs in the app's process before app.py: a loop-lag monitor started by a FastAPI lifespan on the
# server's own event loop (chained with the lifespan app.py passes), which also logs garbage
# collections over 10 ms; and, when asked, an audit hook recording every socket.connect and
# getaddrinfo (it is called for every audited event, so it stays off where timing is measured).
# Then app.py runs unchanged, as ``__main__``.
BOOTSTRAP = r"""
import asyncio, contextlib, gc, json, os, runpy, sys, threading, time

_lock = threading.Lock()
_audit = os.environ.get("PROOF_AUDIT_FILE")
if _audit:
    _out = open(_audit, "a", buffering=1, encoding="utf-8")

    def _hook(event, args):
        if event == "socket.connect":
            line = ["connect", repr(args[1])]
        elif event == "socket.getaddrinfo":
            line = ["getaddrinfo", repr(args[0]), repr(args[1])]
        else:
            return
        with _lock:
            _out.write(json.dumps(line) + "\n")

    sys.addaudithook(_hook)

_lag_file = os.environ.get("PROOF_LAG_FILE")
if _lag_file:
    import gradio as gr

    def _gc_pauses(out):
        # Collections of the oldest generation stop every thread: log the long ones beside the lags.
        started = [0.0]

        def callback(phase, info):
            if phase == "start":
                started[0] = time.perf_counter()
                return
            pause = (time.perf_counter() - started[0]) * 1000
            if pause > 10:
                out.write(f"gc {time.time():.3f} {pause:.1f} {info['generation']}\n")

        gc.callbacks.append(callback)

    async def _monitor():
        period = 0.05
        with open(_lag_file, "a", buffering=1, encoding="utf-8") as out:
            _gc_pauses(out)
            count, last_beat = 0, time.monotonic()
            while True:
                start = time.perf_counter()
                await asyncio.sleep(period)
                lag = time.perf_counter() - start - period
                count += 1
                if lag > 0.010:
                    out.write(f"lag {time.time():.3f} {lag * 1000:.1f}\n")
                if time.monotonic() - last_beat >= 0.2:
                    out.write(f"beat {time.time():.3f} {count}\n")
                    last_beat = time.monotonic()

    _launch = gr.Blocks.launch

    def _launch_with_monitor(self, *args, **kwargs):
        app_kwargs = dict(kwargs.get("app_kwargs") or {})
        inner = app_kwargs.get("lifespan")

        @contextlib.asynccontextmanager
        async def lifespan(app):
            task = asyncio.create_task(_monitor())
            try:
                if inner is None:
                    yield
                else:
                    async with inner(app):
                        yield
            finally:
                task.cancel()

        app_kwargs["lifespan"] = lifespan
        if os.environ.get("PROOF_WITHOUT_TURNS"):  # benchmarks/bench_load.py's comparison only
            app_kwargs["middleware"] = [m for m in app_kwargs.get("middleware", [])
                                        if getattr(m.cls, "__name__", "") != "TakeTurns"]
        kwargs["app_kwargs"] = app_kwargs
        return _launch(self, *args, **kwargs)

    gr.Blocks.launch = _launch_with_monitor

sys.path.insert(0, os.environ["PROOF_ROOT"])
sys.argv = [os.path.join(os.environ["PROOF_ROOT"], "app.py")]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@dataclass
class AppProcess:
    """A launched app: its URL, folders, log, and the two probes' files."""

    url: str
    home: Path
    log: Path
    process: subprocess.Popen[bytes]
    lag_file: Path
    audit_file: Path

    def client(self, key: str | None = None) -> Client:
        """A gradio_client visitor (its own session), with ``key`` sent as ``x-api-key``."""
        headers = {"x-api-key": key} if key else None
        return Client(self.url, headers=headers, verbose=False, download_files=str(self.home / "downloads"))

    def peak_rss_mb(self) -> float:
        """The app process's peak resident memory (VmHWM), in MB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def loop_lag_ms(self, since: float = 0.0, until: float = float("inf")) -> tuple[float, int]:
        """(worst event-loop lag in ms, number of 50 ms samples) between two ``time.time()`` instants.

        The monitor counts its samples in a "beat" line every 0.2 s; the count is taken between the
        beats around the window (waiting up to a second for the one after it to be written).
        """
        deadline = time.monotonic() + 1.0
        rows = self._probe_lines()
        while until != float("inf") and not any(k == "beat" and t >= until for k, t, _ in rows):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
            rows = self._probe_lines()
        beats = [(t, int(v)) for k, t, v in rows if k == "beat"]
        before = [count for t, count in beats if t <= since]
        after = [count for t, count in beats if t >= until]
        inside = [count for t, count in beats if since < t < until]
        first = before[-1] if before else (inside[0] if inside else 0)
        last = after[0] if after else (inside[-1] if inside else first)
        worst = max((v for k, t, v in rows if k == "lag" and since <= t <= until), default=0.0)
        return worst, last - first

    def loop_lags(self, since: float = 0.0, until: float = float("inf")) -> list[tuple[float, float]]:
        """Every event-loop lag over 10 ms as (``time.time()`` instant, ms), between two instants."""
        return [(stamp, value) for kind, stamp, value in self._probe_lines()
                if kind == "lag" and since <= stamp <= until]

    def gc_pauses_ms(self, since: float = 0.0, until: float = float("inf")) -> list[float]:
        """Garbage-collector pauses over 10 ms in the app, between two ``time.time()`` instants."""
        rows = self._probe_lines()
        return [value for kind, stamp, value, *_ in rows if kind == "gc" and since <= stamp <= until]

    def _probe_lines(self) -> list[tuple[str, float, float]]:
        rows = []
        for line in self.lag_file.read_text().splitlines() if self.lag_file.exists() else []:
            kind, stamp, value, *_ = line.split()
            rows.append((kind, float(stamp), float(value)))
        return rows

    def network(self) -> list[list[str]]:
        """Every socket connect and DNS lookup the app made, as logged by the audit hook."""
        text = self.audit_file.read_text() if self.audit_file.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]


@contextmanager
def launch_app(
    base_url: str | None,
    home: Path,
    *,
    server_key: str | None = SERVER_KEY,
    env: dict[str, str] | None = None,
    audit: bool = False,
    timeout: float = 60.0,
) -> Iterator[AppProcess]:
    """``app.py`` (through :data:`BOOTSTRAP`) on loopback with its own cwd, TMPDIR and folders under ``home``.

    ``base_url`` None and ``server_key`` None: the offline preview (in-process stand-in).
    ``env`` adds or overrides variables. The process is stopped (terminate, then kill) on exit.
    """
    home.mkdir(parents=True, exist_ok=True)
    for sub in ("tmp", "gradio"):
        (home / sub).mkdir(exist_ok=True)
    # Only these from this shell, so no stray setting (a proxy, a real key) changes what the app does.
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "PYENV_VERSION")
    probes = {
        "PROOF_ROOT": str(ROOT),
        "PROOF_LAG_FILE": str(home / "loop-lag.txt"),
        "TMPDIR": str(home / "tmp"),
        "PYTHONUNBUFFERED": "1",
    }
    if audit:
        probes["PROOF_AUDIT_FILE"] = str(home / "network.jsonl")
    full = app_environment(home, base_url=base_url, server_key=server_key, hourly_limit=1000, inherit=keep,
                           extra={**probes, **(env or {})})
    with running_app(home, full, args=["-c", BOOTSTRAP], timeout=timeout, every=0.2,
                     probe_timeout=2.0) as launched:
        yield AppProcess(launched.url, home, launched.log, launched.process, home / "loop-lag.txt",
                         home / "network.jsonl")


# A visitor who keeps asking: GET /gradio_api/info every 50 ms (cheap for the app, so it measures
# responsiveness, not work) and the whole page GET / once a second. Runs in its own process so the
# load generator's threads never delay its clock. Stops at the stop file or after its time limit.
PROBE = r"""
import json, os, sys, time
import httpx

url, out, stop, limit = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
info, page, errors = [], [], 0
end = time.monotonic() + limit
next_page = time.monotonic()
with httpx.Client(timeout=10) as http:
    while time.monotonic() < end and not os.path.exists(stop):
        for path, bucket in (("gradio_api/info", info), ("", page)):
            if bucket is page and time.monotonic() < next_page:
                continue
            start = time.perf_counter()
            try:
                ok = http.get(url + path).status_code == 200
            except httpx.HTTPError:
                ok = False
            bucket.append((time.time(), (time.perf_counter() - start) * 1000))
            errors += not ok
        if time.monotonic() >= next_page:
            next_page += 1.0
        time.sleep(0.05)
with open(out, "w") as f:
    json.dump({"info": info, "page": page, "errors": errors}, f)
"""


@dataclass
class Latencies:
    """What the probe saw: (time.time(), ms) per request, and how many failed."""

    info: list[tuple[float, float]]
    page: list[tuple[float, float]]
    errors: int

    @staticmethod
    def worst(samples: list[tuple[float, float]]) -> float:
        """The slowest answer in ms (0 when there was none)."""
        return max((ms for _, ms in samples), default=0.0)


@contextmanager
def latency_probe(url: str, folder: Path, limit_s: float = 900.0) -> Iterator[list[Latencies]]:
    """Run :data:`PROBE` against ``url`` for the ``with`` block; the list holds the result afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    out, stop_file = folder / "probe.json", folder / "probe.stop"
    stop_file.unlink(missing_ok=True)
    process = subprocess.Popen([sys.executable, "-c", PROBE, url, str(out), str(stop_file), str(limit_s)])
    result: list[Latencies] = []
    try:
        yield result
    finally:
        stop(process, grace=15, ask=stop_file.touch)  # the probe writes its figures when it sees the file
    data = json.loads(out.read_text()) if out.exists() else {"info": [], "page": [], "errors": -1}
    pairs = {name: [(float(t), float(ms)) for t, ms in data[name]] for name in ("info", "page")}
    result.append(Latencies(pairs["info"], pairs["page"], data["errors"]))


def visit(app: AppProcess, *, key: str | None = None, image: Path = EXAMPLE, seed: int = -1,
          timeout: float = 300.0) -> dict[str, Any]:
    """One visitor: connect, call /generate, wait for the video; what happened, with timings."""
    started = time.perf_counter()
    outcome: dict[str, Any] = {"ok": False}
    try:
        client = app.client(key)
        outcome["connect_s"] = time.perf_counter() - started
        job = client.submit(PROMPT, handle_file(str(image)), seed, 121, "", api_name="/generate")
        video, facts = job.result(timeout=timeout)
        outcome.update(ok=Path(video if isinstance(video, str) else video["video"]).is_file(),
                       request_id=facts["request_id"], frames=facts["frames"])
    except Exception as exc:  # a visitor's failure is a figure to report, not a crash of the run
        outcome["error"] = f"{type(exc).__name__}: {exc}"[:300]
    outcome["total_s"] = time.perf_counter() - started
    outcome["ended_at"] = time.time()
    return outcome


def crowd(app: AppProcess, count: int, *, stagger_s: float = 0.0, **kwargs: Any) -> list[dict[str, Any]]:
    """``count`` visitors, each in its own thread and Gradio session; one every ``stagger_s`` (0: at once)."""

    def one(index: int) -> dict[str, Any]:
        time.sleep(index * stagger_s)
        return visit(app, **kwargs)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def crowd_arrives_at_once(app: AppProcess, count: int) -> None:
    """``count`` fresh visitors, released together from open connections the way a crowd's clicks land
    on a server, each fetch the page config and join the queue (the seed checkbox's quick event)."""
    config = httpx.get(app.url + "config", timeout=30).json()
    ids = {c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "seed-random"}
    event = next(d for d in config["dependencies"] if any(t[0] in ids for t in d["targets"]))
    barrier = threading.Barrier(count)
    failures: list[str] = []

    def one() -> None:
        with httpx.Client(base_url=app.url, timeout=60) as http:
            http.get("gradio_api/info")  # the connection is open before the burst
            barrier.wait(60)
            page = http.get("config")
            reply = http.post("gradio_api/queue/join", json={
                "data": [True], "fn_index": event["id"], "trigger_id": event["targets"][0][0],
                "session_hash": uuid.uuid4().hex[:12], "event_data": None})
            if page.status_code != 200 or reply.status_code != 200 or "event_id" not in reply.json():
                failures.append(f"config {page.status_code}, join {reply.status_code}")

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    if failures:
        raise RuntimeError(f"{len(failures)} visitors refused: {failures[:5]}")


def thirty_percent_faults(endpoints: tuple[str, ...] = ("status", "result")) -> list[dict[str, Any]]:
    """Four rules (500, HTML 502, 429 with Retry-After 1 s, dropped connection), 7.5 % of calls each.

    The stand-in tries rules in order and the first that fires wins, so each rule's rate is its
    share of the calls the earlier rules left: 0.075, 0.075/0.925, ... for exactly 30 % in all.
    """
    kinds: list[tuple[str, float | None]] = [("500", None), ("html502", None), ("429", 1.0), ("drop", None)]
    rules, left = [], 1.0
    for kind, retry_after in kinds:
        rate = 0.075 / left
        left -= 0.075
        for endpoint in endpoints:
            rule: dict[str, Any] = {"endpoint": endpoint, "kind": kind, "rate": round(rate, 6)}
            if retry_after is not None:
                rule["retry_after"] = retry_after
            rules.append(rule)
    return rules


def requests_seen(stats: dict[str, Any]) -> int:
    """Every request the stand-in answered (faulty ones included)."""
    return sum(stats["calls"].values())


async def run_jobs(base_url: str, outputs: Path, count: int, *, token: str = SERVER_KEY,
                   during: Callable[[], Any] | None = None,
                   seen: dict[str, float] | None = None) -> list[list[Event] | Exception]:
    """``count`` jobs side by side through the real client (default poll plan and retry policy).

    ``during`` runs in a thread once every job has its request id (to start an outage, say);
    ``seen`` receives, per request id, the ``time.time()`` at which the client learned the job ended.
    """
    image = photo(800, 600)
    submitted = asyncio.Event()
    ids: list[str] = []

    async with Connection(token, base_url, outputs_dir=outputs, deadline_s=300) as conn:

        async def one(seed: int) -> list[Event]:
            request = build_job(PROMPT, image=image, seed=seed, frames=121).request
            events: list[Event] = []
            async for event in run_job(conn, request):
                events.append(event)
                if seen is not None and isinstance(event, END_OR_DOWNLOADING):
                    seen.setdefault(event.request_id, time.time())
                if len(events) == 1:
                    ids.append(event.request_id)
                    if len(ids) == count:
                        submitted.set()
            return events

        tasks = [asyncio.create_task(one(seed)) for seed in range(1, count + 1)]
        if during is not None:
            await asyncio.wait_for(submitted.wait(), 60)
            await asyncio.to_thread(during)
        return list(await asyncio.gather(*tasks, return_exceptions=True))


def completed(results: list[list[Event] | Exception]) -> int:
    """How many runs ended with their video on disk."""
    return sum(1 for r in results if isinstance(r, list) and r and isinstance(r[-1], Completed)
               and Path(r[-1].video.path).is_file())


@pytest.fixture(scope="module")
def app(offline_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The app on the session's loopback stand-in, with the server's (fake) key."""
    with launch_app(offline_server.base_url, tmp_path_factory.mktemp("reliability")) as launched:
        yield launched


def predict(app: AppProcess, key: str | None = None) -> tuple[Any, dict[str, Any]]:
    """One /generate call with the example picture."""
    return app.client(key).predict(PROMPT, handle_file(str(EXAMPLE)), -1, 121, "", api_name="/generate")


# --- load ---------------------------------------------------------------------------------------

def report_loop_lag(app: AppProcess, start: float, end: float) -> float:
    """Print the app's worst event-loop lag between two ``time.time()`` instants (not asserted).

    Timing is never asserted in tests (this machine is shared and noisy): the 100 ms target is
    held by ``benchmarks/bench_load.py``. What is asserted is that the loop kept running at all: a
    loop blocked by a decode or a bomb would leave the monitor without samples.
    """
    lag, samples = app.loop_lag_ms(start, end)
    assert samples >= 5 * (end - start), f"the loop monitor ran only {samples} times in {end - start:.0f} s"
    print(f"app event loop: worst lag {lag:.0f} ms over {end - start:.0f} s ({samples} samples)")
    return lag


def test_ten_visitors_at_once_all_complete_and_the_app_stays_responsive(
    app: AppProcess, standin: Any
) -> None:
    standin.configure(queue_s=0.2, run_s=0.2)
    predict(app)  # the stand-in's render (RunComfy's GPU work, not this app's) is made before the clock
    standin.reset()
    standin.configure(queue_s=1.0, run_s=2.0)
    with latency_probe(app.url, app.home / "probe") as probed:
        start = time.time()
        results = crowd(app, 10, timeout=60)
        end = time.time()
    stats = standin.stats()
    assert [r for r in results if not r["ok"]] == []
    assert stats["submissions"] == 10 == len({r["request_id"] for r in results})  # none lost, none twice
    assert all(job["state"] == "completed" for job in stats["jobs"].values())
    probe = probed[0]
    assert probe.errors == 0 and probe.page, "the probe saw failures or no page load"
    assert probe.worst(probe.page) < 1000, f"GET / took {probe.worst(probe.page):.0f} ms under load"
    report_loop_lag(app, start, end)


def test_a_crowd_arriving_in_the_same_instant_is_let_in_then_a_visitor_is_served(
    app: AppProcess, standin: Any
) -> None:
    start = time.time()
    crowd_arrives_at_once(app, 20)  # raises if Gradio refused any of them
    end = time.time()
    report_loop_lag(app, start, end)
    standin.configure(queue_s=0.2, run_s=0.2)
    assert visit(app, timeout=60)["ok"]
    options = launch_options(Settings.load(env={}, dotenv_path=None), on_space=False)
    assert TakeTurns in [m.cls for m in options["app_kwargs"]["middleware"]]  # as launched above


def test_gradios_queue_runs_as_many_generations_at_once_as_configured() -> None:
    settings = Settings.load(env={"RUNCOMFY_CONCURRENCY": "64"}, dotenv_path=None)
    options = launch_options(settings, on_space=False)
    assert options.get("max_threads", 40) >= settings.concurrency


def test_a_finished_video_reaches_gradio_without_a_hash_or_copy_on_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    video = tmp_path / "outputs" / "abc123.mp4"
    video.parent.mkdir()
    video.write_bytes(os.urandom(3_000_000))

    def no_copy_on_the_loop(*_args: Any, **_kwargs: Any) -> str:
        raise AssertionError("Gradio hashed and copied the video on the event loop")

    async def hand_over() -> tuple[Path, Path, str | None]:
        cached = await into_gradio_cache(video)
        again = await into_gradio_cache(video)
        monkeypatch.setattr(processing_utils, "save_file_to_cache", no_copy_on_the_loop)
        served = await gr.Video().async_move_resource_to_block_cache(str(cached))
        return cached, again, served

    cached, again, served = asyncio.run(hand_over())
    assert cached == again == Path(served) and cached.is_relative_to(tmp_path / "gradio")
    assert cached.read_bytes() == video.read_bytes() and len(cached.parent.name) == 64  # named by content


def test_a_full_queue_tells_the_extra_visitors_to_try_again(
    offline_server: Any, standin: Any, tmp_path: Path
) -> None:
    standin.configure(queue_s=2.0, run_s=2.0)
    env = {"RUNCOMFY_CONCURRENCY": "1", "RUNCOMFY_QUEUE_SIZE": "1"}
    with launch_app(offline_server.base_url, tmp_path / "full", env=env) as small:
        results = crowd(small, 4, timeout=60)
    served = [r for r in results if r["ok"]]
    refused = [r["error"] for r in results if not r["ok"]]
    assert refused and len(served) + len(refused) == 4
    assert all("Queue is full" in text and "try again" in text for text in refused), refused
    assert standin.stats()["submissions"] == len(served)  # a refused visitor cost nothing


# --- faults -------------------------------------------------------------------------------------


def test_thirty_percent_faults_on_polls_cost_at_most_one_and_a_half_times_the_requests(
    standin: Any, tmp_path: Path
) -> None:
    standin.configure(queue_s=1.0, run_s=2.0)
    clean = asyncio.run(run_jobs(standin.base_url, tmp_path / "clean", 5))
    baseline = standin.stats()
    standin.reset()
    standin.configure(queue_s=1.0, run_s=2.0, faults=thirty_percent_faults())
    faulty = asyncio.run(run_jobs(standin.base_url, tmp_path / "faulty", 5))
    stats = standin.stats()
    assert completed(clean) == completed(faulty) == 5, faulty
    assert baseline["submissions"] == stats["submissions"] == 5
    polls = stats["calls"]["status"] + stats["calls"]["result"]
    assert polls > baseline["calls"]["status"] + baseline["calls"]["result"]  # faults did fire
    ratio = requests_seen(stats) / requests_seen(baseline)
    assert ratio <= 1.5, f"faults cost {ratio:.2f}x the requests ({stats['calls']} vs {baseline['calls']})"


def test_an_outage_mid_job_is_waited_out(standin: Any, tmp_path: Path) -> None:
    standin.configure(queue_s=0.5, run_s=2.0)
    ends: list[float] = []

    def outage() -> None:
        time.sleep(0.3)
        standin.configure(outage_seconds=3)
        ends.append(time.monotonic() + 3)

    results = asyncio.run(run_jobs(standin.base_url, tmp_path, 2, during=outage))
    back_after = time.monotonic() - ends[0]
    assert completed(results) == 2 and standin.stats()["submissions"] == 2
    assert back_after < 12, f"the jobs came back {back_after:.1f} s after the outage ended"


def test_a_lost_submit_answer_is_never_resent_and_the_job_is_recovered_by_id(
    app: AppProcess, standin: Any
) -> None:
    standin.configure(queue_s=0.3, run_s=0.3,
                      faults=[{"endpoint": "submit", "kind": "drop_after_submit", "times": 1}])
    with pytest.raises(AppError) as lost:
        predict(app)
    message = str(lost.value)
    assert "may have" in message and "not sent again" in message.lower(), message
    assert "requests" in message and "Traceback" not in message
    time.sleep(2)  # nothing retries behind the visitor's back
    stats = standin.stats()
    assert stats["submissions"] == 1 and stats["calls"]["submit"] == 1
    (request_id,) = stats["jobs"]  # the id as RunComfy's requests list shows it
    env = {**os.environ, "RUNCOMFY_API_TOKEN": SERVER_KEY, "RUNCOMFY_BASE_URL": standin.base_url,
           "RUNCOMFY_DATA_DIR": str(app.home / "data"), "RUNCOMFY_OUTPUT_DIR": str(app.home / "outputs")}
    command = [sys.executable, "-m", "client", "recover", request_id, "--json"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout.strip().splitlines()[-1])
    assert record["state"] == "succeeded" and Path(record["video_path"]).is_file()
    assert standin.stats()["submissions"] == 1


def test_a_video_download_cut_halfway_is_retried_then_reported_with_its_request_id(
    app: AppProcess, standin: Any
) -> None:
    standin.configure(queue_s=0.2, run_s=0.2, faults=[{"endpoint": "video", "kind": "drop", "times": 1}])
    _video, facts = predict(app)  # the second attempt gets the whole file
    assert facts["frames"] == 121 and standin.stats()["calls"]["video"] == 2
    standin.reset()
    standin.configure(queue_s=0.2, run_s=0.2, faults=[{"endpoint": "video", "kind": "drop"}])
    with pytest.raises(AppError) as broken:
        predict(app)
    (request_id,) = standin.stats()["jobs"]
    assert "could not be downloaded" in str(broken.value) and request_id in str(broken.value)


def test_an_expired_video_link_is_reported_with_its_request_id(app: AppProcess, standin: Any) -> None:
    standin.configure(queue_s=0.2, run_s=0.2, video_ttl_s=0.0)
    with pytest.raises(AppError) as expired:
        predict(app)
    (request_id,) = standin.stats()["jobs"]
    assert "could not be downloaded" in str(expired.value) and request_id in str(expired.value)
    assert standin.stats()["calls"]["video"] == 1  # a 403 is an answer: asking again would not change it
