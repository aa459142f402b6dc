"""Who a job belongs to, and the request ids people type: which jobs a browser may see.

Each browser keeps a random owner id in its own storage. It is a name, not a credential: 144 random
bits nobody can guess. On a shared app (a Space) a visitor lists only the jobs recorded under their
id; a local single-user run records everything under the CLI's ``LOCAL_OWNER`` and lists everyone's,
so the app and ``python -m client history`` agree.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from client.history.records import LOCAL_OWNER

OWNER_ID = re.compile(r"[A-Za-z0-9_-]{22,64}")
API_OWNER = "api"
"""Owner of ``/generate`` jobs on a shared app: too short to be a browser's id, so nobody lists them."""
NOBODY = "-"
"""What a browser without a valid id lists on a shared app: no job is recorded under it."""
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def new_owner_id() -> str:
    """A fresh browser owner id (24 URL-safe characters, 144 random bits)."""
    return secrets.token_urlsafe(18)


def valid_owner(value: Any) -> str | None:
    """``value`` if it looks like an id we hand out, else None (a tampered or missing value)."""
    return value if isinstance(value, str) and OWNER_ID.fullmatch(value) else None


def recording_owner(browser_owner: Any, *, shared: bool) -> str:
    """Whose name a job is recorded under (``browser_owner`` None: a ``/generate`` caller)."""
    if not shared:
        return LOCAL_OWNER
    return valid_owner(browser_owner) or API_OWNER


def listing_owner(browser_owner: Any, *, shared: bool) -> str | None:
    """The owner filter of ``list_jobs``/``get``/``delete``: None (everyone) on a local run."""
    if not shared:
        return None
    return valid_owner(browser_owner) or NOBODY


def clean_request_id(text: Any) -> str | None:
    """A request id typed by a person (spaces trimmed), or None when it cannot be one."""
    text = str(text or "").strip()
    return text if REQUEST_ID.fullmatch(text) else None
