"""The CLI's arguments: every command and its options, in one place."""

from __future__ import annotations

import argparse
from pathlib import Path

from client.cli.batch.args import add_batch_command

DESCRIPTION = "The command line: generate a video, look up a request, serve the offline stand-in."


def build_parser() -> argparse.ArgumentParser:
    """``python -m client``'s parser: every command (generate, status, ..., serve-offline) and its options."""
    parser = argparse.ArgumentParser(prog="python -m client", description=DESCRIPTION)
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
    gen.add_argument("--max-cost", type=float, default=None, metavar="USD",
                     help="refuse (before sending) a run estimated above this many dollars")
    gen.add_argument("--variations", type=int, default=1, metavar="N",
                     help="1 to 4: send N jobs at once, each with its own seed (each one billed)")
    lookups = (("status", "show a job's state"), ("result", "show a job's result and fetch its video"),
               ("cancel", "cancel a queued job"))
    for name, text in lookups:
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("request_id")
        cmd.add_argument("--json", action="store_true", help="print one JSON object")
        if name == "result":
            cmd.add_argument("--no-download", action="store_true", help="do not fetch the video")
    history = sub.add_parser("history", help="list recorded jobs, newest first")
    history.add_argument("--json", action="store_true", help="print one JSON array")
    history.add_argument("--limit", type=int, default=50, help="at most this many jobs (default 50)")
    history.add_argument("--owner", default=None, help="only this owner's jobs (default: everyone's)")
    resume = sub.add_parser("resume", help="follow unfinished jobs to their end and keep their videos")
    resume.add_argument("--json", action="store_true", help="print one JSON array")
    recover = sub.add_parser("recover", help="fetch a job's state and video by request id into the history")
    recover.add_argument("request_id")
    recover.add_argument("--json", action="store_true", help="print one JSON object")
    balance = sub.add_parser("balance", help="show the key's RunComfy balance (and the daily budget)")
    balance.add_argument("--json", action="store_true", help="print one JSON object")
    price = sub.add_parser("price", help="show RunComfy's live price and what a run would cost")
    price.add_argument("--frames", default=None, help="121 (about 5 s, default) or 241 (about 10 s)")
    price.add_argument("--json", action="store_true", help="print one JSON object")
    _add_story_commands(sub)
    add_batch_command(sub)
    serve = sub.add_parser("serve-offline", help="serve the offline stand-in of the API on loopback")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--queue-seconds", type=float, default=None)
    serve.add_argument("--run-seconds", type=float, default=None)
    return parser


def _add_story_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``extend`` (continue a job from its last frame) and ``stitch`` (join clips into one MP4)."""
    ext = sub.add_parser("extend", help="continue a finished job from its last frame (its story's next clip)")
    ext.add_argument("request_id", help="the job whose last frame starts the new one")
    ext.add_argument("--prompt", required=True, help="what should happen next (at most 800 characters)")
    ext.add_argument("--seed", default="-1", help="-1 for random (the seed used is printed)")
    ext.add_argument("--frames", default=None, help="121 or 241 (default: the length of REQUEST_ID)")
    ext.add_argument("--out", type=Path, help="where to write the MP4 (default outputs/<request id>.mp4)")
    ext.add_argument("--offline", action="store_true", help="use the local stand-in, not RunComfy")
    ext.add_argument("--json", action="store_true", help="print one JSON object at the end")
    ext.add_argument("--max-cost", type=float, default=None, metavar="USD",
                     help="refuse (before sending) a run estimated above this many dollars")
    joined = sub.add_parser("stitch", help="join clips into one MP4: the ids in order, or one id's story")
    joined.add_argument("request_ids", nargs="+", metavar="REQUEST_ID")
    joined.add_argument("--out", type=Path, required=True, help="the MP4 to write")
    joined.add_argument("--json", action="store_true", help="print one JSON object")
