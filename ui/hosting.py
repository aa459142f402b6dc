"""Serving files: publishing an uploaded image for RunComfy, handing videos to Gradio without stalling
its event loop, and refusing to fetch URLs for anyone.

``PublicImageHost`` is used only when ``RUNCOMFY_PUBLIC_URL`` is set; otherwise uploads travel as
data URIs. The file name is the content's sha256, so links cannot be guessed and the same picture
is written once.

``into_gradio_cache`` exists because Gradio copies every output file that is not already in its
cache folder into it, hashing the whole file first, on the event loop, each time a component shows
it: about 25-40 ms per 20 MB video, and every visitor's page waits meanwhile. The video is placed in
the cache from a worker thread instead (a hard link where the file system allows, else a copy), so
Gradio finds it there and does neither. It is also how files of a data folder outside the served ones
(``/data`` on a Space) reach a page: that folder is never served by its own path.

``RefuseRemoteFiles`` closes a door Gradio 6 leaves open: ``/gradio_api/file=<http(s) URL>`` makes
the server download that URL (public hosts only, through safehttpx) and stream it back, which turns
the app into a proxy for anyone. This app never needs it: its pages show local files, and an image
URL is previewed by the visitor's own browser and fetched by RunComfy, never by this server.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote

from gradio.utils import get_upload_folder
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from client import PreparedImage

_FILE_ROUTE = "/file="
_DIGESTS: dict[tuple[str, int, int, int], str] = {}  # see _content_digest
_DIGESTS_KEPT = 4096
_REMOTE = ("http:", "https:", "//")


class PublicImageHost:
    """``build_job``'s ``image_host``: writes the image under ``folder``, returns its public URL.

    ``folder`` must be inside a path the app serves (``allowed_paths``); Gradio serves it at
    ``/gradio_api/file=<absolute path>``.
    """

    def __init__(self, public_url: str, folder: Path) -> None:
        self.public_url = public_url.rstrip("/")
        self.folder = folder

    def __call__(self, image: PreparedImage) -> str:
        """Write ``image`` (once) and return the https URL RunComfy will fetch it from."""
        suffix = ".png" if image.mime == "image/png" else ".jpg"
        path = (self.folder / f"{hashlib.sha256(image.data).hexdigest()[:32]}{suffix}").resolve()
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            # Written beside, then renamed: a fetch never sees half a file.
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".part", delete=False) as out:
                out.write(image.data)
            Path(out.name).replace(path)
        return f"{self.public_url}/gradio_api/file={path.as_posix()}"


async def into_gradio_cache(path: Path | str) -> Path:
    """``path`` as a file inside Gradio's cache folder (see the module docstring), off the event loop."""
    return await asyncio.to_thread(place_in_gradio_cache, Path(path))


def gradio_cache_path(source: Path) -> Path:
    """Where ``source`` goes in Gradio's cache (it need not be there yet); ``source`` if already inside.

    The folder is named by the content, as Gradio names its own: only someone who already has the
    file can know its path, and a file shown twice is linked once.
    """
    cache = Path(get_upload_folder()).resolve()  # Gradio's own rule: GRADIO_TEMP_DIR, else <tmp>/gradio
    source = source.resolve()
    if source.is_relative_to(cache):
        return source
    return cache / _content_digest(source) / source.name


def _content_digest(source: Path) -> str:
    """SHA-256 of the file, read once per version of it: a video shown again (every history click,
    every gallery refresh) is not read through again. A rewritten file (a new download is renamed
    into place) has another inode or mtime, so it is hashed anew."""
    info = source.stat()
    key = (str(source), info.st_ino, info.st_mtime_ns, info.st_size)
    known = _DIGESTS.get(key)
    if known is None:
        digest = hashlib.sha256()
        with source.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        known = digest.hexdigest()
        if len(_DIGESTS) >= _DIGESTS_KEPT:
            _DIGESTS.clear()  # a bound, not an LRU: re-hashing after a clear is only slower
        _DIGESTS[key] = known
    return known


def place_in_gradio_cache(source: Path) -> Path:
    """Blocking form of :func:`into_gradio_cache`, for code already on a worker thread."""
    target = gradio_cache_path(source)
    if target == source.resolve() or target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Made under another name, then renamed: a page never sees half a file.
    staging = target.with_name(f".{source.name}.{secrets.token_hex(4)}.part")
    try:
        os.link(source, staging)
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(source, staging)
    os.replace(staging, target)
    return target


def asks_for_remote_file(path: str) -> bool:
    """True when a request path is Gradio's file route given a URL (decoded once more, case-blind)."""
    _, found, target = path.partition(_FILE_ROUTE)
    return bool(found) and unquote(target).strip().lower().startswith(_REMOTE)


class RefuseRemoteFiles:
    """ASGI middleware: ``/file=<URL>`` gets a 403 before Gradio would fetch the URL.

    Mount it with ``launch(app_kwargs={"middleware": [Middleware(RefuseRemoteFiles)]})``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse remote file requests; pass everything else through untouched."""
        if scope["type"] == "http" and asks_for_remote_file(scope.get("path", "")):
            refusal = PlainTextResponse("Remote files are not fetched by this app.", status_code=403)
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)
