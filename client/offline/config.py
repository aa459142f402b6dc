"""The stand-in's knobs: timings, faults, tokens, costs, and how a JSON object changes them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from client.offline.faults import FaultRule


@dataclass
class OfflineConfig:
    """Knobs of the stand-in. Defaults suit an interactive preview (about 6 s per job).

    ``outage_until`` is a ``time.monotonic()`` instant; over HTTP use ``outage_seconds``.
    ``tokens`` None accepts any non-empty token; it is kept out of ``repr``.

    Money: the model card says ``price_usd`` per ``price_unit`` (a job costs price x seconds when the
    unit is ``second``, else the price per video), and that is what ``include_cost`` reports and the
    balance is charged. ``price_fails`` makes the card answer 500. ``balance_usd`` is every key's
    starting wallet (None: no balance is served and no submit is refused for money).
    """

    queue_s: float = 2.0
    run_s: float = 4.0
    run_spread: float = 0.0  # each job runs run_s x (1 ± up to this fraction), drawn from ``seed``
    start_position: int = 3
    tokens: frozenset[str] | None = field(default=None, repr=False)
    fail_next: int = 0
    result_ttl_s: float | None = None
    video_ttl_s: float | None = None
    price_usd: float = 0.05
    price_unit: str = "second"
    price_fails: bool = False
    balance_usd: float | None = None
    faults: list[FaultRule] = field(default_factory=list)
    outage_until: float | None = None
    seed: int = 0

    def updated(self, changes: Mapping[str, Any], now: float) -> OfflineConfig:
        """A copy with knobs from a JSON object applied; raise ValueError for a bad knob.

        Accepts every field by name (``faults`` as a list of objects, ``tokens`` as a list or
        null) plus ``outage_seconds`` (an outage from ``now`` on; 0 ends it).
        """
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "outage_seconds":
                values["outage_until"] = now + _number(key, value, float) if value else None
            elif key == "faults":
                values["faults"] = [r if isinstance(r, FaultRule) else FaultRule.from_json(r) for r in value]
            elif key == "tokens":
                if isinstance(value, str):
                    raise ValueError("tokens must be a list of strings or null")
                values["tokens"] = None if value is None else frozenset(str(t) for t in value)
            elif key == "price_unit":
                if not isinstance(value, str) or not value.strip():
                    raise ValueError("price_unit must be a non-empty string")
                values[key] = value.strip()
            elif key == "price_fails":
                if not isinstance(value, bool):
                    raise ValueError("price_fails must be true or false")
                values[key] = value
            elif key in _KNOB_TYPES:
                kind, optional = _KNOB_TYPES[key]
                values[key] = None if value is None and optional else _number(key, value, kind)
            else:
                raise ValueError(f"unknown knob {key!r}")
        return dataclasses.replace(self, **values)

    def public(self) -> dict[str, Any]:
        """The knobs as JSON, tokens reduced to their number."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "tokens"}
        data["faults"] = [r.to_json() for r in self.faults]
        data["tokens"] = None if self.tokens is None else len(self.tokens)
        return data


# Numeric knobs: (type, may be null). All must be >= 0 except the RNG seed.
_KNOB_TYPES: dict[str, tuple[type, bool]] = {
    "queue_s": (float, False),
    "run_s": (float, False),
    "run_spread": (float, False),
    "start_position": (int, False),
    "fail_next": (int, False),
    "result_ttl_s": (float, True),
    "video_ttl_s": (float, True),
    "price_usd": (float, False),
    "balance_usd": (float, True),
    "outage_until": (float, True),
    "seed": (int, False),
}


def _number(key: str, value: Any, kind: type) -> Any:
    """``value`` as ``kind``, refusing strings, bools, fractions for ints and negatives."""
    if isinstance(value, bool) or not isinstance(value, int if kind is int else (int, float)):
        raise ValueError(f"{key} must be {'an integer' if kind is int else 'a number'}")
    if value < 0 and key != "seed":
        raise ValueError(f"{key} must not be negative")
    return kind(value)
