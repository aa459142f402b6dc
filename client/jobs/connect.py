"""Reaching the API: a :class:`Connection` (the real RunComfy, or the offline stand-in in-process),
and the :class:`Route` a job takes through one (which connection, which key, which mode).

A connection is the thin HTTP client (``client.runcomfy``) plus what a whole job needs around it:
where its videos go, how its polls are timed, how long it may take, and whether it is the offline
preview. The stand-in is reached only through ``httpx.ASGITransport`` (or over loopback HTTP when
``RUNCOMFY_BASE_URL`` points at ``python -m client serve-offline``): its functions are never called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx

from client.dreamina import SCHEMA
from client.history import video_file
from client.jobs.polling import PollPlan
from client.jobs.settings import Settings
from client.runcomfy import DEFAULT_BASE_URL, CancelOutcome, RetryPolicy, RunComfyClient, Secret

if TYPE_CHECKING:
    from client.offline import OfflineConfig

# The stand-in answers on a host that cannot exist (.invalid is reserved), reached only in-process.
OFFLINE_BASE_URL = "http://offline.invalid/v1"
# Not a secret: the in-process stand-in accepts any non-empty bearer token.
OFFLINE_TOKEN = "offline-preview"  # noqa: S105 - a label, not a credential
Mode = Literal["offline", "byo", "server"]


class Connection:
    """The API as whole jobs see it; ``run_job(conn, job)`` and ``follow_job(conn, id)`` use it.

    Use as ``async with Connection(token, base_url, outputs_dir=...) as conn:``; ``conn.api`` is the
    thin HTTP client underneath (status, result, download of any request id).
    """

    def __init__(
        self,
        token: Secret | str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        model: str = SCHEMA.model,
        deadline_s: float = 1800.0,
        poll: PollPlan | None = None,
        retry: RetryPolicy | None = None,
        outputs_dir: Path = Path("outputs"),
        max_video_bytes: int = 500_000_000,
        timeout: httpx.Timeout | None = None,
        offline: bool = False,
        account_url: str | None = None,
    ) -> None:
        self.api = RunComfyClient(token, base_url, model=model, transport=transport, retry=retry,
                                  max_video_bytes=max_video_bytes, timeout=timeout, account_url=account_url)
        self.deadline_s = deadline_s
        self.poll = poll or PollPlan()
        self.outputs_dir = Path(outputs_dir)
        self.offline = offline

    def __repr__(self) -> str:
        return f"Connection(base_url={self.base_url!r}, offline={self.offline}, token=***)"

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self.api.aclose()

    @property
    def base_url(self) -> str:
        """The API's base URL (recorded with each job: an id means nothing at another address)."""
        return self.api.base_url

    @property
    def account_url(self) -> str:
        """Where the balance is read (RunComfy's account host, or the stand-in's own origin)."""
        return self.api.account_url

    @property
    def model(self) -> str:
        """The model id jobs are submitted to."""
        return self.api.model

    @property
    def has_token(self) -> bool:
        """True when a default token is configured."""
        return self.api.has_token

    def video_path(self, request_id: str) -> Path:
        """Where a job's video is downloaded (the history's one naming rule)."""
        return video_file(self.outputs_dir, request_id)

    async def cancel(self, request_id: str, *, token: Secret | str | None = None) -> CancelOutcome:
        """Ask RunComfy to cancel; only a queued job can be."""
        return await self.api.cancel(request_id, token=token)


def connect(
    settings: Settings,
    *,
    offline: bool | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    offline_config: OfflineConfig | None = None,
) -> Connection:
    """A connection for ``settings``: offline (in-process stand-in) when there is no token or when asked."""
    use_offline = settings.offline if offline is None else offline
    common: dict[str, Any] = {
        "deadline_s": settings.deadline_s,
        "outputs_dir": settings.outputs_dir,
        "max_video_bytes": int(settings.max_video_mb * 1_000_000),
    }
    if use_offline and transport is None:
        from client.offline import create_app

        app = create_app(offline_config)
        return Connection(Secret(OFFLINE_TOKEN), OFFLINE_BASE_URL,
                          transport=httpx.ASGITransport(app=app), offline=True, **common)
    return Connection(settings.token, settings.base_url, transport=transport, offline=use_offline,
                      account_url=settings.account_url, **common)


@dataclass(frozen=True)
class Route:
    """Which connection and key a job goes through, and whether the app's hourly limit counts it."""

    conn: Connection
    token: Secret | None = field(repr=False)
    mode: Mode

    @property
    def limited(self) -> bool:
        """Only the server's own key is rationed; offline runs and visitors' keys are not."""
        return self.mode == "server"

    @property
    def offline(self) -> bool:
        """The offline preview: nothing goes to RunComfy, nothing is billed, and nothing may say so."""
        return self.mode == "offline"


@dataclass(frozen=True)
class Routes:
    """The app's two ways out: its own connection (the server's key, or the offline preview) and a
    real-API one for visitors who bring their own key."""

    own: Connection
    real: Connection

    def pick(self, key: Secret | None) -> Route:
        """A visitor's key > the server's key > the offline stand-in."""
        if key:
            # The visitor's key always reaches the real API, even when the server itself has no key.
            return Route(self.real if self.own.offline else self.own, key, "byo")
        return Route(self.own, None, "offline" if self.own.offline else "server")
