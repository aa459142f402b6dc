"""``python -m client`` as a user runs it: real subprocesses, the stand-in in-process or on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av

from client.dreamina import SCHEMA
from client.history import JobStore, PollTally
from tests.apps import ROOT
from tests.samples import photo

FAKE_TOKEN = "fake-cli-token-0000"


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNCOMFY_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def cli(args: list[str], cwd: Path, timeout: float = 90, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "client", *args], cwd=cwd, env=cli_env(**env),
                          capture_output=True, text=True, timeout=timeout, check=False)


def picture(tmp_path: Path, name: str = "in.jpg", width: int = 960, height: int = 540) -> Path:
    path = tmp_path / name
    path.write_bytes(photo(width, height))
    return path


def test_generate_offline_writes_a_video_and_prints_its_path_last(tmp_path):
    image = picture(tmp_path)
    done = cli(["generate", "--image", str(image), "--prompt", "A gentle push-in", "--offline"], tmp_path)
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip().splitlines()[-1])
    if not path.is_absolute():
        path = tmp_path / path
    assert path.parent.name == "outputs" and path.suffix == ".mp4"
    with av.open(str(path)) as container:
        assert container.streams.video[0].frames in (121, 0)
    for word in ("submitted", "queued", "running", "done", "offline preview"):
        assert word in done.stderr
    rid = path.stem
    assert rid in done.stderr


def test_generate_json_is_one_object_and_out_is_honoured(tmp_path):
    image = picture(tmp_path)
    out = tmp_path / "clips" / "mine.mp4"
    done = cli(["generate", "--image", str(image), "--prompt", "Waves", "--offline", "--json",
                "--frames", "241", "--seed", "42", "--out", str(out)], tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["video"] == str(out) and out.is_file()
    assert data["seed"] == 42 and data["facts"]["frames"] == 241 and data["offline"] is True


def test_no_token_and_no_offline_exits_2_with_help(tmp_path):
    done = cli(["generate", "--image", str(picture(tmp_path)), "--prompt", "x"], tmp_path)
    assert done.returncode == 2
    assert "RUNCOMFY_API_TOKEN" in done.stderr and "--offline" in done.stderr


def test_refused_image_exits_2_before_anything_is_sent(tmp_path, standin):
    small = picture(tmp_path, "small.jpg", 640, 300)
    done = cli(["generate", "--image", str(small), "--prompt", "x"], tmp_path,
               RUNCOMFY_API_TOKEN=FAKE_TOKEN, RUNCOMFY_BASE_URL=standin.base_url)
    assert done.returncode == 2
    assert "300" in done.stderr and "320" in done.stderr
    assert standin.stats()["calls"]["submit"] == 0


def test_failed_job_exits_1_naming_the_request_id(tmp_path, standin):
    standin.configure(fail_next=1)
    done = cli(["generate", "--image", str(picture(tmp_path)), "--prompt", "x"], tmp_path,
               RUNCOMFY_API_TOKEN=FAKE_TOKEN, RUNCOMFY_BASE_URL=standin.base_url)
    assert done.returncode == 1
    (rid,) = standin.stats()["jobs"]
    assert rid in done.stderr and "failed" in done.stderr


def test_status_result_and_cancel_by_request_id(tmp_path, standin):
    env = {"RUNCOMFY_API_TOKEN": FAKE_TOKEN, "RUNCOMFY_BASE_URL": standin.base_url}
    done = cli(["generate", "--image", str(picture(tmp_path)), "--prompt", "x", "--json"], tmp_path, **env)
    rid = json.loads(done.stdout)["request_id"]
    status = cli(["status", rid, "--json"], tmp_path, **env)
    assert json.loads(status.stdout)["status"] == "completed"
    result = cli(["result", rid, "--json"], tmp_path, **env)
    assert result.returncode == 0
    assert Path(tmp_path / json.loads(result.stdout)["video"]).is_file()
    cancel = cli(["cancel", rid], tmp_path, **env)  # too late: it has finished, nothing to cancel or bill
    assert "ended" in cancel.stdout and "nothing to cancel" in cancel.stdout and "billed" not in cancel.stdout
    assert "facts: 5.04 s · 121 frames · 24 fps" in cli(["result", rid], tmp_path, **env).stdout  # not a dict
    missing = cli(["status", "no-such-request"], tmp_path, **env)
    assert missing.returncode == 1 and "no-such-request" in missing.stderr


def test_interrupt_while_queued_cancels_the_job_and_exits_130(tmp_path, standin):
    standin.configure(queue_s=60)
    proc = subprocess.Popen(
        [sys.executable, "-m", "client", "generate", "--image", str(picture(tmp_path)), "--prompt", "x"],
        cwd=tmp_path, env=cli_env(RUNCOMFY_API_TOKEN=FAKE_TOKEN, RUNCOMFY_BASE_URL=standin.base_url),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not standin.stats()["jobs"] and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # let it reach the poll loop
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    (rid,) = standin.stats()["jobs"]
    assert standin.stats()["jobs"][rid]["state"] == "cancelled"
    assert "cancelled" in err


def test_serve_offline_answers_on_loopback(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "client", "serve-offline", "--port", str(port)],
                            cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/v1/requests/x/status")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve-offline did not start"
                time.sleep(0.2)
        assert answer.status_code == 401 and answer.json()["error_code"] == 400004
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_cli_never_imports_gradio():
    code = ("import sys, client.cli; from client.cli.parser import build_parser; build_parser(); "
            "assert 'gradio' not in sys.modules")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0
    help_run = subprocess.run([sys.executable, "-X", "importtime", "-m", "client", "generate", "--help"],
                              cwd=ROOT, capture_output=True, text=True, check=False)
    assert help_run.returncode == 0 and "gradio" not in help_run.stderr


def test_generate_says_how_long_jobs_like_it_usually_take_and_history_keeps_the_tally(tmp_path, standin):
    with JobStore.open(tmp_path / "data") as store:  # five finished jobs of this kind, 3 s each
        for i in range(5):
            start = 1000.0 + 100 * i
            store.add_submitted(f"past{i}", model=SCHEMA.model, prompt="p", seed=1, frames=121,
                                base_url=standin.base_url, at=start - 1)
            store.add_event(f"past{i}", "running", start)
            store.add_event(f"past{i}", "succeeded", start + 3.3, tally=PollTally(9, start + 3.0, 0.3))
    env = {"RUNCOMFY_API_TOKEN": FAKE_TOKEN, "RUNCOMFY_BASE_URL": standin.base_url}
    done = cli(["generate", "--image", str(picture(tmp_path)), "--prompt", "x", "--json"], tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert "usually ready in about 3 s" in done.stderr
    rid = json.loads(done.stdout)["request_id"]
    history = json.loads(cli(["history", "--json"], tmp_path).stdout)
    (row,) = [job for job in history if job["request_id"] == rid]
    assert row["calls"] >= 2 and row["finished_at"] and row["seen_after_s"] is not None


def test_offline_jobs_are_said_to_be_offline_and_never_billed(tmp_path):
    image = str(picture(tmp_path))
    done = cli(["generate", "--image", image, "--prompt", "x", "--offline", "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert made["cost"] is None and made["offline"] is True
    for command in ("status", "result", "cancel", "recover"):  # no token needed: no API knows this id
        asked = cli([command, made["request_id"]], tmp_path)
        assert asked.returncode == 0, (command, asked.stderr)
        assert "offline preview" in asked.stderr and "live only as long as the process" in asked.stderr
        assert made["request_id"] in asked.stdout and "billed" not in asked.stderr + asked.stdout
    with JobStore.open(tmp_path / "data") as store:  # more jobs than `head -1` reads (written, not run)
        for i in range(30):
            store.add_submitted(f"more{i}", model=SCHEMA.model, prompt="y", seed=1, frames=121, offline=True)
    piped = subprocess.run(f"{sys.executable} -m client history | head -1", shell=True, cwd=tmp_path,
                           env=cli_env(), capture_output=True, text=True, timeout=60, check=False)
    assert len(piped.stdout.splitlines()) == 1 and "Traceback" not in piped.stderr, piped.stderr


def test_interrupt_of_an_offline_job_does_not_talk_of_billing(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "client", "generate", "--image", str(picture(tmp_path)), "--prompt", "x",
         "--offline"],
        cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(4.0)  # submitted, queued or rendering in the in-process preview
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "offline preview" in err and "billed" not in err and "RunComfy;" not in err
