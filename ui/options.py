"""The Gradio options every event of the page shares, named once.

Every event of the page is private (``api_visibility="private"``): ``/generate`` (:mod:`ui.endpoint`)
is the only public endpoint. Quick events (checks, tabs, keys) skip the queue: they never contact
RunComfy and must not wait behind generations.
"""

from __future__ import annotations

from typing import Any

PRIVATE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
QUICK: dict[str, Any] = {"queue": False, **PRIVATE}
RAW: dict[str, Any] = {"preprocess": False}
"""For events that take an image: Gradio hands the file over unopened, so our checks judge it (see
``ui.handlers.file_path``)."""
