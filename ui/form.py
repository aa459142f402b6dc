"""Small, quick handlers of the form: check panels, the API code panel, examples, the visitor's key.

None of them contacts RunComfy: they read a local file's header or format text. They are private
events (never in the public API) and run outside the generation queue's concurrency limit.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from client import SCHEMA
from client.images import inspect_image
from client.secret import Secret
from ui.code_snippets import api_snippets
from ui.handlers import Playground, file_path
from ui.jobs import VisitorSession
from ui.messages import msg
from ui.panels import image_check_html, url_check_html
from ui.screens import screen

UPLOAD, URL = "upload", "url"


class FormHelpers:
    """The form's helpers, bound to a demo's :class:`Playground` (for the language and the mode)."""

    def __init__(self, play: Playground, *, api_base_url: str) -> None:
        self.play = play
        self.api_base_url = api_base_url

    def check_image(self, image: Any, request: gr.Request) -> str:
        """Measure an uploaded file from its header: size, ratio, format, each rule, the fixes."""
        path = file_path(image)
        if path is None:
            return ""
        return image_check_html(inspect_image(path), self.play.language(request))

    def check_url(self, image_url: str, request: gr.Request) -> str:
        """Preview a URL in the visitor's browser (never fetched here) and say what happens next."""
        return url_check_html(image_url, self.play.language(request), offline=self.play.client.offline)

    def code(
        self, prompt: str, source: str, image_url: str, seed: Any, random_seed: bool, frames: Any
    ) -> tuple[str, str]:
        """The cURL and Python calls for the current inputs (the token is never part of them)."""
        chosen = None if random_seed or seed is None else int(seed)
        return api_snippets(
            prompt or "",
            source=source,
            image_url=image_url,
            seed=chosen,
            frames=int(frames or SCHEMA.default_frames),
            base_url=self.api_base_url,
        )

    def set_key(self, key: str, session: VisitorSession, request: gr.Request) -> tuple[str, str]:
        """Keep a visitor's key in their server-side session only; the box is emptied at once."""
        lang = self.play.language(request)
        if not key or not key.strip():
            return "", msg(lang, "key_empty")
        session.key = Secret(key)
        return "", msg(lang, "key_set")

    def forget_key(self, session: VisitorSession, request: gr.Request) -> tuple[str, str]:
        """Drop the visitor's key: generations go back to the server's key or the offline preview."""
        lang = self.play.language(request)
        session.key = None
        return "", msg(lang, "key_forgotten", mode=self.play.mode_label(self.play.route(None), lang))

    def on_load(self, image: Any, request: gr.Request) -> tuple[str, str]:
        """A new tab: the idle status and the check of the preloaded image, in the visitor's language."""
        lang = self.play.language(request)
        return screen("idle", lang, msg(lang, "idle")).status, self.check_image(image, request)

    @staticmethod
    def apply_example(image: str | None, image_url: str) -> tuple[Any, str]:
        """After an example fills the form: show its tab (URL examples have no file)."""
        source = URL if image_url and not image else UPLOAD
        return gr.Tabs(selected=source), source
