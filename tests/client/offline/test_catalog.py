"""The stand-in's money, over real HTTP (loopback): the model card and its knobs, the balance per key
(charged when a job is accepted, given back when it fails or is cancelled), a 402 when the wallet is
short, and ``include_cost`` at the price in force when the job was sent."""

from __future__ import annotations

import httpx
import pytest

from client.dreamina import SCHEMA
from client.offline import OfflineConfig
from tests.client.offline.test_offline import MODEL_PATH, TOKEN, api, body, submit, wait_done

OTHER = "offline-test-token-c"


def balance(standin, token: str = TOKEN) -> httpx.Response:
    return httpx.get(f"{standin.url}/prod/v2/balance", headers={"Authorization": f"Bearer {token}"})


def test_the_card_carries_the_price_knobs(standin):
    standin.configure(price_usd=0.9, price_unit="video")
    with api(standin) as client:
        card = client.get(MODEL_PATH).json()
    assert card["model_id"] == SCHEMA.model and card["display_name"]
    assert (card["base_price_usd"], card["price_unit"]) == (0.9, "video")
    assert "not RunComfy's price" in card["pricing_note"] and card["input_schema"]["properties"]
    assert standin.stats()["calls"]["model"] == 1


def test_the_card_needs_a_token_knows_one_model_and_fails_on_demand(standin):
    assert httpx.get(standin.base_url + MODEL_PATH).status_code == 401
    with api(standin) as client:
        unknown = client.get("/models/someone/else")
        standin.configure(price_fails=True)
        failing = client.get(MODEL_PATH)
    assert unknown.status_code == 404 and unknown.json()["error_code"] == 400001
    assert failing.status_code == 500 and failing.json()["error_code"] == 500001


def test_no_balance_knob_serves_no_balance_and_refuses_nothing(standin):
    assert balance(standin).status_code == 404
    with api(standin) as client:
        submit(client)
    assert standin.stats()["submissions"] == 1


def test_each_key_is_charged_when_accepted_and_refunded_on_failure_or_cancel(standin):
    standin.configure(balance_usd=1.0, fail_next=1, queue_s=0.0, run_s=0.0)
    with api(standin) as client:
        failed = submit(client)  # fails at once (fail_next, no queue, no run): given back
        standin.configure(queue_s=5.0)
        queued = submit(client)
        assert balance(standin).json()["balance_usd"] == pytest.approx(0.75)
        assert client.post(queued["cancel_url"]).json()["outcome"] == "cancelled"
        kept = submit(client, body(frames=241))
    assert failed["request_id"] != kept["request_id"]
    answer = balance(standin).json()
    assert answer["balance_usd"] == pytest.approx(0.5) and answer["balance_microdollars"] == 500_000
    assert balance(standin, OTHER).json()["balance_usd"] == 1.0  # another key, another wallet


def test_a_short_wallet_gets_402_and_400002_and_no_job(standin):
    standin.configure(balance_usd=0.3)
    with api(standin) as client:
        submit(client)  # 0.25 of 0.30
        short = client.post(MODEL_PATH, json=body())
    assert short.status_code == 402 and short.json()["error_code"] == 400002
    assert "0.05" in short.json()["error_message"]
    stats = standin.stats()
    assert stats["submissions"] == 1 and stats["calls"]["submit"] == 2


def test_the_cost_is_the_price_when_the_job_was_sent(standin):
    standin.configure(queue_s=0.1, run_s=0.2, price_usd=0.1)
    with api(standin) as client:
        job = submit(client)
        standin.configure(price_usd=5.0)  # a later change of price does not rewrite a job's bill
        result = wait_done(client, job)
    assert result["status"] == "succeeded" and result["cost"] == pytest.approx(0.5)


@pytest.mark.parametrize("knobs", [{"price_unit": ""}, {"price_unit": 3}, {"price_fails": 1},
                                   {"price_usd": -1}, {"balance_usd": "10"}])
def test_bad_money_knobs_are_refused(knobs):
    with pytest.raises(ValueError):
        OfflineConfig().updated(knobs, now=0.0)
    assert OfflineConfig().updated({"balance_usd": None, "price_fails": True}, now=0.0).price_fails
