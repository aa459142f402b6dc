"""The history's degraded mode: the store's API, remembering nothing.

Used when the database cannot be opened (damaged, locked, read-only disk), so the app and the CLI
keep generating; ``problem`` holds the sentence to show once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from client.history.records import JobEvent, JobRecord
from client.history.spending import Spending


class NullStore:
    """Degraded mode: the same API, remembering nothing. Used when the database cannot be opened."""

    available = False

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.path: Path | None = None

    def __repr__(self) -> str:
        return "NullStore()"

    def close(self) -> None:
        """Nothing to close."""

    def add_submitted(self, request_id: str, **fields: Any) -> None:
        """Remember nothing."""

    def add_event(self, request_id: str, state: str, at: float | None = None, **fields: Any) -> bool:
        """Remember nothing."""
        return False

    def mark_pruned(self, request_id: str, *, reason: str = "disk budget") -> None:
        """Nothing to prune."""

    def delete(self, request_id: str, owner: str | None) -> bool:
        """Nothing to delete."""
        return False

    def get(self, request_id: str, owner: str | None = None) -> JobRecord | None:
        """Nothing known."""
        return None

    def list_jobs(self, owner: str | None = None, limit: int = 100, offset: int = 0) -> list[JobRecord]:
        """No history."""
        return []

    def count(self, owner: str | None = None) -> int:
        """No history."""
        return 0

    def events(self, request_id: str) -> list[JobEvent]:
        """No history."""
        return []

    def unfinished(self) -> list[JobRecord]:
        """Nothing to resume."""
        return []

    def run_times(self, *, base_url: str, model: str, frames: int, limit: int = 40) -> list[float]:
        """Nothing learned: the poll schedule stays the default one."""
        return []

    def local_videos(self) -> list[tuple[str, Path]]:
        """No kept videos."""
        return []

    def spend_items(self, *, since: float, paid_by: str = "server") -> list[tuple[float, float]]:
        """Nothing recorded, nothing counted (a budget refuses to run on a store that forgets)."""
        return []

    def spending(self, *, since: float, owner: str | None = None) -> Spending:
        """Nothing recorded."""
        return Spending()

    def story_of(self, request_id: str, owner: str | None = None) -> list[JobRecord]:
        """No story known."""
        return []

    def children_of(self, request_id: str, owner: str | None = None) -> list[JobRecord]:
        """No continuation known."""
        return []

    def list_stories(self, owner: str | None = None, limit: int = 50,
                     offset: int = 0) -> list[list[JobRecord]]:
        """No history."""
        return []

    def count_stories(self, owner: str | None = None) -> int:
        """No history."""
        return 0
