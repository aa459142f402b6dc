"""What one browser tab keeps on the server (inside ``gr.State``): its key and its current attempt."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from client import LiveJob, Secret


@dataclass
class Attempt:
    """One press of Generate: ``live`` once something was sent, ``stop`` once Cancel was pressed."""

    live: LiveJob | None = None
    stop: bool = False
    started: float = field(default_factory=time.monotonic)


@dataclass
class VisitorSession:
    """One tab's own things, never sent to the browser: the visitor's key and their current job."""

    key: Secret | None = field(default=None, repr=False)
    attempt: Attempt | None = None
    download_failed: str | None = None  # the request id whose video could not be fetched (Retry)
    group: Any = None  # the running set of variations (client.Variations), for Cancel
    refused: bool = False  # the status shows a run refused before sending: gone once the inputs change

    def __deepcopy__(self, memo: dict[int, object]) -> VisitorSession:
        # Gradio deep-copies a State's initial value per tab; a fresh, empty session is the copy.
        return VisitorSession()

    def close(self) -> None:
        """The tab is gone: forget the key (its job's fate was already settled by its watcher)."""
        self.key = None


def close_session(session: VisitorSession) -> None:
    """``gr.State``'s delete callback: the tab closed or its session expired."""
    session.close()
