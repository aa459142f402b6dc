"""What is on the page and where: every component, with the stable ``elem_id``s tests drive.

:func:`lay_out` only places components (inside an open ``gr.Blocks``) and returns them in a
:class:`Page`; ``ui.build`` wires the events. Labels are ``gr.I18n`` keys (see ``ui.texts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from client import SCHEMA
from ui.form import UPLOAD, URL
from ui.history_view import HistoryPage, lay_out_history
from ui.jobs import VisitorSession
from ui.texts import frames_key

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
# (prompt, shipped image or None, image URL, frames, name). The first one must work offline with no
# network: a shipped image. The schema's own default (prompt + image URL) comes last.
EXAMPLES: list[tuple[str, str | None, str, int, str]] = [
    (
        "A slow dolly forward down the golden-hour street toward the setting sun; the red car pulls away "
        "from the kerb, warm light flickers in the windows, a soft lens flare blooms, cinematic.",
        "golden_street.jpg",
        "",
        121,
        "Golden-hour street",
    ),
    (
        "A gentle pan across the lake at sunset; ripples drift over the water and break the sun's "
        "reflection, thin clouds glide past the mountains, calm and dreamy.",
        "sunset_lake.jpg",
        "",
        121,
        "Sunset lake",
    ),
    (
        "A slow push-in toward the lighthouse at dusk; its beam sweeps across the sea, stars twinkle, waves "
        "roll in below the cliff, moody and cinematic.",
        "lighthouse_dusk.png",
        "",
        241,
        "Lighthouse, portrait",
    ),
    (
        SCHEMA.default_prompt,
        None,
        SCHEMA.default_image_url,
        SCHEMA.default_frames,
        "RunComfy's sample (URL)",
    ),
]


def _close_session(session: VisitorSession) -> None:
    session.close()


@dataclass(frozen=True)
class Page:
    """The components the events need, by name."""

    session: gr.State
    source: gr.State
    key_box: gr.Textbox
    key_use: gr.Button
    key_forget: gr.Button
    key_status: gr.Markdown
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
    status: gr.HTML
    request_id: gr.Textbox
    video: gr.Video
    facts: gr.Markdown
    download: gr.DownloadButton
    retry_download: gr.Button
    history: HistoryPage
    curl: gr.Code
    python: gr.Code
    api_in: dict[str, Any]
    api_out: list[Any]
    api_trigger: gr.Button
    examples: gr.Examples


def lay_out(t: gr.I18n, *, offline: bool) -> Page:
    """Place every component; call inside ``with gr.Blocks():``."""
    first_prompt, first_image = EXAMPLES[0][0], str(EXAMPLES_DIR / str(EXAMPLES[0][1]))
    session = gr.State(VisitorSession(), delete_callback=_close_session)
    source = gr.State(UPLOAD)
    with gr.Column(elem_id="app-header"):
        gr.Markdown(t("heading"))
        gr.Markdown(t("subtitle"))
    gr.Markdown(
        t("banner_offline" if offline else "banner_server"),
        elem_id="mode-banner",
        elem_classes=["pg-banner-offline" if offline else "pg-banner-server"],
    )
    with gr.Accordion(t("key_panel"), open=False, elem_id="key-panel"):
        gr.Markdown(t("key_info"))
        with gr.Row(equal_height=True):
            key_box = gr.Textbox(
                label=t("key_box"),
                type="password",
                placeholder=t("key_placeholder"),
                elem_id="key-box",
                scale=4,
                html_attributes=gr.InputHTMLAttributes(autocomplete="off", spellcheck=False),
            )
            key_use = gr.Button(t("key_use"), elem_id="key-use", scale=1)
            key_forget = gr.Button(t("key_forget"), elem_id="key-forget", scale=1)
        key_status = gr.Markdown(elem_id="key-status")
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, elem_id="inputs-col"):
            prompt = gr.Textbox(
                first_prompt,
                label=t("prompt"),
                placeholder=t("prompt_placeholder"),
                lines=4,
                max_lines=12,
                elem_id="prompt",
            )
            counter = gr.HTML(
                f"<span>{len(first_prompt)} / {SCHEMA.prompt_max_chars}</span>",
                elem_id="prompt-count",
                padding=False,
            )
            with gr.Tabs(selected=UPLOAD, elem_id="image-tabs") as tabs:
                with gr.Tab(t("tab_upload"), id=UPLOAD, elem_id="tab-upload") as tab_upload:
                    image = gr.Image(
                        first_image,
                        show_label=False,
                        type="filepath",
                        image_mode=None,
                        sources=["upload", "clipboard"],
                        height=300,
                        elem_id="image-upload",
                    )
                    image_check = gr.HTML(elem_id="image-check", padding=False)
                with gr.Tab(t("tab_url"), id=URL, elem_id="tab-url") as tab_url:
                    image_url = gr.Textbox(
                        label=t("image_url"), placeholder="https://…/photo.jpg", elem_id="image-url"
                    )
                    url_check = gr.HTML(elem_id="url-check", padding=False)
            with gr.Row(equal_height=True):
                seed = gr.Number(
                    SCHEMA.seed_random,
                    label=t("seed"),
                    info=t("seed_info"),
                    precision=0,
                    minimum=SCHEMA.seed_min,
                    maximum=SCHEMA.seed_max,
                    interactive=False,
                    elem_id="seed",
                    scale=3,
                    min_width=220,
                )
                random_seed = gr.Checkbox(
                    True, label=t("random"), elem_id="seed-random", scale=1, min_width=150
                )
            frames = gr.Radio(
                [(t(frames_key(f)), f) for f in SCHEMA.frames_choices],
                value=SCHEMA.default_frames,
                label=t("frames"),
                elem_id="frames",
            )
            with gr.Row():
                generate = gr.Button(t("generate"), variant="primary", elem_id="generate", scale=3)
                cancel = gr.Button(t("cancel"), variant="stop", elem_id="cancel", scale=1)
        with gr.Column(scale=6, elem_id="result-col"):
            status = gr.HTML(elem_id="status", padding=False)
            request_id = gr.Textbox(
                label=t("request_id"),
                interactive=False,
                buttons=["copy"],
                elem_id="request-id",
                placeholder="—",
            )
            video = gr.Video(
                show_label=False, autoplay=True, loop=True, interactive=False, elem_id="video", height=420
            )
            facts = gr.Markdown(elem_id="facts")
            download = gr.DownloadButton(
                t("download"), visible=False, variant="primary", elem_id="download"
            )
            retry_download = gr.Button(t("history_retry"), visible=False, elem_id="retry-download")
    # No fn here: cache_examples stays off and an example never runs a job; it only fills the form.
    examples = gr.Examples(
        [[p, str(EXAMPLES_DIR / img) if img else None, url, n] for p, img, url, n, _ in EXAMPLES],
        inputs=[prompt, image, image_url, frames],
        cache_examples=False,
        api_visibility="private",
        label=t("examples"),
        example_labels=[f"{name} · {SCHEMA.seconds_for(n)} s" for *_, n, name in EXAMPLES],
        examples_per_page=8,
    )
    history = lay_out_history(t)
    with gr.Accordion(t("api_panel"), open=False, elem_id="api-panel"):
        gr.Markdown(t("api_intro"))
        with gr.Tabs():
            with gr.Tab("cURL"):
                curl = gr.Code(language="shell", interactive=False, show_label=False, elem_id="api-curl")
            with gr.Tab("Python (httpx)"):
                python = gr.Code(language="python", interactive=False, show_label=False, elem_id="api-python")

    # The public API: one endpoint, on components of its own (plain English labels, JSON facts).
    with gr.Group(visible=False):
        api_in = {
            "prompt": gr.Textbox(label="prompt"),
            "image": gr.Image(label="image", type="filepath", image_mode=None),
            "seed": gr.Number(SCHEMA.seed_random, label="seed", precision=0),
            "frames": gr.Radio(list(SCHEMA.frames_choices), value=SCHEMA.default_frames, label="frames"),
            "image_url": gr.Textbox("", label="image_url"),
        }
        api_out = [gr.Video(label="video"), gr.JSON(label="facts")]
        api_trigger = gr.Button("generate")
    return Page(
        session=session, source=source, key_box=key_box, key_use=key_use, key_forget=key_forget,
        key_status=key_status, prompt=prompt, counter=counter, tabs=tabs, tab_upload=tab_upload,
        tab_url=tab_url, image=image, image_check=image_check, image_url=image_url, url_check=url_check,
        seed=seed, random_seed=random_seed, frames=frames, generate=generate, cancel=cancel, status=status,
        request_id=request_id, video=video, facts=facts, download=download, retry_download=retry_download,
        history=history, curl=curl, python=python,
        api_in=api_in, api_out=api_out, api_trigger=api_trigger, examples=examples,
    )
