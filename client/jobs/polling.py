"""When to ask again: the poll schedule.

How it was chosen (figures in README, from ``benchmarks/bench_polling.py``): a video job waits in
RunComfy's queue, then runs for one to ten minutes. What a person feels is how soon a finished
video shows up; what RunComfy sees is how many requests we send.

- The first poll comes soon (0.5 s): refusals and instant failures show at once.
- While queued, the interval doubles up to 4 s: a queue position is worth showing, not racing.
- While running, a steady 1.75 s: the end can come any moment, and with a steady grid the wait
  after the job ends is on average half the interval (about 0.9 s), for ~34 requests on a
  10 s queue + 50 s run. A faster grid costs requests linearly for little gain.
- After 3 minutes of running, 3 s: long jobs cost fewer requests; a late video waits ~1.5 s more.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    @classmethod
    def fixed(cls, seconds: float) -> PollPlan:
        """A constant interval (the official CLI polls every 2 s)."""
        return cls(seconds, 1.0, seconds, seconds, float("inf"), seconds)

    def next_delay(self, state: State, previous_delay: float | None, seconds_running: float) -> float:
        """Seconds to wait before the next poll.

        ``previous_delay`` is the last wait (None before the first poll); ``seconds_running`` is how
        long the job has been seen running (0 while queued).
        """
        if previous_delay is None:
            return self.first_s
        if state is State.RUNNING:
            return self.running_slow_s if seconds_running >= self.slow_after_s else self.running_s
        return min(self.queued_max_s, max(self.first_s, previous_delay * self.queued_growth))
