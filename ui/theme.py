"""The page's theme: Gradio's Soft theme in indigo, with every text colour dark enough for WCAG AA.

Soft's own indigo-500 labels and buttons sit at 3.6:1 to 4.46:1 against their backgrounds and its
grey hints at 2.4:1; AA asks 4.5:1 for normal text. One shade darker (600/700/800) passes everywhere
and keeps the look. ``tests/ui/test_accessibility.py`` keeps it so with axe-core.
"""

from __future__ import annotations

import gradio as gr


def page_theme() -> gr.themes.Base:
    """The theme of every page this app serves (the CSS beside it, theme.css, does the layout)."""
    return gr.themes.Soft(primary_hue="indigo", secondary_hue="rose").set(
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
        button_primary_background_fill_dark="*primary_600",
        checkbox_label_background_fill_selected="*primary_600",
        checkbox_label_background_fill_selected_dark="*primary_600",
        block_label_text_color="*primary_800",
        block_title_text_color="*primary_800",
        block_label_text_color_dark="*primary_100",
        block_title_text_color_dark="*primary_100",
        color_accent="*primary_600",
        body_text_color_subdued="*neutral_600",
        body_text_color_subdued_dark="*neutral_300",
        input_placeholder_color="*neutral_500",
    )
