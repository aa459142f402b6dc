"""The app as an MCP server for AI agents: ``generate_video``, ``get_job`` and ``estimate``.

Gradio serves every public endpoint as a tool at ``/gradio_api/mcp/`` when launched with
``mcp_server=True``; these three are registered with ``gr.api`` (typed, their docstrings are what an
agent reads), and ``/generate`` (made for ``gradio_client``, with its file input) is kept off the tool
list. None of the page's private events is public, so none becomes a tool.

A visitor's own RunComfy key comes in the ``x-api-key`` header (declared as ``gr.Header``, so MCP
clients offer it in their connection settings, never in a tool's arguments); without one, the
server's key with its hourly limit and daily budget applies. No key is ever in a schema, a
description or a result. Jobs are recorded as ``/generate``'s are (owner ``api`` on a shared app),
so ``get_job`` never shows a browser visitor's job.
"""

from __future__ import annotations

import base64
import binascii
import json
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from client import (
    API_OWNER,
    Completed,
    InputRefused,
    JobRecord,
    RunComfyError,
    Secret,
    clean_request_id,
    recover_job,
)
from ui.cards import facts_record
from ui.handlers import Playground
from ui.hosting import into_gradio_cache
from ui.screens import error_sentence

MAX_DATA_URI_BYTES = 8 * 1024 * 1024  # well above the model's 4.7 MB, a bound on what is decoded


def _key(header: Any) -> Secret | None:
    text = str(header or "").strip()
    return Secret(text) if text else None


def _file_url(request: gr.Request | None, path: Path) -> str:
    """The URL at which this app serves ``path`` (a file in Gradio's cache) to whoever called."""
    base = str(getattr(request, "base_url", "") or "") if request is not None else ""
    return f"{base.rstrip('/')}/gradio_api/file={path}"


def _picture(image: str, folder: Path) -> tuple[Path | None, str | None]:
    """(a file, or a URL) for ``image``: an https URL is passed on, a data: URI becomes a file here."""
    text = (image or "").strip()
    if not text.startswith("data:"):
        return None, text
    head, _, payload = text.partition(",")
    if ";base64" not in head or not payload:
        raise InputRefused("image data URI must be base64 (data:image/png;base64,...)", rule="image")
    if len(payload) * 3 // 4 > MAX_DATA_URI_BYTES:
        raise InputRefused("image data URI is larger than 8 MB", rule="image")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InputRefused("image data URI is not valid base64", rule="image") from None
    path = folder / "image"
    path.write_bytes(data)  # its format is read from its bytes by the same checks as an upload
    return path, None


