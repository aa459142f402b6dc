"""The two money calls against the stand-in over real HTTP (loopback): the model's card (its live price)
and the balance on the account host; a 402 on submit. Shapes the stand-in never sends on purpose (a
price as a string, microdollars only, a card with no price) come from an ``httpx.MockTransport``.
"""

from __future__ import annotations

import httpx
import pytest

from client.dreamina import SCHEMA
from client.jobs import run_job
from client.runcomfy import (
    DEFAULT_ACCOUNT_URL,
    APIRefused,
    Balance,
    NotFound,
    Price,
    RunComfyClient,
    account_url_for,
)
from tests.client.runs import FAKE_TOKEN, QUICK_RETRY, collect, job, make_client, run


def api_for(standin) -> RunComfyClient:
    return RunComfyClient(FAKE_TOKEN, standin.base_url, model=SCHEMA.model, retry=QUICK_RETRY)


def test_the_card_gives_the_live_price_and_the_balance_comes_from_the_account_host(standin):
    standin.configure(price_usd=0.07, balance_usd=12.5)

    async def go():
        async with api_for(standin) as api:
            return api.account_url, await api.price(), await api.balance()

    account, price, balance = run(go())
    assert account == f"{standin.url}/prod/v2"
    assert price.usd == 0.07 and price.unit == "second" and price.per_second == 0.07
    assert price.model_id == SCHEMA.model and price.note
    assert balance == Balance(12.5, "USD")
    calls = standin.stats()["calls"]
    assert calls["model"] == 1 and calls["balance"] == 1 and calls["submit"] == 0


def test_a_failing_card_fails_fast_with_two_tries_not_the_whole_backoff(standin):
    standin.configure(price_fails=True)

    async def go():
        async with api_for(standin) as api:
            await api.price()

    with pytest.raises(APIRefused) as info:
        run(go())
    assert info.value.reason == "server"
    assert standin.stats()["calls"]["model"] == 2  # QUICK_RETRY allows 4: a price read takes 2 at most


def test_no_balance_served_is_a_clear_not_found_and_never_shows_the_token(standin):
    async def go():
        async with api_for(standin) as api:
            await api.balance()

    with pytest.raises(NotFound) as info:
        run(go())
    assert FAKE_TOKEN not in str(info.value)


def test_a_submit_the_wallet_cannot_pay_is_a_balance_refusal_sent_once(standin, tmp_path):
    standin.configure(balance_usd=0.10)  # a 5 s job costs 0.25 at the default price

    async def go():
        async with make_client(standin, tmp_path) as conn:
            return await collect(run_job(conn, job()))

    with pytest.raises(APIRefused) as info:
        run(go())
    assert (info.value.reason, info.value.error_code, info.value.status_code) == ("balance", 400002, 402)
    stats = standin.stats()
    assert stats["calls"]["submit"] == 1 and stats["submissions"] == 0  # never retried, nothing accepted


def test_odd_card_and_balance_shapes_are_read_tolerantly():
    answers = {
        "/v1/models/" + SCHEMA.model: {"base_price_usd": "0.63", "price_unit": "Second",
                                       "pricing_note": " n "},
        "/prod/v2/balance": {"balance_microdollars": 2_500_000},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {FAKE_TOKEN}"
        return httpx.Response(200, json=answers[request.url.path])

    async def go():
        async with RunComfyClient(FAKE_TOKEN, "https://example.test/v1", model=SCHEMA.model,
                                  account_url="https://example.test/prod/v2",
                                  transport=httpx.MockTransport(handler)) as api:
            return await api.price(), await api.balance()

    price, balance = run(go())
    assert price == Price(SCHEMA.model, 0.63, "second", "n", None)
    assert balance.usd == 2.5


def test_a_card_without_a_usable_price_has_no_figure():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"base_price_usd": True, "price_unit": "video"})

    async def go():
        async with RunComfyClient(FAKE_TOKEN, "https://example.test/v1", model=SCHEMA.model,
                                  transport=httpx.MockTransport(handler)) as api:
            return await api.price()

    price = run(go())
    assert price.usd is None and price.unit == "video" and price.per_second is None


def test_the_account_host_follows_the_base_url():
    assert account_url_for("https://model-api.runcomfy.net/v1") == DEFAULT_ACCOUNT_URL
    assert account_url_for("http://127.0.0.1:8765/v1") == "http://127.0.0.1:8765/prod/v2"
    assert RunComfyClient(None, model="m", account_url="https://a.test/x/").account_url == "https://a.test/x"
