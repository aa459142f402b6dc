"""The examples under the form: shipped pictures first (they work offline), RunComfy's sample last.

An example never runs a job: ``cache_examples`` stays off and it only fills the form.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from client import SCHEMA

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
# (prompt, shipped image or None, image URL, frames, label key in ui.texts). The first one must work
# offline with no network: a shipped image. The schema's own default (prompt + image URL) comes last.
EXAMPLES: list[tuple[str, str | None, str, int, str]] = [
    (
        "A slow dolly forward down the golden-hour street toward the setting sun; the red car pulls away "
        "from the kerb, warm light flickers in the windows, a soft lens flare blooms, cinematic.",
        "golden_street.jpg",
        "",
        121,
        "ex_golden_street",
    ),
    (
        "A gentle pan across the lake at sunset; ripples drift over the water and break the sun's "
        "reflection, thin clouds glide past the mountains, calm and dreamy.",
        "sunset_lake.jpg",
        "",
        121,
        "ex_sunset_lake",
    ),
    (
        "A slow push-in toward the lighthouse at dusk; its beam sweeps across the sea, stars twinkle, waves "
        "roll in below the cliff, moody and cinematic.",
        "lighthouse_dusk.png",
        "",
        241,
        "ex_lighthouse",
    ),
    (
        SCHEMA.default_prompt,
        None,
        SCHEMA.default_image_url,
        SCHEMA.default_frames,
        "ex_runcomfy_sample",
    ),
]


def first_example() -> tuple[str, str]:
    """The prompt and picture the page opens with (the first, offline-safe example)."""
    return EXAMPLES[0][0], str(EXAMPLES_DIR / str(EXAMPLES[0][1]))


def place_examples(t: gr.I18n, inputs: list[gr.components.Component], names: list[str]) -> gr.Examples:
    """Place the examples; ``inputs`` are the prompt, image, image URL and frames components.

    ``names`` are their labels in English: Gradio does not translate example labels, so the page
    puts the visitor's language in once it is drawn (``ui.form_panel.EXAMPLE_NAMES_JS``).
    """
    return gr.Examples(
        [[p, str(EXAMPLES_DIR / img) if img else None, url, n] for p, img, url, n, _ in EXAMPLES],
        inputs=inputs,
        cache_examples=False,
        api_visibility="private",
        label=t("examples"),
        example_labels=names,
        elem_id="examples",
        examples_per_page=8,
    )
