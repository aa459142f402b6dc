"""The pieces of variations placed in the form and the result column: how many, and the grid.

(The handlers and wiring are in :mod:`ui.variations_panel`, which needs both panels.)
"""

from __future__ import annotations

from html import escape
from typing import Any

import gradio as gr

from ui.messages import msg

# Once every video of the grid can play, start them together from the first frame.
IN_STEP_JS = """
const together = () => {
  const videos = [...element.querySelectorAll('video')];
  if (!videos.length || !videos.every((v) => v.readyState >= 3)) return;
  videos.forEach((v) => { v.currentTime = 0; v.play().catch(() => {}); });
};
new MutationObserver(() => element.querySelectorAll('video').forEach((v) => {
  if (!v.dataset.watched) { v.dataset.watched = '1'; v.addEventListener('canplay', together); }
})).observe(element, {childList: true, subtree: true});
"""


def place_variations_count(t: gr.I18n) -> gr.Radio:
    """How many seeds to try at once (1 to 4); call in the form's length row."""
    return gr.Radio([1, 2, 3, 4], value=1, label=t("variations"), elem_id="variations")


def place_variations_grid(t: gr.I18n) -> tuple[gr.HTML, gr.Radio]:
    """The grid of players and the "Keep" choice; call in the result column."""
    grid = gr.HTML(elem_id="variations-grid", js_on_load=IN_STEP_JS, padding=False)
    keep = gr.Radio([], label=t("variations_keep"), visible=False, elem_id="variations-keep")
    return grid, keep


def grid_html(lives: list[Any], videos: list[str | None], states: list[str], lang: str) -> str:
    """One figure per variation: its player once its video is here, its seed and its state."""
    cells = []
    for i, (live, video, state) in enumerate(zip(lives, videos, states, strict=True)):
        label = escape(msg(lang, "variation_label", n=i + 1, seed=live.request.seed, state=state))
        player = (f'<video src="/gradio_api/file={escape(video)}" muted loop playsinline autoplay></video>'
                  if video else '<div class="pg-var-wait"></div>')
        cells.append(f'<figure class="pg-var">{player}<figcaption>{label}</figcaption></figure>')
    return f'<div class="pg-var-grid">{"".join(cells)}</div>'
