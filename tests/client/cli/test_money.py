"""Money on the command line, as a user runs it (real subprocesses, the stand-in on loopback): the estimate
before a run, ``--max-cost``, the balance and the daily budget refusing before anything is sent, the
``balance`` and ``price`` commands, and an offline run that shows no price at all."""

from __future__ import annotations

import json

from client.history import JobStore
from tests.client.cli.test_cli import FAKE_TOKEN, cli, picture


def online(standin, **extra: str) -> dict[str, str]:
    return {"RUNCOMFY_API_TOKEN": FAKE_TOKEN, "RUNCOMFY_BASE_URL": standin.base_url, **extra}


def test_generate_prints_the_estimate_first_and_records_it_with_the_cost(tmp_path, standin):
    done = cli(["generate", "--image", str(picture(tmp_path)), "--prompt", "x", "--json"],
               tmp_path, **online(standin))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    estimate = next(i for i, line in enumerate(lines) if line.startswith("estimate:"))
    assert lines[estimate] == "estimate: $0.25 for 5 s (RunComfy's live price: $0.05 per second)"
    assert estimate < next(i for i, line in enumerate(lines) if "submitted" in line)
    assert "balance: unknown" in done.stderr  # the stand-in serves no balance here: the run goes on
    made = json.loads(done.stdout)
    assert made["estimate"] == 0.25 and made["cost"] == 0.25
    with JobStore.open(tmp_path / "data") as store:
        row = store.get(made["request_id"])
    assert (row.estimate, row.cost, row.paid_by) == (0.25, 0.25, "server")


def test_max_cost_refuses_before_anything_is_sent(tmp_path, standin):
    done = cli(["generate", "--image", str(picture(tmp_path)), "--prompt", "x", "--max-cost", "0.2"],
               tmp_path, **online(standin))
    assert done.returncode == 2, done.stderr
    assert "refused: this run is estimated at $0.25, above --max-cost $0.20. Nothing was sent." in done.stderr
    assert standin.stats()["calls"]["submit"] == 0 and done.stdout == ""


def test_the_daily_budget_and_the_balance_apply_to_the_cli(tmp_path, standin):
    image = str(picture(tmp_path))
    over_budget = cli(["generate", "--image", image, "--prompt", "x"], tmp_path,
                      **online(standin, RUNCOMFY_DAILY_BUDGET_USD="0.2"))
    standin.configure(balance_usd=0.1)
    broke = cli(["generate", "--image", image, "--prompt", "x"], tmp_path, **online(standin))
    assert over_budget.returncode == 2 and broke.returncode == 2
    assert "this run alone ($0.25) is over the daily budget of $0.20" in over_budget.stderr
    assert "estimated at $0.25 but the RunComfy balance is $0.10" in broke.stderr
    assert standin.stats()["calls"]["submit"] == 0


def test_balance_and_price_commands(tmp_path, standin):
    standin.configure(balance_usd=7.5, price_usd=0.07)
    env = online(standin, RUNCOMFY_DAILY_BUDGET_USD="5")
    shown = cli(["balance"], tmp_path, **env)
    as_json = json.loads(cli(["balance", "--json"], tmp_path, **env).stdout)
    price = json.loads(cli(["price", "--frames", "241", "--json"], tmp_path, **env).stdout)
    assert shown.returncode == 0 and shown.stdout.strip() == "balance: $7.50 USD"
    assert "daily budget: $0.00 of $5.00 spent in the last 24 h ($5.00 left)" in shown.stderr
    assert as_json["balance_usd"] == 7.5 and as_json["account_url"] == f"{standin.url}/prod/v2"
    assert as_json["daily_budget"] == {"limit_usd": 5.0, "spent_usd": 0.0, "left_usd": 5.0}
    assert (price["kind"], price["estimate_usd"], price["price_usd"]) == ("figure", 0.7, 0.07)
    assert price["seconds"] == 10
    standin.configure(balance_usd=None)
    unknown = cli(["balance"], tmp_path, **env)
    assert unknown.returncode == 1 and unknown.stdout.strip() == "balance: unknown"
    assert FAKE_TOKEN not in shown.stderr + shown.stdout + unknown.stderr


def test_offline_shows_no_price_anywhere(tmp_path):
    done = cli(["generate", "--image", str(picture(tmp_path)), "--prompt", "x", "--offline", "--json",
                "--max-cost", "0"], tmp_path)
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert made["cost"] is None and made["estimate"] is None and made["offline"] is True
    assert "$" not in done.stderr and "estimate" not in done.stderr and "balance" not in done.stderr
    no_key = cli(["balance"], tmp_path)
    assert no_key.returncode == 2 and "offline preview has no balance" in no_key.stderr
