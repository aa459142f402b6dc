"""The top of the page: the title, the subtitle, and the banner saying which key the app runs on."""

from __future__ import annotations

import gradio as gr

from ui.options import QUICK

# The browser tab's title in the page's language: the heading is translated by Gradio in the browser,
# while Blocks(title=...) is one fixed string, so the tab takes the heading's words once it is drawn.
TAB_TITLE_JS = """() => {
  const heading = document.querySelector('#app-header h1');
  if (heading && heading.innerText.trim()) document.title = heading.innerText.trim();
  return [];
}"""


def place_header(t: gr.I18n, *, offline: bool, sign_in: bool = False) -> None:
    """Place the heading and the mode banner (offline preview or the app's key); with ``sign_in``
    (a Space with Hugging Face OAuth), the "Sign in with Hugging Face" button."""
    with gr.Column(elem_id="app-header"):
        gr.Markdown(t("heading"))
        gr.Markdown(t("subtitle"))
        if sign_in:
            gr.LoginButton(elem_id="sign-in", size="sm")
    gr.Markdown(
        t("banner_offline" if offline else "banner_server"),
        elem_id="mode-banner",
        elem_classes=["pg-banner-offline" if offline else "pg-banner-server"],
    )


def wire_header(demo: gr.Blocks) -> None:
    """Give the browser tab the heading's title, in the page's language (in the browser only)."""
    demo.load(None, js=TAB_TITLE_JS, **QUICK)
