"""What a person sees: the Gradio page, its panels, its handlers and its texts. Gradio only.

``build_app(settings, ...)`` returns the page (``App.demo``, a ``gr.Blocks``) without starting
anything; ``launch_options(settings, on_space=..., app=...)`` gives the safe ``launch()`` arguments.
Talks to ``client`` through its face only; never imports httpx, sqlite3 or PyAV.
"""

from ui.build import App, build_app, build_demo, launch_options

__all__ = ["App", "build_app", "build_demo", "launch_options"]
