"""The "Use the API" panel: the cURL and Python calls for the form's current inputs, kept up to date.

The calls go to RunComfy's real API (the base URL of the connection a visitor's key would use) with
``$RUNCOMFY_API_TOKEN`` in place of any key: no key is ever an input of these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from client import SCHEMA
from ui.code_snippets import api_snippets
from ui.form_panel import FormPanel
from ui.options import QUICK


@dataclass(frozen=True)
class ApiPanel:
    """The panel's two code boxes."""

    curl: gr.Code
    python: gr.Code


def place_api_panel(t: gr.I18n) -> ApiPanel:
    """Place the closed "Use the API" accordion with its cURL and Python tabs."""
    with gr.Accordion(t("api_panel"), open=False, elem_id="api-panel"):
        gr.Markdown(t("api_intro"))
        with gr.Tabs():
            with gr.Tab("cURL"):
                curl = gr.Code(language="shell", interactive=False, show_label=False, elem_id="api-curl")
            with gr.Tab("Python (httpx)"):
                python = gr.Code(language="python", interactive=False, show_label=False, elem_id="api-python")
    return ApiPanel(curl, python)


def code_for(base_url: str) -> Any:
    """The handler writing both snippets for the form's inputs, against ``base_url``."""

    def code(
        prompt: str, source: str, image_url: str, seed: Any, random_seed: bool, frames: Any
    ) -> tuple[str, str]:
        """The cURL and Python calls for the current inputs (the token is never part of them)."""
        chosen = None if random_seed or seed is None else int(seed)
        return api_snippets(prompt or "", source=source, image_url=image_url, seed=chosen,
                            frames=int(frames or SCHEMA.default_frames), base_url=base_url)

    return code


def wire_api_panel(panel: ApiPanel, form: FormPanel, *, base_url: str, demo: gr.Blocks) -> None:
    """Rewrite the snippets whenever an input they show changes, and when a page opens."""
    triggers = [form.prompt.change, form.image_url.change, form.seed.change, form.random_seed.change,
                form.frames.change, form.source.change, demo.load]
    inputs = [form.prompt, form.source, form.image_url, form.seed, form.random_seed, form.frames]
    gr.on(triggers, code_for(base_url), inputs=inputs, outputs=[panel.curl, panel.python], **QUICK)
