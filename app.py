"""The playground: read the settings, open the job history, build the page, launch it.

``python app.py`` serves it on http://127.0.0.1:7860 (``GRADIO_SERVER_PORT`` picks another port).
On a Hugging Face Space (``SPACE_ID`` is set there) it listens on all interfaces and tells visitors
apart by the proxy's ``X-Forwarded-For``. With no ``RUNCOMFY_API_TOKEN`` it runs the offline preview.

The job history lives in ``RUNCOMFY_DATA_DIR`` (``/data`` on a Space with persistent storage, else
``./data``). A damaged or locked database does not stop the app: the history is off, with a banner.
Each browser sees only its own jobs when the app is shared: on a Space, or with
``RUNCOMFY_SHARED=1`` (``RUNCOMFY_SHARED=0`` makes a private Space show every job, CLI ones too).
Unfinished jobs are followed again in the background as soon as the server starts.
"""

from __future__ import annotations

import gc
import os

from client import Settings, open_store
from ui import build_app, launch_options


def _flag(value: str | None, *, default: bool) -> bool:
    """A yes/no environment value ('1', 'true', 'yes', 'on' / '0', 'false', 'no', 'off')."""
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def main() -> None:
    """Build and serve the app until interrupted."""
    settings = Settings.load()
    on_space = bool(os.environ.get("SPACE_ID"))
    shared = _flag(os.environ.get("RUNCOMFY_SHARED"), default=on_space)
    store = open_store(settings.data_dir)  # a NullStore (history off, one warning) if unusable
    # A Space with `hf_oauth: true` in its card gets OAUTH_CLIENT_ID from Hugging Face: offer sign-in.
    sign_in = on_space and bool(os.environ.get("OAUTH_CLIENT_ID"))
    app = build_app(settings, behind_proxy=on_space, store=store, shared=shared, sign_in=sign_in)
    # Everything built so far lives as long as the app: keep it out of the collector's full passes,
    # which otherwise stall the event loop for 150-400 ms now and then under load. Garbage from the
    # build is collected first, or it would be frozen (kept) for the app's whole life.
    gc.collect()
    gc.freeze()
    app.demo.launch(**launch_options(settings, on_space=on_space, app=app))


if __name__ == "__main__":
    main()
