"""Reading RunComfy's answers tolerantly, and the poll schedule."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from client.parse import State, error_text, first_video_url, parse_result, parse_state, parse_status
from client.polling import PollPlan


def test_both_success_spellings_and_canceled():
    assert parse_state("completed") is parse_state("succeeded") is State.SUCCEEDED
    assert parse_state("canceled") is parse_state("CANCELLED") is State.CANCELLED
    assert parse_state("in_queue") is State.QUEUED and parse_state("in_progress") is State.RUNNING
    assert parse_state("mystery") is State.UNKNOWN and parse_state(None) is State.UNKNOWN


def test_video_or_videos_first_one_wins():
    assert first_video_url({"video": "https://a/v.mp4", "videos": ["https://b"]}) == "https://a/v.mp4"
    assert first_video_url({"videos": ["", "https://b/1.mp4", "https://b/2.mp4"]}) == "https://b/1.mp4"
    assert first_video_url({"image": "https://a/i.png"}) is None
    assert first_video_url(None) is None


def test_result_with_extra_fields_cost_and_any_error_type():
    done = parse_result({"status": "succeeded", "output": {"video": "https://x/v.mp4"}, "cost": 0.5,
                         "new_field": [1, 2]}, "r1")
    assert done.state is State.SUCCEEDED and done.video_url == "https://x/v.mp4" and done.cost == 0.5
    failed = parse_result({"status": "failed", "error": {"message": "content policy"}}, "r1")
    assert failed.error == "content policy"
    assert "oops" in (parse_result({"status": "failed", "error": ["oops"]}, "r1").error or "")
    assert parse_result({"status": "failed"}, "r1").error


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                    max_leaves=10))
def test_error_text_never_raises_and_is_bounded(value):
    text = error_text(value)
    assert isinstance(text, str) and 0 < len(text) <= 500


def test_status_position_only_when_a_number():
    assert parse_status({"status": "in_queue", "queue_position": 3}, "r").position == 3
    assert parse_status({"status": "in_queue", "queue_position": True}, "r").position is None
    assert parse_status({"status": "in_queue", "queue_position": "3"}, "r").position is None


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
