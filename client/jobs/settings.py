"""Settings, read once at start: arguments beat the environment, which beats ``.env``.

``.env`` is read with python-dotenv's ``dotenv_values`` so nothing is written into ``os.environ``
(a key typed by one visitor must never become the next visitor's key).

Where the job history lives: ``RUNCOMFY_DATA_DIR`` if set, else :func:`default_data_dir` (``/data``
on a Hugging Face Space with persistent storage, ``./data`` elsewhere). On such a Space, videos also
default to ``/data/videos`` so a restart loses neither the record nor the paid video.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from client.history import JobFiles
from client.runcomfy import DEFAULT_BASE_URL, Secret


def amount(raw: str) -> float | None:
    """A sum in USD (``none``/``off``: no limit); negative or not a number is a ValueError."""
    if raw.strip().lower() in ("none", "off"):
        return None
    value = float(raw)
    if not math.isfinite(value) or value < 0:
        raise ValueError("not a non-negative amount")
    return value


def yes_no(raw: str) -> bool:
    """'1', 'true', 'yes', 'on' / '0', 'false', 'no', 'off'; anything else is a ValueError."""
    word = raw.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError("not yes or no")


# Setting name -> (environment variable(s), parser). The first variable found wins.
_ENV: dict[str, tuple[tuple[str, ...], Any]] = {
    "token": (("RUNCOMFY_API_TOKEN", "RUNCOMFY_TOKEN"), Secret),
    "base_url": (("RUNCOMFY_BASE_URL",), str),
    "deadline_s": (("RUNCOMFY_DEADLINE_SECONDS",), float),
    "outputs_dir": (("RUNCOMFY_OUTPUT_DIR",), Path),
    "public_url": (("RUNCOMFY_PUBLIC_URL",), str),
    "max_video_mb": (("RUNCOMFY_MAX_VIDEO_MB",), float),
    "concurrency": (("RUNCOMFY_CONCURRENCY",), int),
    "queue_size": (("RUNCOMFY_QUEUE_SIZE",), int),
    "hourly_limit": (("RUNCOMFY_HOURLY_LIMIT",), int),
    "data_dir": (("RUNCOMFY_DATA_DIR",), Path),
    "video_budget_mb": (("RUNCOMFY_VIDEO_BUDGET_MB",), float),
    "account_url": (("RUNCOMFY_ACCOUNT_URL",), str),
    "daily_budget_usd": (("RUNCOMFY_DAILY_BUDGET_USD",), amount),
    "anon_hourly_limit": (("RUNCOMFY_ANON_HOURLY_LIMIT",), int),
    "mcp": (("RUNCOMFY_MCP",), yes_no),
}
SPACE_DATA_DIR = Path("/data")


def default_data_dir(env: Mapping[str, str] | None = None, *, space_dir: Path = SPACE_DATA_DIR) -> Path:
    """``/data`` on a Space (``SPACE_ID`` set) whose persistent storage is mounted and writable.

    Anywhere else, or on a Space without persistent storage (``/data`` missing or read-only: it
    would be wiped or refused anyway), a local ``data`` folder. ``space_dir`` is for tests.
    """
    env = os.environ if env is None else env
    if env.get("SPACE_ID", "").strip() and space_dir.is_dir() and os.access(space_dir, os.W_OK | os.X_OK):
        return space_dir
    return Path("data")


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with its default. See ``.env.example`` for each one."""

    token: Secret | None = None
    base_url: str = DEFAULT_BASE_URL
    deadline_s: float = 1800.0
    outputs_dir: Path = Path("outputs")
    public_url: str | None = None
    max_video_mb: float = 500.0
    concurrency: int = 64
    queue_size: int = 256
    hourly_limit: int = 20
    data_dir: Path = field(default_factory=lambda: Path("data"))
    video_budget_mb: float = 5000.0
    # The balance's host; None: RunComfy's (https://api.runcomfy.net/prod/v2) for RunComfy's base URL,
    # else the base URL's own origin (a stand-in on loopback serves both). See runcomfy.account_url_for.
    account_url: str | None = None
    daily_budget_usd: float | None = None  # the server key's spend over any 24 h; None: no budget
    anon_hourly_limit: int = 3  # server-key runs per hour for a visitor not signed in (with OAuth)
    mcp: bool = True  # serve the MCP tools at /gradio_api/mcp/ (generate_video, get_job, estimate)

    @property
    def offline(self) -> bool:
        """True when no token is set: the app and CLI use the offline stand-in."""
        return not self.token

    def files(self) -> JobFiles:
        """Where the files beside each job go: videos in ``outputs_dir``, pictures in ``data_dir``."""
        return JobFiles.under(self.outputs_dir, self.data_dir, self.video_budget_mb)

    @classmethod
    def load(
        cls,
        env: Mapping[str, str] | None = None,
        dotenv_path: str | Path | None = ".env",
        **overrides: Any,
    ) -> Settings:
        """Read settings: ``overrides`` > ``env`` (default ``os.environ``) > ``.env`` > defaults.

        ``None`` overrides are ignored so CLI flags that were not given do not erase anything.
        """
        merged: dict[str, str] = {}
        if dotenv_path is not None and Path(dotenv_path).is_file():
            merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
        merged.update(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for name, (keys, parse) in _ENV.items():
            for key in keys:
                raw = merged.get(key, "").strip()
                if raw:
                    try:
                        values[name] = parse(raw)
                    except ValueError as exc:
                        # Never echo the value: it may be a token pasted in the wrong place.
                        raise ValueError(f"setting {key} is not a valid {parse.__name__}") from exc
                    break
        if "token" in overrides and isinstance(overrides["token"], str):
            overrides["token"] = Secret(overrides["token"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" not in values:
            values["data_dir"] = default_data_dir(merged)
            if values["data_dir"] == SPACE_DATA_DIR and "outputs_dir" not in values:
                # Persistent storage found: keep paid videos there too, not in the wiped app folder.
                values["outputs_dir"] = values["data_dir"] / "videos"
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        settings = cls(**values)
        if settings.token is not None and not settings.token:
            settings = replace(settings, token=None)
        return settings
