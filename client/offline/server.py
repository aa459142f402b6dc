"""Serving the stand-in over real HTTP: :func:`serve` (blocking) and :class:`OfflineServer` (a thread).

Both bind loopback by default: the stand-in accepts any token, so it should not be reachable
from other machines.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import uvicorn

from client.offline.app import create_app
from client.offline.config import OfflineConfig
from client.offline.faults import FaultRule, install_drop_filter

logger = logging.getLogger("client.offline")


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    config: OfflineConfig | None = None,
    *,
    files_dir: Path | None = None,
    log_level: str = "info",
) -> None:
    """Serve the stand-in with uvicorn until interrupted (``python -m client serve-offline``).

    The API is then at ``http://{host}:{port}/v1``.
    """
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        logger.warning("the offline stand-in accepts any token; %s is reachable beyond this machine", host)
    app = create_app(config, files_dir=files_dir)
    install_drop_filter()
    uvicorn.run(app, host=host, port=port, log_level=log_level, lifespan="on")


def _jsonable(value: Any) -> Any:
    if isinstance(value, FaultRule):
        return value.to_json()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return value


class OfflineServer:
    """The stand-in on ``127.0.0.1`` and a free port, in a background thread.

    Use as a context manager; ``base_url`` is the API base (``http://127.0.0.1:PORT/v1``),
    ``url`` the server root. ``configure``/``stats``/``reset`` talk to the admin endpoints over
    HTTP, so they are safe to call from any thread.
    """

    def __init__(self, config: OfflineConfig | None = None, *, files_dir: Path | None = None) -> None:
        self.app = create_app(config, files_dir=files_dir)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The server root, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base URL a client is given."""
        return f"{self.url}/v1"

    def start(self, timeout: float = 10.0) -> OfflineServer:
        """Bind, start serving and wait until the server accepts connections."""
        # Binding here (port 0) tells us the port before uvicorn starts; uvicorn serves this socket.
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto
        # is TCP, and a socket made with proto 0 gives every keep-alive request a 40 ms
        # Nagle/delayed-ACK stall.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._sock = sock  # uvicorn serves this very socket object; closed after the server stops
        # log_config=None: do not reconfigure the host program's logging (pytest's, a benchmark's).
        config = uvicorn.Config(
            self.app, lifespan="on", log_config=None, log_level="warning", timeout_graceful_shutdown=2
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="offline-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the offline stand-in did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for the thread (runs the lifespan shutdown)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None

    def __enter__(self) -> OfflineServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.request(method, f"{self.url}/_offline/{path}", json=body, timeout=10.0)
        response.raise_for_status()
        return response.json()

    def configure(self, **knobs: Any) -> dict[str, Any]:
        """Update knobs (names of :class:`OfflineConfig` fields, or ``outage_seconds``)."""
        unknown = set(knobs) - {f.name for f in dataclasses.fields(OfflineConfig)} - {"outage_seconds"}
        if unknown:
            raise TypeError(f"unknown knobs: {', '.join(sorted(unknown))}")
        return self._admin("POST", "config", {k: _jsonable(v) for k, v in knobs.items()})

    def stats(self) -> dict[str, Any]:
        """Counters and jobs, as ``GET /_offline/stats`` answers them."""
        return self._admin("GET", "stats")

    def reset(self) -> None:
        """Initial knobs, no faults, zero counters, no jobs."""
        self._admin("POST", "reset")