class McpTools:
    """The three tools, bound to the page's :class:`Playground` (routes, limits, money, history)."""

    def __init__(self, play: Playground) -> None:
        self.play = play

    async def generate_video(
        self, prompt: str, image: str, seed: int = -1, frames: int = 121, x_api_key: gr.Header = None,
        request: gr.Request = None,  # type: ignore[assignment]
    ) -> str:
        """Make a 5 or 10 second video from one picture with ByteDance Dreamina 3.0 Pro (a paid RunComfy job).

        Runs the same checks and fixes as the playground's page, waits for the job (about 1 to 10
        minutes), and returns, as JSON, its request id (the receipt: keep it, get_job finds the job
        again), the video's URL on this app, its facts and its cost in USD (null offline or unknown).

        Args:
            prompt: What should move and how (camera, subject, mood), at most 800 characters.
            image: The picture: an https URL RunComfy can fetch, or a data: URI (data:image/png;base64,...).
                MCP carries no files, so a local picture must be sent as a data: URI. JPEG or PNG
                (WebP, BMP, TIFF are converted), each side more than 320 and at most 4096 px after
                fixing, width/height between 0.33 and 3.
            seed: -1 for a random seed, or 0 to 2147483647 to repeat a result.
            frames: 121 for about 5 s, 241 for about 10 s.
        """
        play = self.play
        lang = play.language(request)
        route = play.route(_key(x_api_key))
        with tempfile.TemporaryDirectory(prefix="mcp-image-") as folder:
            try:
                path, url = _picture(image, Path(folder))
                job = await play.prepare(route, prompt=prompt, image=str(path) if path else None,
                                         image_url=url, seed=seed, frames=frames)
            except InputRefused as exc:
                raise gr.Error(play.refusal(exc, lang), print_exception=False) from None
        admission = await play.admit(route, job, lang)
        if isinstance(admission, str):
            raise gr.Error(admission, print_exception=False)
        live = play.start(route, job, request, lang, admission=admission)
        if isinstance(live, str):
            raise gr.Error(live, print_exception=False)
        async for _event in live.watch(0):
            pass
        play.settle_limit(live, request)
        last = live.last
        if not isinstance(last, Completed):
            text = error_sentence(live.error, lang) if live.error is not None else "the job did not finish"
            raise gr.Error(f"{text} (request id {live.request_id or 'none'})", print_exception=False)
        video = await into_gradio_cache(last.video.path)
        facts = facts_record(last.video.facts, request_id=last.request_id, seed=live.request.seed,
                             total_s=last.elapsed, cost=last.cost)
        return json.dumps({"request_id": last.request_id, "state": "succeeded",
                           "video_url": _file_url(request, video), "facts": facts, "cost_usd": last.cost})

    async def get_job(
        self, request_id: str, x_api_key: gr.Header = None, request: gr.Request = None,  # type: ignore[assignment]
    ) -> str:
        """Look up a video job by its request id: its state, facts and video URL.

        Finds jobs made through this app's API and MCP tools; one it has never seen is asked of
        RunComfy with the key in use and brought into the history. Another visitor's job is
        reported as not found.

        Args:
            request_id: The request id generate_video returned (or RunComfy's dashboard shows).
        """
        play = self.play
        lang = play.language(request)
        rid = clean_request_id(request_id)
        registry = play.registry
        if rid is None or registry is None:
            raise gr.Error("No job with this request id.", print_exception=False)
        owner = API_OWNER if registry.shared else None
        job = registry.store.get(rid, owner)
        if job is None or not job.ended:
            route = play.route(_key(x_api_key))
            try:
                job = await recover_job(route.conn, registry.store, rid, owner=owner or API_OWNER,
                                        token=route.token, files=registry.files)
            except RunComfyError as exc:
                raise gr.Error(error_sentence(exc, lang), print_exception=False) from None
        if job is None:
            raise gr.Error("No job with this request id.", print_exception=False)
        return json.dumps(await self._described(job, request))

    async def _described(self, job: JobRecord, request: gr.Request | None) -> dict[str, Any]:
        """A job as get_job reports it (no key, no owner, no local path)."""
        out: dict[str, Any] = {"request_id": job.request_id, "state": job.state, "prompt": job.prompt,
                               "seed": job.seed, "frames": job.frames, "cost_usd": job.cost,
                               "error": job.error, "video_url": None, "facts": None}
        if job.has_local_video and job.video_path is not None and job.video_path.is_file():
            out["video_url"] = _file_url(request, await into_gradio_cache(job.video_path))
        if job.facts is not None:
            f = job.facts
            out["facts"] = {"duration_s": round(f.duration_s, 3), "frames": f.frames, "fps": f.fps,
                            "width": f.width, "height": f.height, "size_bytes": f.size_bytes}
        return out

    async def estimate(
        self, frames: int = 121, x_api_key: gr.Header = None, request: gr.Request = None,  # type: ignore[assignment]
    ) -> str:
        """What one video would cost at RunComfy's live price, before making it.

        Args:
            frames: 121 for about 5 s, 241 for about 10 s.
        """
        play = self.play
        route = play.route(_key(x_api_key))
        if play.money is None or route.offline:
            return json.dumps({"frames": frames, "estimate_usd": None,
                               "note": "offline preview: nothing is billed"})
        found = await play.money.prices.estimate(route, frames)
        usd = found.usd if found.has_figure else None
        return json.dumps({"frames": frames, "seconds": found.seconds, "estimate_usd": usd,
                           "price": found.words or None, "kind": found.kind})


def wire_mcp_tools(tools: McpTools) -> None:
    """Register the three tools as public endpoints (so as MCP tools); call inside the Blocks."""
    for fn in (tools.generate_video, tools.get_job, tools.estimate):
        gr.api(fn, api_name=fn.__name__, concurrency_limit=None)
