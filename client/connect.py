"""Building the right client from settings: the real API, or the offline stand-in in-process."""

from __future__ import annotations

from typing import Any

import httpx

from client.api import RunComfyClient
from client.secret import Secret
from client.settings import Settings

# The stand-in answers on a host that cannot exist (.invalid is reserved), reached only in-process.
OFFLINE_BASE_URL = "http://offline.invalid/v1"
# Not a secret: the in-process stand-in accepts any non-empty bearer token.
OFFLINE_TOKEN = "offline-preview"  # noqa: S105 - a label, not a credential


def connect(
    settings: Settings,
    *,
    offline: bool | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    offline_config: Any = None,
) -> RunComfyClient:
    """A client for ``settings``: offline (in-process stand-in) when there is no token or when asked."""
    use_offline = settings.offline if offline is None else offline
    common: dict[str, Any] = {
        "deadline_s": settings.deadline_s,
        "outputs_dir": settings.outputs_dir,
        "max_video_bytes": int(settings.max_video_mb * 1_000_000),
    }
    if use_offline and transport is None:
        from client.offline import create_app

        app = create_app(offline_config)
        return RunComfyClient(Secret(OFFLINE_TOKEN), OFFLINE_BASE_URL,
                              transport=httpx.ASGITransport(app=app), offline=True, **common)
    return RunComfyClient(settings.token, settings.base_url, transport=transport, offline=use_offline,
                          **common)
