"""``python -m client batch FILE.csv``: one paid job per row of a CSV, at most N in flight, resumable.

    python -m client batch rows.csv [--concurrency N] [--out DIR] [--skip-invalid] [--max-cost USD]
                                    [--offline] [--json]

1. Every row is checked first, as ``generate`` checks its inputs (:mod:`.rows`); every refusal is
   listed with its row number. With a refusal and no ``--skip-invalid``, nothing is sent (exit 2).
2. The money: the estimate of all the rows to send is held against ``--max-cost``, the balance and
   the daily budget before anything goes out; then each row is admitted on its own (:mod:`.spend`).
3. The rows run, at most ``--concurrency`` at once (:mod:`.runner`), each recorded in the history
   like any job and journaled in ``DIR/batch-journal.jsonl`` (:mod:`.journal`) before its submit and
   the moment its request id is known. Progress: a tqdm bar on a terminal, lines otherwise
   (:mod:`.progress`).
4. Each video lands in ``DIR/row-<NNN>-<request id>.mp4``; ``DIR/results.csv`` (row, request_id,
   state, video, seed, cost, error) is rewritten at the end of every run (:mod:`.report`); stdout gets
   its path, or one JSON summary with ``--json``.

Run the same command again (same CSV, same ``--out``) after a crash, Ctrl-C or SIGKILL: finished rows
are skipped, sent rows are followed by their request id, and a row whose submit may have reached
RunComfy without an answer is never sent again (it is listed, to recover by id). A row that changed
in the CSV is a new row. Ctrl-C cancels the rows still queued (nothing billed; sent again next run)
and leaves the running ones to finish (:mod:`.stop`).

Exit codes: 0 every row made a video (rows left out with --skip-invalid do not count); 1 a row failed,
was cancelled, could not be followed to its end, or awaits recovery; 2 refused before sending (a row
broke a rule without --skip-invalid, or the money: --max-cost, balance, daily budget) or a row was not
sent; 130 interrupted. The worst case wins, in that order: 130, 1, 2.
"""

from client.cli.batch.args import add_batch_command
from client.cli.batch.command import batch

__all__ = ["add_batch_command", "batch"]
