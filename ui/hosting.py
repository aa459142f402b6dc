"""Publishing an uploaded (prepared) image at the app's own public address, for RunComfy to fetch.

Used only when ``RUNCOMFY_PUBLIC_URL`` is set; otherwise uploads travel as data URIs. The file
name is the content's sha256, so links cannot be guessed and the same picture is written once.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from client.images import PreparedImage


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
