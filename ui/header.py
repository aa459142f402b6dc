"""The top of the page: the title, the subtitle, and the banner saying which key the app runs on."""

from __future__ import annotations

import gradio as gr


def place_header(t: gr.I18n, *, offline: bool) -> None:
    """Place the heading and the mode banner (offline preview or the app's key); nothing to wire."""
    with gr.Column(elem_id="app-header"):
        gr.Markdown(t("heading"))
        gr.Markdown(t("subtitle"))
    gr.Markdown(
        t("banner_offline" if offline else "banner_server"),
        elem_id="mode-banner",
        elem_classes=["pg-banner-offline" if offline else "pg-banner-server"],
    )
