"""The offline stand-in of RunComfy's Model API for this model: same HTTP contract, real MP4s.

The client reaches it only over HTTP, either in-process::

    app = create_app(OfflineConfig(queue_s=0.5, run_s=1.0))
    httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://offline.invalid/v1")

or on loopback (:func:`serve`, :class:`OfflineServer`). Nothing here imports gradio or the
client's HTTP code.
"""

from client.offline.app import create_app
from client.offline.config import OfflineConfig
from client.offline.faults import ENDPOINTS, KINDS, ConnectionDropped, FaultRule
from client.offline.fetch import FetchError, fetch_image
from client.offline.jobs import token_fingerprint
from client.offline.render import output_size, render_preview
from client.offline.server import OfflineServer, serve

__all__ = [
    "ENDPOINTS",
    "KINDS",
    "ConnectionDropped",
    "FaultRule",
    "FetchError",
    "OfflineConfig",
    "OfflineServer",
    "create_app",
    "fetch_image",
    "output_size",
    "render_preview",
    "serve",
    "token_fingerprint",
]
