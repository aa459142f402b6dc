"""The line under Generate: what the chosen length costs at RunComfy's live price, and today's spend.

It is looked at again when the length changes, when a key is used or forgotten (another key, another
price or none), and when a run ends (today's spend moved). Offline it stays empty: nothing is billed.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ui.form_panel import FormPanel
from ui.handlers import Playground
from ui.key_panel import KeyPanel
from ui.options import PRIVATE
from ui.result_panel import ResultEvents
from ui.session import VisitorSession


class EstimateHandlers:
    """The estimate line, bound to a page's :class:`Playground` (its money, routes and language)."""

    def __init__(self, play: Playground) -> None:
        self.play = play

    async def line(self, frames: Any, session: VisitorSession, owner: Any, request: gr.Request) -> str:
        """"≈ $0.70 for 5 s · today: 3 videos, $2.10" for this visitor's key ("" offline or unpriced)."""
        money = self.play.money
        if money is None:
            return ""
        route = self.play.route(session.key if session is not None else None)
        return await money.estimate_line(route, frames, owner, self.play.language(request))


def wire_estimate(form: FormPanel, key: KeyPanel, ran: ResultEvents, *, session: gr.State, owner: Any,
                  handlers: EstimateHandlers, demo: gr.Blocks) -> None:
    """Fill the line on load, and again on each change that moves it."""
    look: dict[str, Any] = {"fn": handlers.line, "inputs": [form.frames, session, owner],
                            "outputs": form.estimate, **PRIVATE}
    demo.load(**look)
    form.frames.change(**look)
    key.status.change(**look)
    for ended in (ran.run, ran.stop):
        ended.then(**look)
