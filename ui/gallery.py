"""The pictures the history's gallery shows, as files Gradio can serve: posters, thumbnails, a blank.

A job's poster is kept beside its video (``client.JobFiles``) and handed to Gradio's cache; its input
thumbnail lives in the store as JPEG bytes and is written once per process to a private scratch
folder (never served by its own path); a job with neither gets a plain grey picture.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from client import JobFiles, JobRecord, safe_name
from ui.hosting import gradio_cache_path, place_in_gradio_cache


class Gallery:
    """Files for the gallery of one page (blocking: call from a worker thread)."""

    def __init__(self, files: JobFiles) -> None:
        self.files = files
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    @property
    def scratch(self) -> Path:
        """A private temp folder of this process (removed at exit): never served by path."""
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="dreamina-history-")
        return Path(self._scratch.name)

    def picture(self, job: JobRecord) -> str:
        """The gallery picture: the video's poster, else the input thumbnail, else a plain placeholder.

        An input given by URL is not shown: the URL may be gone, private or out of reach (offline),
        and a tile must never be a broken image.
        """
        poster = self.files.poster(job)
        if poster is not None:
            return str(place_in_gradio_cache(poster))
        thumb = self.thumbnail(job)
        if thumb is not None:
            return str(thumb)
        return str(self.blank())

    def thumbnail(self, job: JobRecord) -> Path | None:
        """The job's input thumbnail (a JPEG in the store) as a file, written once per process."""
        if not job.image_thumb:
            return None
        path = self.scratch / f"{safe_name(job.request_id)}.thumb.jpg"
        if not path.is_file():
            path.write_bytes(job.image_thumb)  # already a JPEG: written as is, never re-encoded
        return path

    def blank(self) -> Path:
        """A plain grey 16:9 picture for a job with neither video nor input image."""
        path = self.scratch / "blank.png"
        if not path.is_file():
            from PIL import Image

            Image.new("RGB", (32, 18), (148, 163, 184)).save(path)
        return path

    def cached_copies(self, job: JobRecord) -> list[Path]:
        """The copies of the job's video and poster in Gradio's cache, for Delete to remove too."""
        video = job.video_path
        sources = [video, self.files.poster_of(video)] if video is not None else []
        copies = []
        for source in sources:
            copy = gradio_cache_path(source) if source.is_file() else None
            if copy is not None and copy.is_file() and copy != source.resolve():
                copies.append(copy)
        return copies
