"""Longer stories: continue a finished job from its last frame, and stitch a story into one MP4.

"Continue from last frame" (under the result, and on a history entry) takes the job's last frame at
the video's own size, runs it through the same checks and fixes as an upload, and fills the form
with it, the job's prompt (to edit) and its length; the next Generate records the job it continues.
Nothing starts by itself: Generate is still the one click that pays. "Stitch the story" (on a history
entry that is part of a story) joins its clips in order, the repeated junction frames left out, off
the event loop (the media lanes), and offers the file to download.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from client import InputRefused, Registry, continue_job, stitch_jobs, story_path
from ui.hosting import into_gradio_cache
from ui.messages import msg
from ui.options import PRIVATE

UPLOAD = "upload"  # the form's upload tab (ui.form_panel.UPLOAD; not imported: the form imports us)


def image_digest(path: Path | None) -> str | None:
    """What ties a form's picture to the frame it was filled with (the path may change on the way)."""
    if path is None or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def continued(parent: Any, image: Path | None) -> str | None:
    """The job a Generate continues: the one the form was filled from, if its picture is still there."""
    if not isinstance(parent, dict) or not isinstance(parent.get("parent_id"), str) or image is None:
        return None
    digest = await asyncio.to_thread(image_digest, image)
    return parent["parent_id"] if digest is not None and digest == parent.get("digest") else None


@dataclass(frozen=True)
class StoryActions:
    """The history entry's story buttons, its stitched file, and what they said."""

    continue_btn: gr.Button
    stitch_btn: gr.Button
    story_file: gr.DownloadButton
    note: gr.Markdown


def place_story_actions(t: gr.I18n) -> StoryActions:
    """Place the history entry's story buttons; call inside its detail column."""
    with gr.Row():
        continue_btn = gr.Button(t("continue"), size="sm", visible=False, elem_id="history-continue")
        stitch_btn = gr.Button(t("stitch"), size="sm", visible=False, elem_id="history-stitch")
    story_file = gr.DownloadButton(t("story_download"), visible=False, size="sm", elem_id="story-file")
    note = gr.Markdown(elem_id="story-note")
    return StoryActions(continue_btn, stitch_btn, story_file, note)


def place_continue_button(t: gr.I18n) -> tuple[gr.Column, gr.Button]:
    """Place "Continue from last frame" under the current result, in a box shown once a video is there
    (the box, not the button, is shown and hidden: a button updated from a stream loses its label)."""
    with gr.Column(visible=False, elem_id="continue-box") as box:
        button = gr.Button(t("continue"), elem_id="continue")
    return box, button


class StoryHandlers:
    """Continue and stitch, on the jobs a browser may see (``registry`` says whose)."""

    def __init__(self, registry: Registry, language: Any) -> None:
        self.registry = registry
        self.language = language  # gr.Request -> 'en' | 'fr'

    async def fill(self, request_id: Any, owner: Any, request: gr.Request) -> dict[str, Any]:
        """The form's new values from a job's last frame, or a sentence saying why it cannot be."""
        lang = self.language(request)
        rid = str(request_id or "").strip()
        if not rid or not self.registry.available:
            return {"note": msg(lang, "continue_unavailable")}
        try:
            found = await continue_job(self.registry.store, rid, owner=self.registry.listing_owner(owner))
        except InputRefused as exc:
            return {"note": msg(lang, "continue_refused", why=exc.text(lang))}
        saved = await into_gradio_cache(found.save(Path(tempfile.mkdtemp(prefix="continue-"))))
        fixes = "; ".join(found.image.fixes_in(lang))
        note = msg(lang, "continue_note", rid=rid, width=found.frame.width, height=found.frame.height)
        return {"image": str(saved), "prompt": found.prompt, "frames": found.frames,
                "parent": {"parent_id": rid, "digest": image_digest(saved)},
                "note": f"{note} {fixes}".strip()}

    async def stitch(self, request_id: Any, owner: Any, request: gr.Request) -> tuple[Any, str]:
        """The selected job's story as one MP4 (the download button), and a sentence about it."""
        lang = self.language(request)
        rid = str(request_id or "").strip()
        if not rid or not self.registry.available:
            return gr.DownloadButton(visible=False), msg(lang, "continue_unavailable")
        dest = story_path(self.registry.files, rid)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            who = self.registry.listing_owner(owner)
            story = await stitch_jobs(self.registry.store, [rid], dest, owner=who)
        except (InputRefused, ValueError) as exc:
            why = exc.text(lang) if isinstance(exc, InputRefused) else str(exc)
            return gr.DownloadButton(visible=False), msg(lang, "stitch_failed", why=why)
        done = story.stitched
        said = msg(lang, f"stitch_{done.method}", clips=done.clips, frames=done.frames,
                   seconds=f"{done.duration_s:.1f}", dropped=done.dropped)
        if story.skipped:
            said += " " + msg(lang, "stitch_skipped", ids=", ".join(story.skipped))
        shown = await into_gradio_cache(done.path)
        return gr.DownloadButton(value=str(shown), visible=True), said


def form_fill(form: Any, filled: dict[str, Any], note_box: Any) -> dict[Any, Any]:
    """Component updates for ``filled`` (see :meth:`StoryHandlers.fill`)."""
    if "image" not in filled:
        return {note_box: filled["note"]}
    updates: dict[Any, Any] = {form.image: filled["image"], form.tabs: gr.Tabs(selected=UPLOAD),
                               form.source: UPLOAD, form.parent: filled["parent"], form.random_seed: True,
                               form.seed: gr.Number(None, interactive=False), note_box: filled["note"]}
    if filled["prompt"]:
        updates[form.prompt] = filled["prompt"]
    if filled["frames"]:
        updates[form.frames] = filled["frames"]
    return updates


def wire_story(form: Any, result: Any, history: Any, handlers: StoryHandlers) -> None:
    """Continue (from the result and from the history), and stitch."""
    continue_btn, story = result.continue_btn, history.story
    outputs = [form.image, form.tabs, form.source, form.parent, form.random_seed, form.seed, form.prompt,
               form.frames]

    async def from_result(rid: Any, owner: Any, request: gr.Request) -> dict[Any, Any]:
        return form_fill(form, await handlers.fill(rid, owner, request), form.parent_note)

    async def from_history(rid: Any, owner: Any, request: gr.Request) -> dict[Any, Any]:
        return form_fill(form, await handlers.fill(rid, owner, request), form.parent_note)

    continue_btn.click(from_result, inputs=[result.request_id, history.owner],
                       outputs=[*outputs, form.parent_note], **PRIVATE)
    story.continue_btn.click(from_history, inputs=[history.selected, history.owner],
                             outputs=[*outputs, form.parent_note], **PRIVATE)
    story.stitch_btn.click(handlers.stitch, inputs=[history.selected, history.owner],
                           outputs=[story.story_file, story.note], **PRIVATE)
