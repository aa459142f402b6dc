"""What a Gradio request brings: an uploaded file's path, and the request's headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr


def file_path(value: Any) -> Path | None:
    """The server path of an uploaded file, as a path string or as Gradio's unprocessed FileData dict.

    The image events run with ``preprocess=False`` so Gradio never opens the picture itself: a file
    Pillow cannot read (HEIC, a renamed PDF) then reaches our checks and gets a clear refusal
    instead of a generic error.
    """
    if isinstance(value, dict):
        value = value.get("path")
    return Path(value) if isinstance(value, str) and value else None


def headers_of(request: gr.Request | None) -> dict[str, str]:
    """Request headers with lower-case names (a test's plain dict and Starlette's alike)."""
    if request is None:
        return {}
    try:
        return {str(k).lower(): str(v) for k, v in dict(request.headers).items()}
    except AttributeError:
        return {}
