"""The command line: generate a video, look up a request, serve the offline stand-in.

    python -m client generate --image PATH_OR_URL --prompt TEXT [--seed N] [--frames 121|241]
                              [--out FILE] [--offline] [--json]
    python -m client status|result|cancel REQUEST_ID [--json]
    python -m client serve-offline [--host H] [--port N] [--queue-seconds S] [--run-seconds S]
    python -m client history [--json] | resume [--json] | recover REQUEST_ID [--json]

Every generated job is recorded in the job history (``RUNCOMFY_DATA_DIR``) before its first poll;
``resume`` finishes what an interruption left open (see :mod:`client.cli_history`).

Exit codes: 0 video written (or command done); 2 input refused before anything was sent;
1 the API or the job failed (the message names the request id when there is one); 130 interrupted
(a queued job is cancelled first). Progress goes to stderr; the video path (or one JSON object with
--json) is the last thing on stdout. Heavy modules load inside commands so ``--help`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_REFUSED, EXIT_INTERRUPTED = 0, 1, 2, 130
MISSING_KEY_HELP = (
    "No RunComfy API token. Set RUNCOMFY_API_TOKEN (or RUNCOMFY_TOKEN) in the environment or in "
    ".env (see .env.example), or add --offline to try the local preview (not Dreamina output).")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m client", description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log retries and polls to stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="turn an image and a prompt into a video")
    gen.add_argument("--image", required=True, help="a JPEG/PNG file (others are converted) or an https URL")
    gen.add_argument("--prompt", required=True, help="what should happen (at most 800 characters)")
    gen.add_argument("--seed", default="-1", help="-1 for random (the seed used is printed)")
    gen.add_argument("--frames", default=None, help="121 (about 5 s, default) or 241 (about 10 s)")
    gen.add_argument("--out", type=Path, help="where to write the MP4 (default outputs/<request id>.mp4)")
    gen.add_argument("--offline", action="store_true", help="use the local stand-in, not RunComfy")
    gen.add_argument("--json", action="store_true", help="print one JSON object at the end")
    lookups = (("status", "show a job's state"), ("result", "show a job's result and fetch its video"),
               ("cancel", "cancel a queued job"))
    for name, text in lookups:
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("request_id")
        cmd.add_argument("--json", action="store_true", help="print one JSON object")
        if name == "result":
            cmd.add_argument("--no-download", action="store_true", help="do not fetch the video")
    serve = sub.add_parser("serve-offline", help="serve the offline stand-in of the API on loopback")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--queue-seconds", type=float, default=None)
    serve.add_argument("--run-seconds", type=float, default=None)
    from client.cli_history import add_commands

    add_commands(sub)
    return parser


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.verbose:
        import logging

        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "serve-offline":
        return _serve(args)
    import asyncio

    from client.errors import InputRefused, RunComfyError
    from client.settings import Settings

    try:
        settings = Settings.load()
    except ValueError as exc:
        _say(f"error: {exc}")
        return EXIT_REFUSED
    try:
        if args.command == "generate":
            return _generate(args, settings)
        if args.command in ("history", "resume", "recover"):
            from client.cli_history import run_command

            return run_command(args, settings)
        if settings.offline:
            _say("No RunComfy API token: set RUNCOMFY_API_TOKEN (or RUNCOMFY_TOKEN) in the environment "
                 "or in .env. To look up jobs of a loopback stand-in, also set RUNCOMFY_BASE_URL.")
            return EXIT_REFUSED
        return asyncio.run(_lookup(args, settings))
    except InputRefused as exc:
        _say(f"refused: {exc}")
        return EXIT_REFUSED
    except RunComfyError as exc:
        _say(f"error: {exc}")
        return EXIT_FAILED


def _serve(args: argparse.Namespace) -> int:
    from client.offline import OfflineConfig, serve

    knobs = {k: v for k, v in (("queue_s", args.queue_seconds), ("run_s", args.run_seconds)) if v is not None}
    _say(f"offline stand-in on http://{args.host}:{args.port}/v1 (any non-empty bearer token)")
    try:
        serve(host=args.host, port=args.port, config=OfflineConfig(**knobs))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_OK


def _generate(args: argparse.Namespace, settings: Any) -> int:
    from client.inputs import build_job

    if not args.offline and settings.offline:
        _say(MISSING_KEY_HELP)
        return EXIT_REFUSED
    image: dict[str, Any]
    if "://" in args.image:
        image = {"image_url": args.image}
    else:
        path = Path(args.image)
        if not path.is_file():
            _say(f"refused: no such image file: {path}")
            return EXIT_REFUSED
        image = {"image": path}
    prepared = build_job(args.prompt, seed=args.seed, frames=args.frames, **image)
    for fix in prepared.fixes:
        _say(f"fixed: {fix}")
    state: dict[str, Any] = {}
    import asyncio

    try:
        return asyncio.run(_run(args, settings, prepared, state))
    except KeyboardInterrupt:
        rid = state.get("request_id")
        if rid is None:
            _say("interrupted before anything was submitted")
        elif state.get("running"):
            _say(f"interrupted: job {rid} is already running on RunComfy; it will finish and be billed. "
                 f"Fetch it later with: python -m client resume (or: python -m client result {rid})")
        else:
            _say(f"interrupted: queued job {rid} was cancelled (nothing billed)")
        return EXIT_INTERRUPTED


async def _run(args: argparse.Namespace, settings: Any, prepared: Any, state: dict[str, Any]) -> int:
    from client.cli_history import open_history
    from client.connect import connect
    from client.recorder import record

    store = open_history(settings)
    try:
        async with connect(settings, offline=args.offline or None) as api:
            if api.offline:
                _say("offline preview: a local camera move over your image, not Dreamina output")
            events = record(store, api.run(prepared.request), job=prepared, offline=api.offline,
                            base_url=api.base_url, model=api.model, budget_mb=settings.video_budget_mb)
            return await _show(args, events, prepared.request, state, api.offline, store.available)
    finally:
        store.close()


async def _show(args: argparse.Namespace, events: Any, job: Any, state: dict[str, Any], offline: bool,
                kept: bool) -> int:
    from contextlib import aclosing

    from client.events import Cancelled, Completed, Downloading, Failed, InProgress, Queued, Submitted

    async with aclosing(events):
        async for event in events:
            stamp = f"[{event.elapsed:6.1f}s]"
            rid = event.request_id
            if isinstance(event, Submitted):
                state["request_id"] = rid
                _say(f"{stamp} submitted   request id {rid} (seed {event.seed})")
            elif isinstance(event, Queued):
                where = "" if event.position is None else f" position {event.position}"
                _say(f"{stamp} queued{where}   {rid}")
            elif isinstance(event, InProgress):
                state["running"] = True
                _say(f"{stamp} running     {rid}")
            elif isinstance(event, Downloading):
                _say(f"{stamp} downloading {rid}")
            elif isinstance(event, Failed):
                _say(f"{stamp} failed      {rid}: {event.error}")
                return EXIT_FAILED
            elif isinstance(event, Cancelled):
                _say(f"{stamp} cancelled   {rid}")
                return EXIT_FAILED
            elif isinstance(event, Completed):
                path = event.video.path
                if args.out:
                    import shutil

                    # The history keeps its own copy (counted by the disk budget); --out gets the user's.
                    args.out.parent.mkdir(parents=True, exist_ok=True)
                    path = Path((shutil.copy2 if kept else shutil.move)(str(path), str(args.out)))
                _say(f"{stamp} done        {rid}: {event.video.facts.summary()}")
                if args.json:
                    print(json.dumps({"request_id": rid, "video": str(path), "seed": job.seed,
                                      "facts": vars(event.video.facts), "cost": event.cost,
                                      "elapsed_s": round(event.elapsed, 2), "offline": offline}))
                else:
                    print(path)
                return EXIT_OK
    _say("the job ended without a final state")
    return EXIT_FAILED


async def _lookup(args: argparse.Namespace, settings: Any) -> int:
    from client.connect import connect

    async with connect(settings) as api:
        out: dict[str, Any] = {"request_id": args.request_id}
        if args.command == "status":
            status = await api.status(args.request_id)
            out.update(status=status.raw_state, queue_position=status.position)
        elif args.command == "cancel":
            outcome = await api.cancel(args.request_id)
            out.update(outcome=outcome.outcome, cancelled=outcome.cancelled, message=outcome.message)
        else:
            result = await api.result(args.request_id)
            out.update(status=result.raw_state, video_url=result.video_url, error=result.error,
                       cost=result.cost)
            if result.video_url and not args.no_download:
                video = await api.download(args.request_id, result.video_url)
                out.update(video=str(video.path), facts=vars(video.facts))
        if args.json:
            print(json.dumps(out, default=str))
        else:
            for key, value in out.items():
                if value is not None:
                    print(f"{key}: {value}")
        return EXIT_FAILED if out.get("status") in ("failed", "cancelled", "canceled") else EXIT_OK
