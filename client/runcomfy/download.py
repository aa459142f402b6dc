"""Fetching a finished video to local disk: streamed, size-capped, from allowed hosts only.

Allowed: any https URL (RunComfy's storage), or the configured API base URL's own origin, so a
loopback or in-process stand-in works. Redirects are followed by hand (at most 3), each hop checked.
The API token is never sent here: storage URLs are public, and a token must not reach another host.

A download cut off halfway (the connection dropped, or fewer bytes than announced) is started again,
up to :data:`ATTEMPTS` times: the video is paid for and a GET of it is harmless to repeat. The retry
transport underneath already repeats failures that happen before the body starts (5xx, 429,
refused connections); this covers what happens after. An expired link (403/404/410), a video over
the cap or a URL that is not allowed fails at once: asking again would not change the answer.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx

from client.runcomfy.errors import DownloadFailed

MAX_REDIRECTS = 3
CHUNK = 1 << 16
ATTEMPTS = 3
RETRY_PAUSE_S = 1.0  # then 2 s: long enough for a flapping CDN edge, short next to a job's minutes


class _CutShort(Exception):
    """The body ended early or the connection broke mid-body: worth starting again."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def allowed_video_url(url: str, base_url: str) -> bool:
    """True for https URLs and for URLs on the API base URL's own origin."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return False
    if parsed.userinfo:
        return False
    return parsed.scheme == "https" or _origin(parsed) == _origin(httpx.URL(base_url))


async def download_to(
    http: httpx.AsyncClient,
    url: str,
    dest: Path,
    *,
    base_url: str,
    max_bytes: int,
    request_id: str,
    pause_s: float = RETRY_PAUSE_S,
) -> Path:
    """Stream ``url`` into ``dest`` (via a ``.part`` file renamed at the end); return ``dest``.

    A transfer cut off halfway is retried (see the module docstring); ``pause_s`` is the first pause.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    attempt = 1
    try:
        while True:
            try:
                return await _fetch(http, url, dest, part, base_url=base_url, max_bytes=max_bytes,
                                    request_id=request_id)
            except _CutShort as cut:
                if attempt >= ATTEMPTS:
                    raise DownloadFailed(
                        f"The video download broke off {ATTEMPTS} times ({cut.reason}); retry the "
                        "download later.", request_id=request_id, url=url, reason="broken") from None
            await asyncio.sleep(pause_s * attempt)
            attempt += 1
    finally:
        part.unlink(missing_ok=True)


async def _fetch(
    http: httpx.AsyncClient, url: str, dest: Path, part: Path, *, base_url: str, max_bytes: int,
    request_id: str,
) -> Path:
    """One attempt: follow redirects by hand, stream to ``part``, rename to ``dest``."""
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            if not allowed_video_url(current, base_url):
                raise DownloadFailed(
                    f"The video URL is not https and not on the API's host, so it was not fetched: {current}",
                    request_id=request_id, url=url, reason="refused")
            async with http.stream("GET", current) as response:
                if response.is_redirect and "location" in response.headers:
                    current = str(response.url.join(response.headers["location"]))
                    continue
                if response.status_code in (403, 404, 410):
                    raise DownloadFailed(
                        f"The video link answered HTTP {response.status_code}: it has probably expired. "
                        "Fetch the result again by request id to get a fresh link.",
                        request_id=request_id, url=url, reason="expired")
                if response.status_code != 200:
                    raise DownloadFailed(
                        f"The video could not be downloaded (HTTP {response.status_code}); "
                        "retry the download.",
                        request_id=request_id, url=url)
                declared = int(response.headers.get("content-length") or 0)
                if declared > max_bytes:
                    raise DownloadFailed(
                        f"The video is {declared / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB cap.",
                        request_id=request_id, url=url, reason="too_big")
                written = 0
                with part.open("wb") as fh:
                    try:
                        async for chunk in response.aiter_bytes(CHUNK):
                            written += len(chunk)
                            if written > max_bytes:
                                raise DownloadFailed(
                                    f"The video passed the {max_bytes / 1e6:.0f} MB cap; download stopped.",
                                    request_id=request_id, url=url, reason="too_big")
                            fh.write(chunk)
                    except httpx.TransportError as exc:
                        raise _CutShort(f"{type(exc).__name__} after {written:,} bytes") from None
                if declared and written != declared:
                    raise _CutShort(f"{written:,} of {declared:,} bytes")
                os.replace(part, dest)
                return dest
        raise DownloadFailed("The video URL redirected too many times.", request_id=request_id, url=url)
    except httpx.HTTPError as exc:
        # Before any body byte: the retry transport has already tried again where that was safe.
        raise DownloadFailed(
            f"The video download failed ({type(exc).__name__}); retry the download.",
            request_id=request_id, url=url) from None
