"""``python -m client batch`` as a user runs it: real subprocesses against the stand-in on loopback.

The stand-in lives in the test process, so a job goes on there when the CLI is killed, as it would at
RunComfy. What is checked: only valid rows are sent, at most N at once; every refusal is listed before
anything is sent; a SIGKILL mid-batch and a rerun give every row its video with no row submitted twice;
a submit that may have reached the API is never resent; Ctrl-C withdraws a queued row (nothing billed)
and the rerun sends it; the money limits hold for the whole batch; a terminal gets a progress bar.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import av

from client.cli.batch.journal import JOURNAL_NAME, Journal, read_journal
from client.offline import FaultRule
from tests.client.cli.test_cli import FAKE_TOKEN, cli, cli_env, picture

BAD_ROWS = {4: "height 300", 9: "frames 100"}  # row number -> what the refusal names


def online(standin, **extra: str) -> dict[str, str]:
    return {"RUNCOMFY_API_TOKEN": FAKE_TOKEN, "RUNCOMFY_BASE_URL": standin.base_url, **extra}


def write_csv(tmp_path: Path, count: int, *, bad: bool = False, name: str = "rows.csv",
              prompt: str = "A slow push-in, row {n}") -> Path:
    """``count`` rows on two pictures beside the CSV (paths relative to it); with ``bad``, rows 4 and 9
    break a rule each (a picture 300 px high, 100 frames)."""
    picture(tmp_path, "street.jpg")
    picture(tmp_path, "tall.jpg", 540, 960)
    picture(tmp_path, "thin.jpg", 640, 300)
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "prompt", "seed", "frames"])
        for n in range(1, count + 1):
            image = "street.jpg" if n % 2 else "tall.jpg"
            frames = "121"
            if bad and n == 4:
                image = "thin.jpg"
            if bad and n == 9:
                frames = "100"
            writer.writerow([image, prompt.format(n=n), n, frames])
    return path


def journal(out: Path) -> list[dict]:
    path = out / JOURNAL_NAME
    if not path.is_file():
        return []
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(raw))
        except ValueError:
            pass
    return lines


def results(out: Path) -> list[dict[str, str]]:
    with (out / "results.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run_batch(tmp_path: Path, rows: Path, out: Path, *extra: str, **env: str) -> subprocess.CompletedProcess:
    return cli(["batch", str(rows), "--out", str(out), *extra], tmp_path, timeout=120, **env)


def start_batch(tmp_path: Path, rows: Path, out: Path, *extra: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "client", "batch", str(rows), "--out", str(out), *extra],
                            cwd=tmp_path, env=cli_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def unanswered(lines: list[dict]) -> set[int]:
    """Rows whose last word in the journal is "sending" (their submit is in the air)."""
    state: dict[int, str] = {}
    for line in lines:
        if line.get("event") == "sending":
            state[line["row"]] = "sending"
        elif "request_id" in line or "done" in line:
            state[line["row"]] = "answered"
    return {row for row, word in state.items() if word == "sending"}


def kill_after(proc: subprocess.Popen[str], out: Path, done: int) -> list[dict]:
    """SIGKILL ``proc`` once ``done`` rows have finished, at a moment with no submit in the air.

    The process is frozen (SIGSTOP) while its journal is read, so what is read is what it was doing; a
    submit in the air would leave a row the rerun must not resend, which is another test's case.
    """
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if sum("done" in line for line in journal(out)) >= done:
            proc.send_signal(signal.SIGSTOP)
            lines = journal(out)
            if not unanswered(lines):
                proc.kill()
                proc.wait(timeout=30)
                return lines
            proc.send_signal(signal.SIGCONT)
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("the batch never finished enough rows")


def most_in_flight(lines: list[dict]) -> int:
    flying = most = 0
    for line in lines:
        flying += (line.get("event") == "sending") - ("done" in line)
        most = max(most, flying)
    return most


def test_sigkill_mid_batch_then_rerun_gives_every_row_its_video_and_submits_none_twice(tmp_path, standin):
    rows, out = write_csv(tmp_path, 12, bad=True), tmp_path / "out"
    first = start_batch(tmp_path, rows, out, "--concurrency", "4", "--skip-invalid", **online(standin))
    before = kill_after(first, out, done=5)
    _, err = first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    assert 5 <= sum("done" in line for line in before) < 10 and most_in_flight(before) <= 4
    for number, words in BAD_ROWS.items():  # listed before anything was sent
        assert f"row {number}: refused:" in err and words.split()[-1] in err
    assert err.index("refused:") < err.index("submitted")

    again = run_batch(tmp_path, rows, out, "--concurrency", "4", "--skip-invalid", "--json",
                      **online(standin))
    assert again.returncode == 0, again.stderr
    made = json.loads(again.stdout)
    assert made["counts"] == {"succeeded": 10, "refused": 2}
    stats = standin.stats()
    assert stats["calls"]["submit"] == 10 and len(stats["jobs"]) == 10  # none sent twice
    table = results(out)
    assert [int(r["row"]) for r in table] == list(range(1, 13))
    good = [r for r in table if r["state"] == "succeeded"]
    assert {r["request_id"] for r in good} == set(stats["jobs"])
    assert {int(r["row"]) for r in table if r["state"] == "refused"} == set(BAD_ROWS)
    videos = sorted(p.name for p in out.glob("*.mp4"))
    assert videos == sorted(f"row-{int(r['row']):03d}-{r['request_id']}.mp4" for r in good) == \
        sorted(r["video"] for r in good)
    assert all(r["seed"] == r["row"] and r["cost"] == "0.25" for r in good)
    assert [r["row"] for r in made["rows"]] == [int(r["row"]) for r in table]
    with av.open(str(out / videos[0])) as container:
        assert container.streams.video[0].frames in (121, 0)


def test_refused_rows_are_all_listed_and_nothing_is_sent_without_skip_invalid(tmp_path, standin):
    rows = write_csv(tmp_path, 12, bad=True)
    done = run_batch(tmp_path, rows, tmp_path / "out", **online(standin))
    assert done.returncode == 2, done.stderr
    refusals = [line for line in done.stderr.splitlines() if ": refused:" in line]
    assert [line.split(":")[0] for line in refusals] == ["row 4", "row 9"]
    assert "300" in refusals[0] and "100" in refusals[1]
    assert "--skip-invalid" in done.stderr
    assert standin.stats()["calls"]["submit"] == 0 and done.stdout == ""


def test_a_submit_that_may_have_arrived_is_reported_for_recovery_and_never_resent(tmp_path, standin):
    standin.configure(faults=[FaultRule("submit", "drop_after_submit", times=1)])
    rows, out = write_csv(tmp_path, 3), tmp_path / "out"
    first = run_batch(tmp_path, rows, out, "--concurrency", "3", **online(standin))
    assert first.returncode == 1, first.stderr
    (lost,) = unanswered(journal(out))  # "sending", and no request id after it
    assert f"row {lost}: the submit may have reached RunComfy" in first.stderr
    assert "recover it by id" in first.stderr
    assert standin.stats()["calls"]["submit"] == 3  # the lost answer's job exists at the API

    changed = 3 if lost != 3 else 2  # a finished row whose prompt changes: a new row, sent again
    rows.write_text(rows.read_text(encoding="utf-8").replace(f"row {changed}", f"row {changed} at dusk"),
                    encoding="utf-8")
    again = run_batch(tmp_path, rows, out, "--concurrency", "3", **online(standin))
    assert again.returncode == 1, again.stderr
    assert "1 awaiting recovery" in again.stderr
    assert f"row {lost}: the submit may have reached" in again.stderr
    assert standin.stats()["calls"]["submit"] == 4  # the changed row only: never the lost one again
    table = {int(r["row"]): r for r in results(out)}
    assert table[lost]["state"] == "unknown" and table[lost]["request_id"] == ""
    assert [table[n]["state"] for n in (1, 2, 3) if n != lost] == ["succeeded", "succeeded"]
    assert len(list(out.glob(f"row-00{changed}-*.mp4"))) == 2 and len(list(out.glob("*.mp4"))) == 3


def test_ctrl_c_withdraws_a_queued_row_and_the_rerun_sends_it(tmp_path, standin):
    standin.configure(queue_s=60)
    rows, out = write_csv(tmp_path, 1), tmp_path / "out"
    proc = start_batch(tmp_path, rows, out, **online(standin))
    try:
        deadline = time.monotonic() + 30
        while not any("request_id" in line for line in journal(out)) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.8)  # into its poll loop
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    (rid,) = standin.stats()["jobs"]
    assert standin.stats()["jobs"][rid]["state"] == "cancelled" and "nothing billed" in err
    assert results(out)[0]["state"] == "withdrawn"
    (kept,) = json.loads(cli(["history", "--json"], tmp_path).stdout)
    assert (kept["request_id"], kept["state"]) == (rid, "cancelled")  # not counted against any budget
    standin.configure(queue_s=0.3)
    again = run_batch(tmp_path, rows, out, **online(standin))
    assert again.returncode == 0, again.stderr
    assert standin.stats()["calls"]["submit"] == 2 and results(out)[0]["state"] == "succeeded"


def test_the_money_limits_hold_for_the_whole_batch_before_anything_is_sent(tmp_path, standin):
    rows = write_csv(tmp_path, 3)
    capped = run_batch(tmp_path, rows, tmp_path / "a", "--max-cost", "0.5", **online(standin))
    budget = run_batch(tmp_path, rows, tmp_path / "b", **online(standin, RUNCOMFY_DAILY_BUDGET_USD="0.6"))
    standin.configure(balance_usd=0.7)
    broke = run_batch(tmp_path, rows, tmp_path / "c", **online(standin))
    assert (capped.returncode, budget.returncode, broke.returncode) == (2, 2, 2)
    assert "estimate: $0.75 for the 3 rows to send" in capped.stderr
    assert "estimated at $0.75, above --max-cost $0.50. Nothing was sent." in capped.stderr
    assert "only $0.60 of the daily budget of $0.60 is left" in budget.stderr
    assert "the RunComfy balance is $0.70" in broke.stderr
    assert standin.stats()["calls"]["submit"] == 0
    assert {r["state"] for r in results(tmp_path / "a")} == {"not_sent"}


def test_a_terminal_gets_a_progress_bar(tmp_path, standin):
    rows, out = write_csv(tmp_path, 2), tmp_path / "out"
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))  # a real terminal's size
    proc = subprocess.Popen([sys.executable, "-m", "client", "batch", str(rows), "--out", str(out)],
                            cwd=tmp_path, env=cli_env(**online(standin)), stdout=subprocess.PIPE,
                            stderr=follower, text=True)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    text = shown.decode("utf-8", "replace")
    assert "2/2 [" in text and "in flight=0, failed=0" in text and "100%|" in text
    assert text.index("estimate:") < text.index("0/2 [")  # the bar starts after the lines before it
    assert "submitted" not in text  # the bar replaces the event lines


def test_a_line_cut_by_a_crash_is_skipped_and_never_glued_to_the_next(tmp_path):
    (tmp_path / JOURNAL_NAME).write_text('{"row": 1, "key": "k1", "event": "sending"}\n{"row": 2, "ke',
                                         encoding="utf-8")
    writer = Journal(tmp_path)
    writer.write_now(2, "k2", event="sending")
    writer.write_now(2, "k2", request_id="r2", seed=5)
    writer.close()
    known = read_journal(tmp_path)
    assert set(known) == {(1, "k1"), (2, "k2")}
    assert known[(1, "k1")].status == "sending" and known[(2, "k2")].request_id == "r2"


def test_a_csv_without_the_required_columns_is_refused(tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("picture,prompt\na.jpg,hi\n", encoding="utf-8")
    done = cli(["batch", str(rows), "--offline"], tmp_path)
    assert done.returncode == 2 and "must name the columns image and prompt (missing: image" in done.stderr
