"""The playground: read the settings, build the page, launch it.

``python app.py`` serves it on http://127.0.0.1:7860 (``GRADIO_SERVER_PORT`` picks another port).
On a Hugging Face Space (``SPACE_ID`` is set there) it listens on all interfaces and tells visitors
apart by the proxy's ``X-Forwarded-For``. With no ``RUNCOMFY_API_TOKEN`` it runs the offline preview.
"""

from __future__ import annotations

import os

from client import Settings
from ui import build_demo, launch_options


def main() -> None:
    """Build and serve the app until interrupted."""
    settings = Settings.load()
    on_space = bool(os.environ.get("SPACE_ID"))
    demo = build_demo(settings, behind_proxy=on_space)
    demo.launch(**launch_options(settings, on_space=on_space))


if __name__ == "__main__":
    main()
