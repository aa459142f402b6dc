"""Launch ``app.py`` as a new user would, on loopback against the stand-in; launch Debian's Chromium.

Shared by the test files that need the real app in a subprocess (``tests/app/``: ``test_app_e2e``,
``test_restart``, ``test_reliability`` and, through it, ``test_hostile``, ``test_secrets`` and the load
and fault benchmarks; ``tests/ui/test_history``) and by ``benchmarks/bench_app_start.py``
(:func:`free_port`, :func:`stop`).

Every launch gets a free loopback port, its own folders under ``home`` and ``home`` as its working
folder (empty, so no developer's ``.env`` is read), and never this shell's ``SPACE_ID`` or
``RUNCOMFY_*``: a real key must never reach a test, and the app must not think it runs on a Space.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's; never a browser downloaded by Playwright
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHROMIUM_MISSING = "Debian's Chromium is not installed: apt-get install -y chromium"


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    """Poll ``check`` until it is truthy (returned) or ``timeout`` passes (AssertionError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def stop(
    process: subprocess.Popen[Any], grace: float = 10.0, ask: Callable[[], object] | None = None
) -> None:
    """Ask ``process`` to end (``ask``, SIGTERM by default), wait ``grace`` seconds, then SIGKILL it."""
    if process.poll() is not None:
        return
    (ask or process.terminate)()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def app_environment(
    home: Path,
    *,
    base_url: str | None,
    server_key: str | None,
    hourly_limit: int,
    inherit: Collection[str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of an app with its folders under ``home``, as a Space gives settings and secrets.

    :func:`start_app` adds the port. ``inherit`` names the variables taken from this process (None:
    all but ``SPACE_ID`` and ``RUNCOMFY_*``). ``base_url`` None points the app nowhere (with no key
    too: the offline preview); ``extra`` is applied last, so it may override anything.
    """
    if inherit is None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RUNCOMFY_") and k != "SPACE_ID"}
    else:
        env = {k: v for k, v in os.environ.items() if k in inherit}
    env.update({
        "RUNCOMFY_OUTPUT_DIR": str(home / "outputs"),
        "RUNCOMFY_DATA_DIR": str(home / "data"),
        "RUNCOMFY_HOURLY_LIMIT": str(hourly_limit),
        "GRADIO_TEMP_DIR": str(home / "gradio"),
        "GRADIO_ANALYTICS_ENABLED": "False",
    })
    if base_url:
        env["RUNCOMFY_BASE_URL"] = base_url
    if server_key:
        env["RUNCOMFY_API_TOKEN"] = server_key
    env.update(extra or {})
    return env


@dataclass
class RunningApp:
    """One started app process: its URL, its folder, its log (appended to across restarts)."""

    url: str
    home: Path
    log: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the app's log, for a failure message."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def start_app(
    home: Path,
    env: Mapping[str, str],
    *,
    args: list[str] | None = None,
    timeout: float = 60.0,
    every: float = 0.1,
    probe_timeout: float = 1.0,
) -> RunningApp:
    """Start ``python app.py`` (or ``python *args``) in ``home`` with ``env`` (see :func:`app_environment`).

    Returns once ``/`` answers 200, polled every ``every`` s with ``probe_timeout`` per request. A new
    port each time: a killed server's sockets may linger on the old one. If the app exits or does not
    answer within ``timeout``, it is stopped and an AssertionError carries the end of its log.
    """
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    full = {**env, "GRADIO_SERVER_PORT": str(port)}
    log = home / "app.log"
    with log.open("ab") as out:  # the child keeps its own handle
        process = subprocess.Popen([sys.executable, *(args or [str(APP)])], cwd=home, env=full,
                                   stdout=out, stderr=subprocess.STDOUT)
    app = RunningApp(f"http://127.0.0.1:{port}/", home, log, process)

    def up() -> bool:
        assert process.poll() is None, app.log_tail()
        try:
            return httpx.get(app.url, timeout=probe_timeout).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, timeout, "the app to start", every=every)
    except BaseException:
        stop(process)
        raise
    return app


@contextmanager
def running_app(home: Path, env: Mapping[str, str], **options: Any) -> Iterator[RunningApp]:
    """:func:`start_app` for the ``with`` block; the app is stopped (SIGTERM, then SIGKILL) after it."""
    app = start_app(home, env, **options)
    try:
        yield app
    finally:
        stop(app.process)


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium through Playwright (headless), with the flags this machine needs.

    Missing is a test failure naming the fix, never a skip: a skipped browser test proves nothing.
    """
    if not CHROMIUM.exists():
        pytest.fail(CHROMIUM_MISSING, pytrace=False)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


@contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright session with Debian's Chromium (:func:`launch_chromium`), closed after the block."""
    if not CHROMIUM.exists():  # before importing Playwright, so the message names the real problem
        pytest.fail(CHROMIUM_MISSING, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()
