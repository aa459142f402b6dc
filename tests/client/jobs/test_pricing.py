"""The price book against the stand-in over real HTTP (loopback): estimates for 5 s and 10 s, a unit
that is not the second, a price that cannot be read, and the minute a price is kept (counted at the
stand-in: ``calls["model"]``)."""

from __future__ import annotations

import asyncio

import pytest

from client.dreamina import InputRefused
from client.jobs import Connection, PriceBook, Route, estimate_from
from client.runcomfy import Price, Secret
from tests.client.runs import make_client, run


class Clock:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def server(conn: Connection) -> Route:
    return Route(conn, None, "server")


def test_estimates_for_5_and_10_seconds_come_from_one_read(standin, tmp_path):
    standin.configure(price_usd=0.07)

    async def go():
        book = PriceBook()
        async with make_client(standin, tmp_path) as conn:
            return await book.estimate(server(conn), 121), await book.estimate(server(conn), 241)

    five, ten = run(go())
    assert (five.kind, five.seconds, five.usd) == ("figure", 5, 0.35)
    assert (ten.kind, ten.seconds, ten.usd) == ("figure", 10, 0.7)  # rounded: not 0.7000000000000001
    assert five.price.per_second == 0.07 and five.has_figure
    assert standin.stats()["calls"]["model"] == 1


def test_a_price_is_kept_a_minute_then_read_again(standin, tmp_path):
    clock = Clock()

    async def go():
        book = PriceBook(ttl_s=60.0, clock=clock)
        async with make_client(standin, tmp_path) as conn:
            await book.estimate(server(conn), 121)
            clock.now += 59.0
            await book.estimate(server(conn), 241)
            reads_within = standin.stats()["calls"]["model"]
            standin.configure(price_usd=0.1)
            clock.now += 2.0
            later = await book.estimate(server(conn), 121)
            return reads_within, later

    reads_within, later = run(go())
    assert reads_within == 1
    assert later.usd == 0.5 and standin.stats()["calls"]["model"] == 2


def test_twenty_at_once_on_a_cold_book_make_one_read_and_each_key_has_its_own(standin, tmp_path):
    async def go():
        book = PriceBook()
        async with make_client(standin, tmp_path) as conn:
            own = await asyncio.gather(*(book.estimate(server(conn), 121) for _ in range(20)))
            visitor = await book.estimate(Route(conn, Secret("fake-visitor-key-1"), "byo"), 121)
            return own, visitor

    own, visitor = run(go())
    assert {e.usd for e in own} == {0.25} and visitor.usd == 0.25
    assert standin.stats()["calls"]["model"] == 2


def test_a_unit_other_than_the_second_is_passed_on_in_runcomfys_words(standin, tmp_path):
    standin.configure(price_usd=0.9, price_unit="video")

    async def go():
        async with make_client(standin, tmp_path) as conn:
            return await PriceBook().estimate(server(conn), 241)

    words = run(go())
    assert words.kind == "words" and words.usd is None and not words.has_figure
    assert words.words.startswith("$0.9 per video")


def test_a_price_that_cannot_be_read_is_unavailable_and_not_kept(standin, tmp_path):
    standin.configure(price_fails=True)

    async def go():
        book = PriceBook()
        async with make_client(standin, tmp_path) as conn:
            first = await book.estimate(server(conn), 121)
            standin.configure(price_fails=False)
            return first, await book.estimate(server(conn), 121)

    first, second = run(go())
    assert first.kind == "unavailable" and first.usd is None and first.words == ""
    assert second.usd == 0.25  # a failure is not remembered: the next estimate reads again


def test_the_offline_preview_is_never_priced(tmp_path):
    async def go():
        async with Connection("offline-preview", "http://offline.invalid/v1", offline=True) as conn:
            return await PriceBook().estimate(Route(conn, None, "offline"), 121)

    estimate = run(go())
    assert estimate.kind == "offline" and estimate.usd is None and estimate.price is None


def test_estimates_check_the_length():
    price = Price("m", 0.05, "second")
    assert estimate_from(price, None).frames == 121
    assert estimate_from(Price("m", None, "second"), 121).kind == "unavailable"
    with pytest.raises(InputRefused):
        estimate_from(price, 120)
