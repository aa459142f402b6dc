"""The price and the balance as RunComfy states them, read tolerantly (see shared/runcomfy-api.md).

The model card (``GET /v1/models/{model_id}``) carries ``base_price_usd``, ``price_unit`` and a
``pricing_note`` (RunComfy's MCP server, CLI and ComfyUI nodes read them; none documents the exact
types, so a number given as a string is accepted too). The balance (``GET {account}/balance``,
another host) carries ``balance_usd`` and ``balance_microdollars``. Nothing here computes a cost:
``client.jobs.pricing`` turns a price into an estimate, and only when the unit is ``second``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

DEFAULT_ACCOUNT_URL = "https://api.runcomfy.net/prod/v2"
ACCOUNT_PATH = "/prod/v2"


@dataclass(frozen=True)
class Price:
    """A model's live price: ``usd`` per ``unit`` (None when the card gave no usable figure)."""

    model_id: str
    usd: float | None
    unit: str | None
    note: str | None = None
    display_name: str | None = None

    @property
    def per_second(self) -> float | None:
        """The price of one second of video, when RunComfy prices this model by the second."""
        return self.usd if self.unit == "second" else None

    @property
    def words(self) -> str:
        """RunComfy's own terms, for a unit we do not compute with ('$0.9 per video; note')."""
        parts = []
        if self.usd is not None:
            parts.append(f"${self.usd:g} per {self.unit or 'unit'}")
        elif self.unit:
            parts.append(f"priced per {self.unit}")
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


@dataclass(frozen=True)
class Balance:
    """What is left in the RunComfy wallet (one wallet pays for every RunComfy product)."""

    usd: float | None
    currency: str = "USD"


def _amount(value: Any) -> float | None:
    """A finite, non-negative number (a numeric string too), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value) and value >= 0:
        return float(value)
    return None


def _text(value: Any, limit: int = 300) -> str | None:
    return (value.strip()[:limit] or None) if isinstance(value, str) else None


def parse_price(body: dict[str, Any], model: str) -> Price:
    """Read the model card. ``price_unit`` is lower-cased; a missing or odd price gives ``usd`` None."""
    unit = _text(body.get("price_unit"), 40)
    return Price(
        model_id=_text(body.get("model_id")) or model,
        usd=_amount(body.get("base_price_usd")),
        unit=unit.lower() if unit else None,
        note=_text(body.get("pricing_note")),
        display_name=_text(body.get("display_name")),
    )


def parse_balance(body: dict[str, Any]) -> Balance:
    """Read the balance answer: ``balance_usd``, else ``balance_microdollars`` / 1e6."""
    usd = _amount(body.get("balance_usd"))
    if usd is None:
        micro = _amount(body.get("balance_microdollars"))
        usd = micro / 1_000_000 if micro is not None else None
    return Balance(usd, _text(body.get("currency"), 10) or "USD")


def account_url_for(base_url: str) -> str:
    """The account API for a Model API base URL: RunComfy's own for RunComfy's, else the same origin.

    A stand-in on loopback (``http://127.0.0.1:8765/v1``) then serves the balance too
    (``http://127.0.0.1:8765/prod/v2``); the key goes nowhere it was not already sent.
    """
    scheme, sep, rest = base_url.partition("://")
    host = rest.split("/", 1)[0]
    if not sep or host == "model-api.runcomfy.net":
        return DEFAULT_ACCOUNT_URL
    return f"{scheme}://{host}{ACCOUNT_PATH}"
