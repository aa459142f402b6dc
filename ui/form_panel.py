"""The form: prompt, picture (upload or URL) with its live check, seed, length, Generate and Cancel.

The checks read a local file's header or look at a URL's shape: they never contact RunComfy, so
they skip the queue. What Generate and Cancel do is wired by the result panel (:mod:`ui.result_panel`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import gradio as gr

from client import SCHEMA, inspect_image
from ui.cards import image_check_html, url_check_html
from ui.examples import EXAMPLES, first_example, place_examples
from ui.handlers import Playground
from ui.options import PRIVATE, QUICK, RAW
from ui.requests import file_path
from ui.texts import frames_key, labels
from ui.variations_grid import place_variations_count

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
    estimate: gr.Markdown  # the price of the chosen length, and today's spend (empty offline)
    parent: gr.State  # {"parent_id", "digest"} after "Continue from last frame" (ui.story_panel)
    parent_note: gr.Markdown  # "Continues <id> from its last frame"
    variations: gr.Radio  # how many seeds to try at once (ui.variations_panel)

    def job_inputs(self) -> dict[str, Any]:
        """The form's values a generation takes, by the handler's parameter names."""
        names = ("prompt", "image", "image_url", "source", "seed", "random_seed", "frames", "parent",
                 "variations")
        return {name: getattr(self, name) for name in names}


def _seed_box(random_seed: bool) -> Any:
    """Random ticked: an empty, locked box; unticked: the box as it was, open for typing."""
    return gr.Number(None, interactive=False) if random_seed else gr.Number(interactive=True)


def _place_picture(t: gr.I18n, picture: str) -> tuple[Any, ...]:
    with gr.Tabs(selected=UPLOAD, elem_id="image-tabs") as tabs:
        with gr.Tab(t("tab_upload"), id=UPLOAD, elem_id="tab-upload") as tab_upload:
            image = gr.Image(picture, show_label=False, type="filepath", image_mode=None,
                             sources=["upload", "clipboard"], height=240, elem_id="image-upload")
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
        prompt = gr.Textbox(prompt_text, label=t("prompt"), placeholder=t("prompt_placeholder"), lines=3,
                            max_lines=12, elem_id="prompt")
        counter = gr.HTML(f"<span>{len(prompt_text)} / {SCHEMA.prompt_max_chars}</span>",
                          elem_id="prompt-count", padding=False)
        tabs, tab_upload, tab_url, image, image_check, image_url, url_check = _place_picture(t, picture)
        parent_note = gr.Markdown(elem_id="continue-note")
        with gr.Row(equal_height=False, elem_id="length-seed"):
            with gr.Column(scale=1, min_width=200):
                frames = gr.Radio([(t(frames_key(f)), f) for f in SCHEMA.frames_choices],
                                  value=SCHEMA.default_frames, label=t("frames"), elem_id="frames")
                variations = place_variations_count(t)
            with gr.Column(scale=1, min_width=200, elem_id="seed-group"):
                # Empty while Random is ticked (its placeholder says "random"); a run shows the seed used.
                seed = gr.Number(None, label=t("seed"), info=t("seed_info"), precision=0,
                                 placeholder=t("seed_random_placeholder"), minimum=SCHEMA.seed_min,
                                 maximum=SCHEMA.seed_max, interactive=False, elem_id="seed")
                random_seed = gr.Checkbox(True, label=t("random"), elem_id="seed-random")
        # Drawn at the top of the result column (ui.result_panel): on a laptop Generate is then in
        # view from the start and, the column being sticky, all along; on a phone it follows the form.
        generate = gr.Button(t("generate"), variant="primary", elem_id="generate", scale=3, render=False)
        cancel = gr.Button(t("cancel"), variant="stop", elem_id="cancel", scale=1, render=False)
        estimate = gr.Markdown(elem_id="estimate", render=False)
    return FormPanel(gr.State(UPLOAD), prompt, counter, tabs, tab_upload, tab_url, image, image_check,
                     image_url, url_check, seed, random_seed, frames, generate, cancel, estimate,
                     gr.State(None), parent_note, variations)


def example_names_js() -> str:
    """JS that relabels the examples in the page's language, which it reads off the drawn heading."""
    tables = labels(0)
    by_heading = {tables[lang]["heading"].removeprefix("# "): [tables[lang][key] for *_, key in EXAMPLES]
                  for lang in tables}
    return f"""() => {{
  const names = {json.dumps(by_heading, ensure_ascii=False)};
  const heading = document.querySelector('#app-header h1');
  const wanted = heading && names[heading.innerText.trim()];
  if (wanted) document.querySelectorAll('#examples button.gallery-item').forEach((b, i) => {{
    if (wanted[i]) b.textContent = wanted[i];
  }});
  return [];
}}"""


def place_form_examples(t: gr.I18n, form: FormPanel) -> gr.Examples:
    """Place the examples (under both columns); each fills the form's prompt, picture and length."""
    names = [labels(0)["en"][key] for *_, key in EXAMPLES]
    return place_examples(t, [form.prompt, form.image, form.image_url, form.frames], names)


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
    # Ticking Random empties the box (its placeholder says "random"); unticking keeps the seed shown,
    # so the seed of the last run is one click from being reused.
    form.random_seed.change(_seed_box, inputs=form.random_seed, outputs=form.seed, **QUICK)
    # After an example fills the form, show its tab: the URL tab for the schema's default.
    examples.load_input_event.then(handlers.apply_example, inputs=[form.image, form.image_url],
                                        outputs=[form.tabs, form.source], **QUICK)
    # Gradio's number box shows a first value of None as 0 (gradio-app/gradio#6728); None sent by an
    # event empties it, so the placeholder ("random") shows.
    demo.load(lambda: None, outputs=form.seed, **QUICK)
    demo.load(None, js=example_names_js(), **QUICK)
    demo.load(handlers.check_image, inputs=[form.image], outputs=[form.image_check], **QUICK, **RAW)
