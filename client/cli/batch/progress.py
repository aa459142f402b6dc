"""How a batch shows its progress on stderr: a ``tqdm`` bar on a terminal, plain lines anywhere else.

The bar counts rows ended, with the rows in flight and the rows that did not make a video as its
postfix; only what needs a person (failures, refusals, rows to recover) is written above it. Plain lines
(a pipe, a log file, ``--json``) carry every event of every row, prefixed by its row number, so a log
of the run can be read afterwards.
"""

from __future__ import annotations

import sys
from typing import Any

from client import Event, Submitted
from client.cli.batch.report import Outcome
from client.cli.say import say
from client.cli.variations import event_text


class Lines:
    """Plain lines, one per event and one per row's end with the counts so far."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.ended = 0
        self.failed = 0
        self.in_flight = 0

    def say(self, text: str) -> None:
        """A line that must be read (a refusal, a failure, a row to recover)."""
        say(text)

    def started(self) -> None:
        """A row went in flight (sent, or followed)."""
        self.in_flight += 1
        self._refresh()

    def event(self, row: int, event: Event) -> None:
        """One event of one row's job."""
        say(f"row {row}: {event_text(event)}")

    def finished(self, outcome: Outcome, *, was_in_flight: bool) -> None:
        """A row ended (whatever its state)."""
        self.ended += 1
        self.in_flight -= 1 if was_in_flight else 0
        self.failed += outcome.state != "succeeded"
        self._report(outcome)

    def _report(self, outcome: Outcome) -> None:
        say(f"{outcome.line()}   [{self.ended}/{self.total} rows, {self.in_flight} in flight, "
            f"{self.failed} without a video]")

    def _refresh(self, *, draw: bool = True) -> None:
        """Nothing to redraw for plain lines."""

    def close(self) -> None:
        """The run is over."""


class Bar(Lines):
    """A tqdm bar on a terminal (stderr)."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        from tqdm import tqdm  # here, not at the top: only a terminal run pays for the import

        self._bar: Any = tqdm(total=total, desc="batch", unit="row", file=sys.stderr, dynamic_ncols=True)
        self._refresh()

    def say(self, text: str) -> None:
        """Above the bar, so the bar stays whole."""
        self._bar.write(text, file=sys.stderr)

    def event(self, row: int, event: Event) -> None:
        """Only the receipt is worth a line on a terminal; the rest shows in the bar."""
        if isinstance(event, Submitted):
            self._refresh()

    def _report(self, outcome: Outcome) -> None:
        if outcome.state != "succeeded":
            self.say(outcome.line())
        self._refresh(draw=False)
        self._bar.update(1)  # draws the new count and postfix together

    def _refresh(self, *, draw: bool = True) -> None:
        self._bar.set_postfix({"in flight": self.in_flight, "failed": self.failed}, refresh=draw)

    def close(self) -> None:
        """Leave the finished bar on screen."""
        self._bar.close()


def progress_for(total: int, *, plain: bool) -> Lines:
    """A bar when stderr is a terminal (and plain output was not asked for), else plain lines."""
    return Lines(total) if plain or not sys.stderr.isatty() else Bar(total)
