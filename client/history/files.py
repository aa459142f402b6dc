"""Every file that sits beside a job, in one place: where it goes, what keeps it, what removes it.

Per job, at most:
- the video, ``<outputs>/<id>.mp4`` (downloaded, then tagged with its prompt and seed);
- its poster, ``<outputs>/<id>.poster.jpg`` (the first frame, made once with PyAV);
- the picture that was sent, ``<data>/inputs/<id>.jpg|png``. It is kept because the record's 256 px
  thumbnail is too small to send again (the model wants more than 320 px a side): "Reuse settings"
  restores the very picture that was sent.

One naming rule (:func:`safe_name`) turns a request id, which comes from the network or a text box,
into a file name. **Delete** (:meth:`JobFiles.delete`) removes the record and all three files, and
any copies a page made (Gradio's cache). The disk budget (:meth:`JobFiles.enforce_budget`) removes the
oldest local videos first, never a record: a pruned job keeps its row and says ``video_pruned``.

Everything here blocks (disk, SQLite, PyAV): call it from a worker thread or a media lane.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from client.history.records import JobRecord
from client.history.store import AnyStore
from client.media import extract_poster

log = logging.getLogger(__name__)
_BUDGET_LOCK = threading.Lock()  # two jobs ending together must not both count the same files
INPUT_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg"}


def safe_name(request_id: str) -> str:
    """A file name from a request id: letters, digits, ``-`` and ``_`` only, at most 80 of them."""
    return "".join(c for c in request_id if c.isalnum() or c in "-_")[:80] or "job"


def video_file(videos: Path, request_id: str) -> Path:
    """Where a job's video is downloaded: ``<videos>/<safe name>.mp4``."""
    return videos / f"{safe_name(request_id)}.mp4"


@dataclass(frozen=True)
class JobFiles:
    """Where a job's files live: ``videos`` (the outputs folder) and ``inputs`` (the pictures sent)."""

    videos: Path
    inputs: Path
    budget_mb: float | None = None

    @classmethod
    def under(cls, outputs_dir: Path, data_dir: Path, budget_mb: float | None = None) -> JobFiles:
        """The layout the settings describe: videos in ``outputs_dir``, pictures in ``data_dir/inputs``."""
        return cls(Path(outputs_dir), Path(data_dir) / "inputs", budget_mb)

    def video(self, request_id: str) -> Path:
        """Where a job's video is downloaded to."""
        return video_file(self.videos, request_id)

    @staticmethod
    def poster_of(video: Path) -> Path:
        """Where a video's poster is kept: next to it."""
        return video.with_name(f"{video.stem}.poster.jpg")

    def make_poster(self, video: Path) -> Path | None:
        """Extract (again) the poster of a local video (None if it cannot be decoded)."""
        return extract_poster(video, self.poster_of(video))

    def poster(self, job: JobRecord) -> Path | None:
        """The job's poster JPEG, extracted once from its local video (None without a video)."""
        if not job.has_local_video or job.video_path is None:
            return None
        poster = self.poster_of(job.video_path)
        if poster.is_file():
            return poster
        if not job.video_path.is_file():
            return None
        return self.make_poster(job.video_path)

    def keep_input(self, request_id: str, data: bytes, mime: str) -> Path | None:
        """Write the picture that was sent as ``inputs/<id>.jpg|png`` (None if the disk says no)."""
        path = self.inputs / f"{safe_name(request_id)}{INPUT_SUFFIXES.get(mime, '.jpg')}"
        try:
            self.inputs.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")
            part.write_bytes(data)
            os.replace(part, path)  # a Reuse never reads half a picture
        except OSError as exc:
            log.warning("input image of %s not kept: %s", request_id, exc)
            return None
        return path

    def input_of(self, request_id: str) -> Path | None:
        """The kept picture of a job, if any."""
        for suffix in INPUT_SUFFIXES.values():
            path = self.inputs / f"{safe_name(request_id)}{suffix}"
            if path.is_file():
                return path
        return None

    def delete(
        self, store: AnyStore, job: JobRecord, owner: str | None, *, copies: Iterable[Path] = ()
    ) -> bool:
        """Delete the job if ``owner`` may (None: anyone): its record and events, video, poster, picture,
        and ``copies`` made elsewhere (a page's cached video and poster). False when nothing was deleted.
        """
        if not store.delete(job.request_id, owner):
            return False
        paths = [self.input_of(job.request_id), *copies]
        if job.video_path is not None:
            paths.append(self.poster_of(job.video_path))
            if not job.video_pruned:
                paths.append(job.video_path)
        for path in paths:
            if path is not None:
                path.unlink(missing_ok=True)
        return True

    def enforce_budget(self, store: AnyStore, *, keep: Iterable[str] = ()) -> list[str]:
        """Keep the local videos within ``budget_mb`` (None or <= 0: no limit); see :func:`enforce_budget`."""
        mb = self.budget_mb
        budget = int(mb * 1_000_000) if mb is not None and mb > 0 else None
        return enforce_budget(store, budget, keep=keep)


def enforce_budget(store: AnyStore, budget_bytes: int | None, *, keep: Iterable[str] = ()) -> list[str]:
    """Delete the oldest local copies until they fit in ``budget_bytes``; return the pruned ids.

    ``None`` or a budget <= 0 means no limit. Jobs in ``keep`` (the one that just finished) are
    never pruned, even if alone they exceed the budget. Copies whose file already vanished are
    marked pruned too, so the history never offers a video that is not there.
    """
    if not store.available:
        return []
    keep = set(keep)
    pruned: list[str] = []
    with _BUDGET_LOCK:
        sized: list[tuple[str, Path, int]] = []
        for request_id, path in store.local_videos():
            try:
                sized.append((request_id, path, path.stat().st_size))
            except FileNotFoundError:
                if request_id not in keep:
                    store.mark_pruned(request_id, reason="file missing")
                    pruned.append(request_id)
        if budget_bytes is None or budget_bytes <= 0:
            return pruned
        total = sum(size for _, _, size in sized)
        for request_id, path, size in sized:  # oldest job first
            if total <= budget_bytes:
                break
            if request_id in keep:
                continue
            path.unlink(missing_ok=True)
            store.mark_pruned(request_id)
            pruned.append(request_id)
            total -= size
            log.info("disk budget: removed the local copy of %s (%d bytes); its record stays",
                     request_id, size)
    return pruned
