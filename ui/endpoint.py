"""The public API: one endpoint, ``/generate`` (prompt, image, seed, frames, image_url -> video, facts).

It runs the same checks, keys, limit and job machinery as the page (:class:`ui.handlers.Playground`)
but speaks to programs: progress as ``(None, {"state": ...})`` updates, the end as ``(video, facts)``
with facts as JSON, and every failure as a ``gr.Error`` sentence carrying the request id. A caller's
own RunComfy key travels in an ``x-api-key`` header and is used for that call only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from client import END_EVENTS, SCHEMA, Completed, Failed, InputRefused, LiveJob, Queued, Secret, frames_text
from ui.cards import facts_record
from ui.handlers import Playground
from ui.hosting import into_gradio_cache
from ui.messages import msg
from ui.options import RAW
from ui.requests import headers_of
from ui.screens import error_sentence, said

API_DESCRIPTION = (
    "Generate a video. image: a JPEG or PNG file (gradio_client.handle_file), or None with image_url set to "
    f"a public https URL. seed: {SCHEMA.seed_random} = random (the seed used is in facts). frames: "
    f"{frames_text()}. Send your own RunComfy key in an x-api-key header; without one the app's key "
    "(limited per visitor per hour) or its offline preview is used. Streams (None, {state, request_id, "
    "...}) while waiting, then (video, facts)."
)


@dataclass(frozen=True)
class Endpoint:
    """The endpoint's own (hidden) components: plain English labels, JSON facts."""

    inputs: dict[str, Any]
    outputs: list[Any]
    trigger: gr.Button


def place_endpoint() -> Endpoint:
    """Place the hidden components of ``/generate`` (never shown on the page)."""
    with gr.Group(visible=False):
        inputs = {
            "prompt": gr.Textbox(label="prompt"),
            "image": gr.Image(label="image", type="filepath", image_mode=None),
            "seed": gr.Number(SCHEMA.seed_random, label="seed", precision=0),
            "frames": gr.Radio(list(SCHEMA.frames_choices), value=SCHEMA.default_frames, label="frames"),
            "image_url": gr.Textbox("", label="image_url"),
        }
        outputs = [gr.Video(label="video"), gr.JSON(label="facts")]
        trigger = gr.Button("generate")
    return Endpoint(inputs, outputs, trigger)


class ApiEndpoint:
    """``/generate``, bound to a demo's :class:`Playground`."""

    def __init__(self, play: Playground) -> None:
        self.play = play

    async def generate(
        self,
        prompt: str,
        image: Any,  # an uploaded file (FileData dict or path): see file_path
        seed: Any = -1,
        frames: Any = None,
        image_url: str | None = None,
        request: gr.Request | None = None,
    ) -> AsyncIterator[tuple[str | None, dict[str, Any]]]:
        """``/generate``: progress as (None, {state...}), then (video, facts); errors as gr.Error."""
        lang = self.play.language(request)
        header_key = headers_of(request).get("x-api-key", "").strip()
        route = self.play.route(Secret(header_key) if header_key else None)
        try:
            job = await self.play.prepare(
                route,
                prompt=prompt,
                image=image,
                image_url=image_url,
                seed=-1 if seed is None else seed,
                frames=frames,
            )
        except InputRefused as exc:
            raise gr.Error(self.play.refusal(exc, lang), print_exception=False) from None
        admission = await self.play.admit(route, job, lang)
        if isinstance(admission, str):
            raise gr.Error(admission, print_exception=False)
        started = self.play.start(route, job, request, lang, admission=admission)
        if isinstance(started, str):
            raise gr.Error(started, print_exception=False)
        finished = False
        try:
            async for event in started.watch(0):
                if event is not None and not isinstance(event, END_EVENTS):
                    state = {
                        "state": type(event).__name__.lower(),
                        "request_id": event.request_id,
                        "seed": job.request.seed,
                        "elapsed_s": round(event.elapsed, 1),
                    }
                    if isinstance(event, Queued):
                        state["queue_position"] = event.position
                    yield None, state
            finished = True
        finally:
            if not finished:
                started.stop_watching()
        self.play.settle_limit(started, request)
        yield await self._result(started, lang)

    async def _result(self, live: LiveJob, lang: str) -> tuple[str, dict[str, Any]]:
        last = live.last
        if isinstance(last, Completed):
            # Already in Gradio's cache, so Gradio neither hashes nor copies it on the event loop.
            video = await into_gradio_cache(last.video.path)
            return str(video), facts_record(
                last.video.facts,
                request_id=last.request_id,
                seed=live.request.seed,
                total_s=last.elapsed,
                cost=last.cost,
            )
        if live.error is not None:
            text = error_sentence(live.error, lang)
        elif isinstance(last, Failed):
            text = msg(lang, "err_failed", message=last.error)
        else:
            text = said(lang, "cancelled", offline=live.route.offline)
        rid = live.request_id
        suffix = f" ({msg(lang, 'request_id')} {rid})" if rid and rid not in text else ""
        raise gr.Error(text + suffix, print_exception=False)


# /generate is for gradio_client (a file input); agents get ui.mcp_tools' generate_video instead.
# Gradio lists as MCP tools only functions with no other ``_mcp_type`` than "tool".
ApiEndpoint.generate._mcp_type = "not_a_tool"  # type: ignore[attr-defined]


def wire_endpoint(endpoint: Endpoint, api: ApiEndpoint) -> None:
    """Register ``/generate``: the page's one public event."""
    endpoint.trigger.click(api.generate, inputs_kwargs=endpoint.inputs, outputs=endpoint.outputs,
                           api_name="generate", api_description=API_DESCRIPTION, **RAW)
