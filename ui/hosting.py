"""Serving files: publishing an uploaded image for RunComfy, and refusing to fetch URLs for anyone.

``PublicImageHost`` is used only when ``RUNCOMFY_PUBLIC_URL`` is set; otherwise uploads travel as
data URIs. The file name is the content's sha256, so links cannot be guessed and the same picture
is written once.

``RefuseRemoteFiles`` closes a door Gradio 6 leaves open: ``/gradio_api/file=<http(s) URL>`` makes
the server download that URL (public hosts only, through safehttpx) and stream it back, which turns
the app into a proxy for anyone. This app never needs it: its pages show local files, and an image
URL is previewed by the visitor's own browser and fetched by RunComfy, never by this server.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from urllib.parse import unquote

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from client.images import PreparedImage

_FILE_ROUTE = "/file="
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
