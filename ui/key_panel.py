"""The "Your RunComfy key" panel: a visitor brings their own key, kept in their server-side session only.

The key never reaches the page again (the box is emptied at once), the browser's storage, the logs
or the API description; it lives in the tab's :class:`~ui.session.VisitorSession` and is forgotten
when the tab goes away.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from client import Secret
from ui.handlers import Playground
from ui.messages import msg
from ui.options import QUICK
from ui.session import VisitorSession


@dataclass(frozen=True)
class KeyPanel:
    """The key panel's components."""

    box: gr.Textbox
    use: gr.Button
    forget: gr.Button
    status: gr.Markdown


def place_key_panel(t: gr.I18n) -> KeyPanel:
    """Place the key accordion (closed); call inside ``with gr.Blocks():``."""
    with gr.Accordion(t("key_panel"), open=False, elem_id="key-panel"):
        gr.Markdown(t("key_info"))
        with gr.Row(equal_height=False, elem_classes=["pg-inline"]):
            box = gr.Textbox(
                label=t("key_box"),
                type="password",
                placeholder=t("key_placeholder"),
                elem_id="key-box",
                scale=4,
                min_width=200,
                html_attributes=gr.InputHTMLAttributes(autocomplete="off", spellcheck=False),
            )
            use = gr.Button(t("key_use"), elem_id="key-use", scale=0, min_width=120)
            forget = gr.Button(t("key_forget"), elem_id="key-forget", scale=0, min_width=120)
        status = gr.Markdown(elem_id="key-status")
    return KeyPanel(box, use, forget, status)


class KeyHandlers:
    """Keeping and forgetting a visitor's key (the Playground gives the language and the mode)."""

    def __init__(self, play: Playground) -> None:
        self.play = play

    async def set_key(self, key: str, session: VisitorSession, request: gr.Request) -> tuple[str, str]:
        """Keep a visitor's key in their server-side session only; the box is emptied at once.

        Then the key's RunComfy balance is read once and shown beside it (when it can be).
        """
        lang = self.play.language(request)
        if not key or not key.strip():
            return "", msg(lang, "key_empty")
        session.key = Secret(key)
        said = msg(lang, "key_set")
        if self.play.money is not None:
            balance = await self.play.money.balance_text(self.play.route(session.key), lang)
            said = f"{said} {balance}".strip()
        return "", said

    def forget_key(self, session: VisitorSession, request: gr.Request) -> tuple[str, str]:
        """Drop the visitor's key: generations go back to the server's key or the offline preview."""
        lang = self.play.language(request)
        session.key = None
        return "", msg(lang, "key_forgotten", mode=self.play.mode_label(self.play.route(None), lang))


def wire_key_panel(panel: KeyPanel, session: gr.State, handlers: KeyHandlers) -> None:
    """Use (button or Enter) and Forget; both empty the box and say what happened."""
    shown = {"outputs": [panel.box, panel.status], **QUICK}
    panel.use.click(handlers.set_key, inputs=[panel.box, session], **shown)
    panel.box.submit(handlers.set_key, inputs=[panel.box, session], **shown)
    panel.forget.click(handlers.forget_key, inputs=[session], **shown)
