"""What a person sees: the Gradio page, its handlers and its texts.

``build_demo(settings, client=None, real_client=None)`` returns the ``gr.Blocks`` without starting
anything; ``launch_options(settings, on_space=...)`` gives the safe ``launch()`` arguments.
Never imports httpx; talks to ``client`` through its public names only.
"""

from ui.build import build_demo, launch_options

__all__ = ["build_demo", "launch_options"]
