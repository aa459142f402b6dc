"""The media lanes: work leaves the event loop, runs one call at a time, at a lower CPU priority."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import threading
import time

import pytest

from client.media import PICTURES, VIDEOS, Lane, lower_this_thread

LINUX = sys.platform.startswith("linux")


def test_a_lane_runs_calls_off_the_loop_one_at_a_time_in_order() -> None:
    lane = Lane("test-order")
    spans: list[tuple[str, float, float, int]] = []

    def work(name: str) -> str:
        start = time.perf_counter()
        time.sleep(0.05)
        spans.append((name, start, time.perf_counter(), threading.get_ident()))
        return name.upper()

    async def main() -> tuple[list[str], int]:
        loop_thread = threading.get_ident()
        results = await asyncio.gather(*(lane.run(work, name) for name in "abcd"))
        return list(results), loop_thread

    try:
        results, loop_thread = asyncio.run(main())
    finally:
        lane.close()
    assert results == ["A", "B", "C", "D"]
    assert [name for name, *_ in spans] == ["a", "b", "c", "d"]  # queued in the order asked
    assert {thread for *_, thread in spans} != {loop_thread} and len({t for *_, t in spans}) == 1
    for (_, _, end, _), (_, start, _, _) in itertools.pairwise(spans):
        assert start >= end  # never two at once: a lane takes at most one core


def test_errors_come_back_to_the_caller_and_the_lane_goes_on() -> None:
    lane = Lane("test-errors")

    def fail() -> None:
        raise ValueError("not a video")

    async def main() -> int:
        with pytest.raises(ValueError, match="not a video"):
            await lane.run(fail)
        return await lane.run(sum, [1, 2, 3])

    try:
        assert asyncio.run(main()) == 6
        lane.close()
        assert asyncio.run(lane.run(pow, 2, exp=5)) == 32  # closed, then used again: a new thread
    finally:
        lane.close()


def test_the_lane_thread_is_niced_and_the_caller_is_not() -> None:
    lane = Lane("test-nice", nice=7)

    def own_nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = own_nice()
    try:
        inside = asyncio.run(lane.run(own_nice))
    finally:
        lane.close()
    # On Linux a nice value belongs to a thread; elsewhere the lane leaves priorities alone.
    assert inside == (min(19, before + 7) if LINUX else before)
    assert own_nice() == before  # only that thread: the event loop keeps its priority


def test_lowering_a_thread_says_what_it_did() -> None:
    result: list[int | None] = []
    thread = threading.Thread(target=lambda: result.append(lower_this_thread(3)))
    thread.start()
    thread.join()
    if LINUX:
        assert result[0] == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 3)
    else:
        assert result == [None]


def test_pictures_and_videos_are_two_lanes() -> None:
    # A burst of hostile uploads must not hold up the paid videos, nor the reverse.
    assert PICTURES is not VIDEOS and PICTURES.name != VIDEOS.name
    assert "nice=+10" in repr(VIDEOS)
