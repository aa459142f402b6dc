"""Reading RunComfy's answers tolerantly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from client.runcomfy.parse import State, error_text, first_video_url, parse_result, parse_state, parse_status


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
