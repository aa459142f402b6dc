"""``python -m client``: parse the command, run it, map what went wrong to an exit code.

    python -m client generate --image PATH_OR_URL --prompt TEXT [--seed N] [--frames 121|241]
                              [--out FILE] [--offline] [--json] [--max-cost USD] [--variations N]
    python -m client status|result|cancel REQUEST_ID [--json]
    python -m client history [--json] | resume [--json] | recover REQUEST_ID [--json]
    python -m client extend REQUEST_ID --prompt TEXT [--seed N] [--frames N] [--out FILE] [--json]
    python -m client stitch REQUEST_ID... --out FILE [--json]      (one id: its whole story)
    python -m client balance [--json] | price [--frames 121|241] [--json]
    python -m client batch FILE.csv [--concurrency N] [--out DIR] [--skip-invalid] [--max-cost USD] [--json]
    python -m client serve-offline [--host H] [--port N] [--queue-seconds S] [--run-seconds S]

Every generated job is recorded in the job history (``RUNCOMFY_DATA_DIR``) before its first poll;
``resume`` finishes what an interruption left open.

Exit codes: 0 video written (or command done); 2 input refused before anything was sent (also a run
refused for money: --max-cost, the balance, the daily budget);
1 the API or the job failed (the message names the request id when there is one); 130 interrupted
(a queued job is cancelled first). Progress goes to stderr; the video path (or one JSON object with
--json) is the last thing on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from client import InputRefused, RunComfyError, Settings, StoreUnavailable
from client.cli.batch import batch
from client.cli.extend import extend
from client.cli.generate import generate
from client.cli.history import history, recover, resume
from client.cli.lookup import lookup, offline_job, tell_offline
from client.cli.money import balance, price
from client.cli.parser import build_parser
from client.cli.say import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_REFUSED, NO_KEY_FOR_LOOKUP, say
from client.cli.stitch import stitch


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "serve-offline":
        return _serve(args)
    try:
        settings = Settings.load()
    except ValueError as exc:
        say(f"error: {exc}")
        return EXIT_REFUSED
    try:
        return _dispatch(args, settings)
    except BrokenPipeError:
        # The reader went away (``history | head``): what it wanted was printed; end quietly, and keep
        # the interpreter's last flush from failing again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except InputRefused as exc:
        say(f"refused: {exc}")
        return EXIT_REFUSED
    except (RunComfyError, StoreUnavailable) as exc:
        say(f"error: {exc}")
        return EXIT_FAILED


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "generate":
        return generate(args, settings)
    if args.command == "history":
        return history(args, settings)
    if args.command == "resume":
        return asyncio.run(resume(args, settings))
    if args.command in ("balance", "price"):
        return (balance if args.command == "balance" else price)(args, settings)
    if args.command in ("extend", "stitch"):
        return (extend if args.command == "extend" else stitch)(args, settings)
    if args.command == "batch":
        return batch(args, settings)
    known = offline_job(args.request_id, settings)
    if known is not None:  # status, result, cancel or recover of a job no API knows
        return tell_offline(known, as_json=args.json)
    if args.command == "recover":
        return asyncio.run(recover(args, settings))
    if settings.offline:
        say(NO_KEY_FOR_LOOKUP)
        return EXIT_REFUSED
    return asyncio.run(lookup(args, settings))


def _serve(args: argparse.Namespace) -> int:
    from client.offline import OfflineConfig, serve  # here: uvicorn loads only for this command

    knobs = {k: v for k, v in (("queue_s", args.queue_seconds), ("run_s", args.run_seconds)) if v is not None}
    say(f"offline stand-in on http://{args.host}:{args.port}/v1 (any non-empty bearer token)")
    try:
        serve(host=args.host, port=args.port, config=OfflineConfig(**knobs))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_OK
