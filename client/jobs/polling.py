"""When to ask again: the poll schedule, and how it leans on what the history has learned.

How it was chosen (figures in README, from ``benchmarks/bench_polling.py``): a video job waits in
RunComfy's queue, then runs for one to ten minutes. What a person feels is how soon a finished
video shows up; what RunComfy sees is how many requests we send.

- The first poll comes soon (0.5 s): refusals and instant failures show at once.
- While queued, the interval doubles up to 4 s: a queue position is worth showing, not racing.
- While running, a steady 1.75 s: the end can come any moment, and with a steady grid the wait
  after the job ends is on average half the interval (about 0.9 s), for ~34 requests on a
  10 s queue + 50 s run. A faster grid costs requests linearly for little gain.
- After 3 minutes of running, 3 s: long jobs cost fewer requests; a late video waits ~1.5 s more.

With an :class:`~.durations.Expectation` (five or more finished jobs of the same kind), the running
phase knows roughly when the end comes: before the window it is likely in, a few evenly spaced
status calls (at most ``sparse_max_s``, 25 s, apart: a failure or a stall mid-run still shows within
25 s); inside the window, every ``dense_s`` (0.5 s: the end is seen about 0.25 s after it happens),
or wider when the window is wide, so the calls up to the window's end never outnumber the steady
grid's; past the window, every ``overdue_s`` (1.4 s) while 80% of the calls saved so far last, then
the steady grid above. However long a job takes, it costs no more calls than with nothing learned
(``tests/client/jobs/test_durations.py`` walks short, long, narrow, wide and ten-times-late jobs). A
short job (the offline preview's few seconds) saves nothing, so it keeps the steady grid. The queued
phase does not change: the queue position still updates at least every 4 s. Why 25 s and
0.5 s: on the benchmark's 10 s queue + 50 s ±5% jobs, simulated over 300 sets of 12 jobs each
learned from 5 others, the median set sees its ends 0.28 s late for 13.5 calls a job; 15 s and 0.7 s
gave 0.39 s for 14, and a set in ten was over 0.55 s late.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from client.jobs.durations import Expectation
from client.runcomfy import State


@dataclass(frozen=True)
class PollPlan:
    """Poll intervals by state; see the module docstring for why these numbers."""

    first_s: float = 0.5
    queued_growth: float = 2.0
    queued_max_s: float = 4.0
    running_s: float = 1.75
    slow_after_s: float = 180.0
    running_slow_s: float = 3.0
    sparse_max_s: float = 25.0
    dense_s: float = 0.5
    overdue_s: float = 1.4
    learns: bool = True  # False: the same grid whatever the history says (today's plan, for comparison)

    @classmethod
    def fixed(cls, seconds: float) -> PollPlan:
        """A constant interval (the official CLI polls every 2 s); it ignores any expectation."""
        return cls(seconds, 1.0, seconds, seconds, float("inf"), seconds, learns=False)

    def next_delay(
        self,
        state: State,
        previous_delay: float | None,
        seconds_running: float,
        expected: Expectation | None = None,
    ) -> float:
        """Seconds to wait before the next poll.

        ``previous_delay`` is the last wait (None before the first poll); ``seconds_running`` is how
        long the job has been seen running (0 while queued); ``expected`` is what the history learned.
        """
        if previous_delay is None:
            return self.first_s
        if state is State.RUNNING:
            if seconds_running >= self.slow_after_s:
                return self.running_slow_s
            if not self.learns or expected is None:
                return self.running_s
            gap = expected.low_s - seconds_running
            if gap > self.dense_s:  # far from the end: split the way there into even, sparse steps
                return gap / math.ceil(gap / self.sparse_max_s)
            if seconds_running < expected.high_s:
                return self.window_step(expected)
            return self.overdue_s if seconds_running < self.overdue_until(expected) else self.running_s
        return min(self.queued_max_s, max(self.first_s, previous_delay * self.queued_growth))

    def _sparse_calls(self, expected: Expectation) -> int:
        return math.ceil(max(0.0, expected.low_s) / self.sparse_max_s)

    def window_step(self, expected: Expectation) -> float:
        """The interval inside the window: ``dense_s``, or wider for a wide window, so that the calls
        up to the window's end never outnumber the steady grid's (``high_s / running_s``)."""
        allowed = expected.high_s / self.running_s - self._sparse_calls(expected)
        if allowed <= 1:
            return self.running_s
        return min(self.running_s, max(self.dense_s, (expected.high_s - expected.low_s) / allowed))

    def overdue_until(self, expected: Expectation) -> float:
        """How long an overdue job may be polled every ``overdue_s`` before the steady grid takes over.

        As long as 80% of the calls saved up to the window's end last (the steady grid would have
        spent ``high_s / running_s`` by then), so that however long a job takes, it costs no more calls
        than it would have with nothing learned.
        """
        window = (expected.high_s - expected.low_s) / self.window_step(expected)
        saved = expected.high_s / self.running_s - self._sparse_calls(expected) - window
        extra_per_second = 1 / self.overdue_s - 1 / self.running_s
        if saved <= 0 or extra_per_second <= 0:
            return expected.high_s
        return expected.high_s + 0.8 * saved / extra_per_second
