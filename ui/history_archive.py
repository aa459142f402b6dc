"""The demo's job history: who sees which jobs, which jobs are being followed, the files beside each job.

One :class:`Archive` per demo (made by ``build_demo``), never one per module: two demos (or two
tests) never share a registry. It wraps the store opened once by ``app.py`` (a ``JobStore``, or a
``NullStore`` when the database is damaged or locked: history degraded, generation untouched).

Owners. Each browser keeps a random owner id in its own storage (``gr.BrowserState``). It is a
name, not a credential: 144 random bits nobody can guess. On a shared app (a Space) a visitor lists
only the jobs recorded under their id; a local single-user run records everything under the CLI's
``LOCAL_OWNER`` and lists everyone's, so the app and ``python -m client history`` agree.

Files kept per job: the video (``outputs/<id>.mp4``, by the client), its poster
(``outputs/<id>.poster.jpg``, made once with PyAV), and the prepared input image
(``<data_dir>/inputs/<id>.jpg|png``). The input is kept because the store's 256 px thumbnail is
too small to send again (the model wants more than 320 px a side): "Reuse settings" restores the
very picture that was sent.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from client.resume import ResumeOutcome, resume_jobs
from client.store import LOCAL_OWNER, JobRecord, NullStore
from ui.history_view import extract_poster
from ui.hosting import gradio_cache_path

if TYPE_CHECKING:
    from client.api import RunComfyClient
    from client.images import PreparedImage
    from client.store import AnyStore

log = logging.getLogger(__name__)
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


def clean_request_id(text: Any) -> str | None:
    """A request id typed by a person (spaces trimmed), or None when it cannot be one."""
    text = str(text or "").strip()
    return text if REQUEST_ID.fullmatch(text) else None


def _file_name(request_id: str) -> str:
    # Ids come from the network or a text box: never let one become a path.
    return "".join(c for c in request_id if c.isalnum() or c in "-_")[:80] or "job"


class _OneJob:
    """The store seen by ``resume_jobs`` as holding one unfinished job, so each job is released alone."""

    def __init__(self, store: AnyStore, job: JobRecord) -> None:
        self._store, self._job = store, job

    def unfinished(self) -> list[JobRecord]:
        return [self._job]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class Archive:
    """The history as the page uses it: owners, the followed-job registry, kept inputs and posters."""

    def __init__(
        self,
        store: AnyStore | None,
        *,
        data_dir: Path,
        shared: bool = False,
        budget_mb: float | None = None,
    ) -> None:
        self.store: AnyStore = store if store is not None else NullStore("no job history was configured")
        self.shared = shared
        self.budget_mb = budget_mb
        self.inputs_dir = data_dir / "inputs"
        # Request ids followed by a task of this process (a page's job, the start-up resume, a
        # recover): a second follower would download into the same file at the same time.
        self._followed: set[str] = set()
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    @property
    def available(self) -> bool:
        """False in degraded mode (the database could not be opened)."""
        return bool(self.store.available)

    @property
    def problem(self) -> str | None:
        """Why the history is off, for the banner (None when it works)."""
        return None if self.available else self.store.problem

    # -- owners -----------------------------------------------------------------------------------

    def recording_owner(self, browser_owner: Any) -> str:
        """Whose name a job is recorded under (``browser_owner`` None: a ``/generate`` caller)."""
        if not self.shared:
            return LOCAL_OWNER
        return valid_owner(browser_owner) or API_OWNER

    def listing_owner(self, browser_owner: Any) -> str | None:
        """The owner filter of ``list_jobs``/``get``/``delete``: None (everyone) on a local run."""
        if not self.shared:
            return None
        return valid_owner(browser_owner) or NOBODY

    # -- who follows what -------------------------------------------------------------------------

    def follow(self, request_id: str) -> bool:
        """Claim ``request_id`` for one follower; False when another task already follows it."""
        if request_id in self._followed:
            return False
        self._followed.add(request_id)
        return True

    def release(self, request_id: str) -> None:
        """The follower is done with ``request_id``."""
        self._followed.discard(request_id)

    def is_followed(self, request_id: str) -> bool:
        """True while a task of this process follows the job (it will finish into the history)."""
        return request_id in self._followed

    # -- files beside a job (blocking: call through asyncio.to_thread) ------------------------------

    def keep_input(self, request_id: str, image: PreparedImage) -> Path | None:
        """Write the prepared input image as ``inputs/<id>.jpg|png`` (None if the disk says no)."""
        suffix = ".png" if image.mime == "image/png" else ".jpg"
        path = self.inputs_dir / f"{_file_name(request_id)}{suffix}"
        try:
            self.inputs_dir.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")
            part.write_bytes(image.data)
            os.replace(part, path)  # a Reuse never reads half a picture
        except OSError as exc:
            log.warning("input image of %s not kept: %s", request_id, exc)
            return None
        return path

    def input_path(self, request_id: str) -> Path | None:
        """The kept input image of a job, if any."""
        for suffix in (".jpg", ".png"):
            path = self.inputs_dir / f"{_file_name(request_id)}{suffix}"
            if path.is_file():
                return path
        return None

    @staticmethod
    def poster_path(video: Path) -> Path:
        """Where a video's poster is cached: next to it."""
        return video.with_name(f"{video.stem}.poster.jpg")

    def make_poster(self, video: Path) -> Path | None:
        """Extract (again) the poster of a local video."""
        return extract_poster(video, self.poster_path(video))

    def poster(self, job: JobRecord) -> Path | None:
        """The job's poster JPEG, extracted once from its local video (None without a video)."""
        if not job.has_local_video or job.video_path is None:
            return None
        poster = self.poster_path(job.video_path)
        if poster.is_file():
            return poster
        if not job.video_path.is_file():
            return None
        return self.make_poster(job.video_path)

    def forget_files(self, job: JobRecord, copies: list[Path] | None = None) -> None:
        """Remove the kept input, the poster and ``copies`` of a deleted job (the store removes the video)."""
        paths = [self.input_path(job.request_id), *(copies or [])]
        if job.video_path is not None:
            paths.append(self.poster_path(job.video_path))
        for path in paths:
            if path is not None:
                path.unlink(missing_ok=True)

    @property
    def scratch(self) -> Path:
        """A private temp folder of this process (removed at exit): never served by path."""
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="dreamina-history-")
        return Path(self._scratch.name)

    def cached_copies(self, job: JobRecord) -> list[Path]:
        """The copies of the job's video and poster in Gradio's cache, for Delete to remove too."""
        sources = [job.video_path, self.poster_path(job.video_path)] if job.video_path is not None else []
        copies = []
        for source in sources:
            copy = gradio_cache_path(source) if source.is_file() else None
            if copy is not None and copy.is_file() and copy != source.resolve():
                copies.append(copy)
        return copies

    def thumbnail(self, job: JobRecord) -> Path | None:
        """The job's input thumbnail (a JPEG in the store) as a file, written once per process."""
        if not job.image_thumb:
            return None
        path = self.scratch / f"{_file_name(job.request_id)}.thumb.jpg"
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

    # -- start-up -------------------------------------------------------------------------------------

    async def resume_at_start(self, client: RunComfyClient, *, concurrency: int = 4) -> list[ResumeOutcome]:
        """Follow every unfinished job to its end in the background, after a restart.

        Uses the client's own key (the server's, or the offline stand-in, whose forgotten jobs
        are marked lost). Jobs made with a visitor's key stay pending (the key is gone with the
        old process); the visitor finishes them with "Retry download" after adding the key again.
        """
        if not self.available:
            return []
        jobs = await asyncio.to_thread(self.store.unfinished)
        gate = asyncio.Semaphore(max(1, concurrency))

        async def one(job: JobRecord) -> list[ResumeOutcome]:
            if not self.follow(job.request_id):
                return []
            try:
                async with gate:
                    return await resume_jobs(client, _OneJob(self.store, job),  # type: ignore[arg-type]
                                             budget_mb=self.budget_mb)
            finally:
                self.release(job.request_id)

        done = await asyncio.gather(*(one(job) for job in jobs), return_exceptions=True)
        outcomes = [o for result in done if isinstance(result, list) for o in result]
        for result in done:
            if isinstance(result, BaseException):
                log.warning("resuming a job failed: %s", result)
        for outcome in outcomes:
            log.info("resumed %s: %s (%s)", outcome.request_id, outcome.state, outcome.message)
        return outcomes
