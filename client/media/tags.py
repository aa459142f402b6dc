"""The prompt and seed written into a kept MP4 itself, and read back.

A video that leaves the app (downloaded, shared, moved) still says what made it: ``title`` holds the
prompt, ``description`` a sentence with prompt, seed and request id, ``comment`` the same as JSON for
programs. Written by remuxing with PyAV (packets copied, never re-encoded: same pixels, same
bytes per frame), then read back before the tagged file replaces the original.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def job_tags(*, prompt: str, seed: int | None, request_id: str, model: str) -> dict[str, str]:
    """The container metadata written into a kept video."""
    seed_text = "unknown" if seed is None else str(seed)
    return {
        "title": prompt,
        "description": f"{prompt}\n\nseed {seed_text} · {model} · request {request_id}",
        "comment": json.dumps({"prompt": prompt, "seed": seed, "request_id": request_id, "model": model},
                              ensure_ascii=False),
    }


def read_tags(path: Path) -> dict[str, str]:
    """The container metadata of ``path`` (empty when the file is unreadable)."""
    import av  # on first use, in a lane: the CLI and the app start without paying for PyAV

    try:
        with av.open(str(path)) as container:
            return dict(container.metadata)
    except (av.FFmpegError, OSError):
        return {}


def read_job_tags(path: Path) -> dict[str, Any]:
    """What :func:`tag_video` wrote (``prompt``, ``seed``, ``request_id``, ``model``), or ``{}``."""
    try:
        parsed = json.loads(read_tags(path).get("comment", ""))
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def tag_video(path: Path, *, prompt: str, seed: int | None, request_id: str, model: str) -> Path:
    """Rewrite ``path`` in place with :func:`job_tags` (remux, no re-encode); ValueError on failure.

    The tagged copy is written next to it, checked, and only then renamed over the original, so a
    failure leaves the downloaded video as it was.
    """
    import av  # on first use, in a lane: the CLI and the app start without paying for PyAV

    tags = job_tags(prompt=prompt, seed=seed, request_id=request_id, model=model)
    tmp = path.with_name(f".{path.stem}.tagging{path.suffix or '.mp4'}")
    try:
        with av.open(str(path)) as source, av.open(str(tmp), "w", format="mp4") as target:
            target.metadata.update(tags)
            streams = {}
            for stream in source.streams:
                if stream.type in ("video", "audio"):
                    streams[stream.index] = target.add_stream_from_template(stream)
            for packet in source.demux(*[source.streams[i] for i in streams]):
                if packet.dts is None:  # the demuxer's end-of-stream marker, not data
                    continue
                packet.stream = streams[packet.stream.index]
                target.mux(packet)
        written = read_tags(tmp)
        if any(written.get(key) != value for key, value in tags.items()):
            raise ValueError("the metadata did not read back")
        os.replace(tmp, path)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise ValueError(f"could not write the prompt and seed into {path.name}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path
