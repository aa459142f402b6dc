"""The live price, kept about a minute, and what a run will cost by it.

    prices = PriceBook()                               # one per app (or per CLI run)
    estimate = await prices.estimate(route, 121)       # Estimate(kind="figure", usd=0.25, seconds=5)

Why a book: RunComfy's own ComfyUI nodes never hard-code a price; they read the model's card with
the key in use, keep it briefly, and read it again before each submit. Here a price is kept
:data:`PRICE_TTL_S` per key, API and model: the page can show an estimate each time the length
changes without a call each time, and a submit never goes out on a price older than that.

An estimate is a figure only when RunComfy prices the model by the ``second``; any other unit is
passed on in RunComfy's words, never guessed into a number. The offline preview is never priced.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from client.dreamina import SCHEMA, check_frames
from client.jobs.connect import Route
from client.runcomfy import Price, RunComfyError, Secret

log = logging.getLogger(__name__)
PRICE_TTL_S = 60.0
EstimateKind = Literal["figure", "words", "unavailable", "offline"]
_Key = tuple[str, str, str]


@dataclass(frozen=True)
class Estimate:
    """What one run should cost, as far as can honestly be said.

    ``kind``: ``figure`` (``usd`` = price x seconds), ``words`` (a unit other than the second:
    ``price`` holds RunComfy's terms, ``usd`` is None), ``unavailable`` (the price could not be
    read) or ``offline`` (the preview: no price, nothing billed).
    """

    kind: EstimateKind
    frames: int
    seconds: int
    usd: float | None = None
    price: Price | None = None

    @property
    def has_figure(self) -> bool:
        """True when there is a dollar figure to show and to count."""
        return self.kind == "figure" and self.usd is not None

    @property
    def words(self) -> str:
        """RunComfy's own terms for the price ('' when there is no price)."""
        return self.price.words if self.price is not None else ""


def estimate_from(price: Price | None, frames: int | str | None, *, offline: bool = False) -> Estimate:
    """The estimate for ``frames`` (checked: 121 or 241, None the default) at ``price`` (None: unavailable).

    An unknown length raises ``InputRefused``, like the form would.
    """
    frames = check_frames(frames)
    seconds = SCHEMA.seconds_for(frames)
    if offline:
        return Estimate("offline", frames, seconds)
    if price is None:
        return Estimate("unavailable", frames, seconds)
    if price.per_second is not None:
        return Estimate("figure", frames, seconds, round(price.per_second * seconds, 6), price)
    if price.usd is None:  # a card without a usable figure: nothing to show or to count
        return Estimate("unavailable", frames, seconds, price=price)
    return Estimate("words", frames, seconds, price=price)


class PriceBook:
    """Prices per key, API and model, each kept ``ttl_s`` seconds; one read at a time per key."""

    def __init__(self, *, ttl_s: float = PRICE_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._book: dict[_Key, tuple[float, Price]] = {}
        self._reading: dict[_Key, asyncio.Task[Price | None]] = {}

    @staticmethod
    def _key(route: Route) -> _Key:
        # The key itself is never kept: a fingerprint tells keys apart (a visitor may have their own price).
        token = route.token
        raw = token.reveal() if isinstance(token, Secret) else str(token or "")
        who = hashlib.sha256(raw.encode()).hexdigest()[:16] if raw else f"own-{id(route.conn)}"
        return who, route.conn.base_url, route.conn.model

    async def price(self, route: Route) -> Price | None:
        """The route's live price (kept ``ttl_s``), or None when it cannot be read; never for offline."""
        if route.offline:
            return None
        key = self._key(route)
        kept = self._book.get(key)
        if kept is not None and self._clock() - kept[0] < self.ttl_s:
            return kept[1]
        loop = asyncio.get_running_loop()
        reading = self._reading.get(key)
        if reading is None or reading.get_loop() is not loop or reading.done():
            # Twenty visitors pressing at once on a cold book make one read, not twenty.
            reading = loop.create_task(self._read(route, key), name="runcomfy-price")
            self._reading[key] = reading
        return await asyncio.shield(reading)

    async def _read(self, route: Route, key: _Key) -> Price | None:
        try:
            price = await route.conn.api.price(token=route.token)
        except RunComfyError as exc:
            log.warning("price unavailable: %s", type(exc).__name__)
            return None
        finally:
            if self._reading.get(key) is asyncio.current_task():
                del self._reading[key]
        self._book[key] = (self._clock(), price)
        return price

    async def estimate(self, route: Route, frames: int | str | None) -> Estimate:
        """What ``frames`` (121 or 241) will cost on ``route`` at the live price."""
        if route.offline:
            return estimate_from(None, frames, offline=True)
        return estimate_from(await self.price(route), frames)

    def forget(self) -> None:
        """Drop every kept price (the next estimate reads again)."""
        self._book.clear()
