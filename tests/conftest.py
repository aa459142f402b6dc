"""Fixtures shared by every test file. Keep each one small and documented."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from client.offline import OfflineConfig, OfflineServer
from tests.apps import chromium

# Short but ordered timings: a job is visibly queued, then running, then done in under a second.
STANDIN_TIMINGS = OfflineConfig(queue_s=0.3, run_s=0.5, start_position=2)


@pytest.fixture(scope="session")
def offline_server() -> Iterator[OfflineServer]:
    """One offline stand-in on loopback for the whole session (its render cache is shared)."""
    with OfflineServer(STANDIN_TIMINGS) as server:
        yield server


@pytest.fixture
def standin(offline_server: OfflineServer) -> OfflineServer:
    """The session's stand-in, reset: initial knobs, no faults, zero counters, no jobs."""
    offline_server.reset()
    return offline_server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, for the whole module (missing: a failure, never a skip)."""
    with chromium() as launched:
        yield launched
