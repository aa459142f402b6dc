"""Client for RunComfy's Model API (Dreamina 3.0 Pro image-to-video), its offline stand-in, and a CLI.

Public names are imported lazily so ``python -m client --help`` starts fast (httpx, Pillow and PyAV
load only when a command needs them). Never imports gradio.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "RunComfyClient": "client.api",
    "connect": "client.connect",
    "Settings": "client.settings",
    "Secret": "client.secret",
    "SCHEMA": "client.schema",
    "build_job": "client.inputs",
    "JobRequest": "client.inputs",
    "PreparedJob": "client.inputs",
    "inspect_image": "client.images",
    "prepare_image": "client.images",
    "PollPlan": "client.polling",
    "RetryPolicy": "client.retry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'client' has no attribute {name!r}")
