"""The poll schedule: when the next status call goes out."""

from __future__ import annotations

from client.jobs import PollPlan
from client.runcomfy import State


def test_poll_plan_is_fast_first_slower_queued_steady_running():
    plan = PollPlan()
    waits = [plan.next_delay(State.QUEUED, None, 0)]
    for _ in range(6):
        waits.append(plan.next_delay(State.QUEUED, waits[-1], 0))
    assert waits[0] == plan.first_s and waits == sorted(waits) and waits[-1] == plan.queued_max_s
    assert plan.next_delay(State.RUNNING, 4.0, 10) == plan.running_s
    assert plan.next_delay(State.RUNNING, 1.75, 600) == plan.running_slow_s
    fixed = PollPlan.fixed(2.0)
    assert {fixed.next_delay(s, d, r) for s in State for d in (None, 2.0) for r in (0, 999)} == {2.0}
