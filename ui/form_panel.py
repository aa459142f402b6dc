"""The form: prompt, picture (upload or URL) with its live check, seed, length, Generate and Cancel.

The checks read a local file's header or look at a URL's shape: they never contact RunComfy, so
they skip the queue. What Generate and Cancel do is wired by the result panel (:mod:`ui.result_panel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from client import SCHEMA, inspect_image
from ui.cards import image_check_html, url_check_html
from ui.examples import first_example, place_examples
from ui.handlers import Playground, file_path
from ui.options import PRIVATE, QUICK, RAW
from ui.texts import frames_key

UPLOAD, URL = "upload", "url"
COUNTER_JS = f"""(p) => {{
  const n = [...(p || '')].length, max = {SCHEMA.prompt_max_chars};
  return `<span class="${{n > max ? 'pg-over' : ''}}">${{n}} / ${{max}}</span>`;
}}"""


@dataclass(frozen=True)
class FormPanel:
    """The form's components (``source`` says which image tab is in use)."""

    source: gr.State
    prompt: gr.Textbox
    counter: gr.HTML
    tabs: gr.Tabs
    tab_upload: gr.Tab
    tab_url: gr.Tab
    image: gr.Image
    image_check: gr.HTML
    image_url: gr.Textbox
    url_check: gr.HTML
    seed: gr.Number
    random_seed: gr.Checkbox
    frames: gr.Radio
    generate: gr.Button
    cancel: gr.Button

    def job_inputs(self) -> dict[str, Any]:
        """The form's values a generation takes, by the handler's parameter names."""
        names = ("prompt", "image", "image_url", "source", "seed", "random_seed", "frames")
        return {name: getattr(self, name) for name in names}


def _place_picture(t: gr.I18n, picture: str) -> tuple[Any, ...]:
    with gr.Tabs(selected=UPLOAD, elem_id="image-tabs") as tabs:
        with gr.Tab(t("tab_upload"), id=UPLOAD, elem_id="tab-upload") as tab_upload:
            image = gr.Image(picture, show_label=False, type="filepath", image_mode=None,
                             sources=["upload", "clipboard"], height=300, elem_id="image-upload")
            image_check = gr.HTML(elem_id="image-check", padding=False)
        with gr.Tab(t("tab_url"), id=URL, elem_id="tab-url") as tab_url:
            image_url = gr.Textbox(label=t("image_url"), placeholder="https://…/photo.jpg",
                                   elem_id="image-url")
            url_check = gr.HTML(elem_id="url-check", padding=False)
    return tabs, tab_upload, tab_url, image, image_check, image_url, url_check


def place_form(t: gr.I18n) -> FormPanel:
    """Place the form's column; call inside a ``gr.Row`` (the result column goes beside it)."""
    prompt_text, picture = first_example()
    with gr.Column(scale=5, elem_id="inputs-col"):
        prompt = gr.Textbox(prompt_text, label=t("prompt"), placeholder=t("prompt_placeholder"), lines=4,
                            max_lines=12, elem_id="prompt")
        counter = gr.HTML(f"<span>{len(prompt_text)} / {SCHEMA.prompt_max_chars}</span>",
                          elem_id="prompt-count", padding=False)
        tabs, tab_upload, tab_url, image, image_check, image_url, url_check = _place_picture(t, picture)
        with gr.Row(equal_height=True):
            seed = gr.Number(SCHEMA.seed_random, label=t("seed"), info=t("seed_info"), precision=0,
                             minimum=SCHEMA.seed_min, maximum=SCHEMA.seed_max, interactive=False,
                             elem_id="seed", scale=3, min_width=220)
            random_seed = gr.Checkbox(True, label=t("random"), elem_id="seed-random", scale=1, min_width=150)
        frames = gr.Radio([(t(frames_key(f)), f) for f in SCHEMA.frames_choices], value=SCHEMA.default_frames,
                          label=t("frames"), elem_id="frames")
        with gr.Row():
            generate = gr.Button(t("generate"), variant="primary", elem_id="generate", scale=3)
            cancel = gr.Button(t("cancel"), variant="stop", elem_id="cancel", scale=1)
    return FormPanel(gr.State(UPLOAD), prompt, counter, tabs, tab_upload, tab_url, image, image_check,
                     image_url, url_check, seed, random_seed, frames, generate, cancel)


def place_form_examples(t: gr.I18n, form: FormPanel) -> gr.Examples:
    """Place the examples (under both columns); each fills the form's prompt, picture and length."""
    return place_examples(t, [form.prompt, form.image, form.image_url, form.frames])


class FormHandlers:
    """The form's checks, bound to a page's :class:`Playground` (for the language and the mode)."""

    def __init__(self, play: Playground) -> None:
        self.play = play

    def check_image(self, image: Any, request: gr.Request) -> str:
        """Measure an uploaded file from its header: size, ratio, format, each rule, the fixes."""
        path = file_path(image)
        if path is None:
            return ""
        return image_check_html(inspect_image(path), self.play.language(request))

    def check_url(self, image_url: str, request: gr.Request) -> str:
        """Preview a URL in the visitor's browser (never fetched here) and say what happens next."""
        return url_check_html(image_url, self.play.language(request), offline=self.play.offline)

    @staticmethod
    def apply_example(image: str | None, image_url: str) -> tuple[Any, str]:
        """After an example fills the form: show its tab (URL examples have no file)."""
        source = URL if image_url and not image else UPLOAD
        return gr.Tabs(selected=source), source


def wire_form(form: FormPanel, examples: gr.Examples, handlers: FormHandlers, demo: gr.Blocks) -> None:
    """The counter, the live checks, the image tabs, the seed box and the examples."""
    form.prompt.change(None, inputs=form.prompt, outputs=form.counter, js=COUNTER_JS, **PRIVATE)
    form.image.change(handlers.check_image, inputs=form.image, outputs=form.image_check, **QUICK, **RAW)
    form.image_url.change(handlers.check_url, inputs=form.image_url, outputs=form.url_check, **QUICK)
    form.tab_upload.select(lambda: UPLOAD, outputs=form.source, **QUICK)
    form.tab_url.select(lambda: URL, outputs=form.source, **QUICK)
    form.random_seed.change(lambda r: gr.Number(interactive=not r), inputs=form.random_seed,
                            outputs=form.seed, **QUICK)
    # After an example fills the form, show its tab: the URL tab for the schema's default.
    examples.load_input_event.then(handlers.apply_example, inputs=[form.image, form.image_url],
                                        outputs=[form.tabs, form.source], **QUICK)
    demo.load(handlers.check_image, inputs=[form.image], outputs=[form.image_check], **QUICK, **RAW)
