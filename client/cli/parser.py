"""The CLI's arguments: every command and its options, in one place."""

from __future__ import annotations

import argparse
from pathlib import Path

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
    serve = sub.add_parser("serve-offline", help="serve the offline stand-in of the API on loopback")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--queue-seconds", type=float, default=None)
    serve.add_argument("--run-seconds", type=float, default=None)
    return parser
