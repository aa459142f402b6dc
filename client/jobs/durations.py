"""How long a job of this kind takes, learned from the history: what the poll schedule leans on.

RunComfy has no webhook and no status stream, so the end of a job is only seen by asking. A fixed
grid trades delay for calls (halving one doubles the other); knowing *when* the end will come beats
that trade. The store already holds every job's timeline: from the newest succeeded jobs of the same
kind (same API address, model and frame count) the time from first seen running to the end gives:

- ``median_s``: what "usually" means, shown to people ("usually ready in about 52 s");
- ``low_s`` / ``high_s``: the window the end very likely falls in (5th and 95th weighted percentiles,
  widened by a small pad), where :class:`~.polling.PollPlan` polls densely.

Recent jobs weigh more (a half-life of 10 jobs: the service gets faster or slower over a day);
outliers (more than 4 MADs from the median: a stalled job, a clock jump) are left out; failed and
cancelled jobs never count. With fewer than 5 jobs nothing is learned and the schedule stays as it
always was. The expectation is derived from the store each time, never kept as a second truth; a
damaged store means no expectation.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from client.history import AnyStore, StoreUnavailable

MIN_JOBS = 5
HALF_LIFE_JOBS = 10.0
OUTLIER_MADS = 4.0
LOW_QUANTILE, HIGH_QUANTILE = 0.05, 0.95
PAD_FRACTION, PAD_MIN_S = 0.02, 0.3  # the window's margin either side: 2% of the median, at least 0.3 s


@dataclass(frozen=True)
class Expectation:
    """Seconds from first seen running to the end: the usual time and the window it falls in."""

    median_s: float
    low_s: float
    high_s: float
    jobs: int  # how many finished jobs it was learned from


def _weighted_quantile(pairs: Sequence[tuple[float, float]], q: float) -> float:
    """The value below which ``q`` of the total weight lies (``pairs``: value, weight)."""
    ordered = sorted(pairs)
    total = sum(weight for _, weight in ordered)
    reached = 0.0
    for value, weight in ordered:
        reached += weight
        if reached >= q * total:
            return value
    return ordered[-1][0]


def learn(run_times: Sequence[float]) -> Expectation | None:
    """The expectation from run times, newest first; None with fewer than :data:`MIN_JOBS`."""
    if len(run_times) < MIN_JOBS:
        return None
    middle = statistics.median(run_times)
    spread = statistics.median(abs(t - middle) for t in run_times) * 1.4826  # MAD, as a standard deviation
    limit = OUTLIER_MADS * spread if spread > 0 else 0.05 * middle
    kept = [(t, 0.5 ** (age / HALF_LIFE_JOBS)) for age, t in enumerate(run_times) if abs(t - middle) <= limit]
    if len(kept) < 3:
        return None
    median = _weighted_quantile(kept, 0.5)
    pad = max(PAD_MIN_S, PAD_FRACTION * median)
    low = max(0.0, _weighted_quantile(kept, LOW_QUANTILE) - pad)
    return Expectation(median, low, _weighted_quantile(kept, HIGH_QUANTILE) + pad, len(kept))


def expect(store: AnyStore, *, base_url: str, model: str, frames: int) -> Expectation | None:
    """What the history says a job of this kind takes once running (blocking: a small SQL read)."""
    try:
        return learn(store.run_times(base_url=base_url, model=model, frames=frames))
    except StoreUnavailable:
        return None
