"""``batch``'s arguments (kept apart so the parser needs nothing of the run itself)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_batch_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``python -m client batch FILE.csv [--concurrency N] [--out DIR] [--json] [--skip-invalid] ...``."""
    cmd = sub.add_parser("batch", help="one job per row of a CSV (image, prompt, seed, frames); resumable",
                         description="Send one job per CSV row, at most N at once. Run the same command "
                                     "again after an interruption: finished rows are skipped, sent ones "
                                     "followed, and nothing is paid twice.")
    cmd.add_argument("csv", type=Path, metavar="FILE.csv",
                     help="columns image (a path relative to the CSV, or an https URL), prompt; "
                          "optional seed, frames")
    cmd.add_argument("--concurrency", type=int, default=4, metavar="N",
                     help="jobs in flight at once (default 4)")
    cmd.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help="videos, results.csv and the journal (default <outputs>/batch-<csv name>)")
    cmd.add_argument("--skip-invalid", action="store_true",
                     help="send the valid rows even when some are refused (they are listed either way)")
    cmd.add_argument("--max-cost", type=float, default=None, metavar="USD",
                     help="refuse (before sending) a run whose rows are estimated above this many dollars")
    cmd.add_argument("--offline", action="store_true", help="use the local stand-in, not RunComfy")
    cmd.add_argument("--json", action="store_true", help="print one JSON summary at the end")
