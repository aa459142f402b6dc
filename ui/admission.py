"""Letting new visitors in one at a time, so a crowd never freezes the event loop.

Three of Gradio's routes cost a new visitor's worth of pure Python each: the page (``GET /``) and
``GET /config`` copy and rewrite the whole page config (about 120 KB) on a worker thread, and
``POST /gradio_api/queue/join`` builds the visitor's session (the config of every block, about 10 ms)
on the event loop. When a crowd arrives, dozens of these land in the same instant. The joins then
run back to back in one loop iteration, and the copies run on dozens of threads that all fight the
loop for the GIL: 40 joins at once stalled the loop for 220-480 ms, 50 config requests at once for
240-350 ms (``benchmarks/bench_load.py`` measures a crowd doing both), and every other page,
progress stream and status poll waited. :class:`TakeTurns` lets one of them into Gradio at a time;
the loop serves other work between two of them. The total is unchanged: the loop is one thread and
the GIL one lock, so these never really ran in parallel anyway.

A turn starts once the request's body is fully read (a client that sends slowly never holds it) and
ends as soon as Gradio starts its answer (a client that reads slowly never holds it either).
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

JOIN_SUFFIX = "/queue/join"
"""The end of the path of Gradio's join route (``/gradio_api/queue/join``, below any root path)."""
CONFIG_SUFFIX = "/config"
"""The end of the path of Gradio's page config route."""


def takes_turn(scope: Scope) -> bool:
    """Whether a request is one of the three a new visitor makes that cost a whole config's work."""
    if scope["type"] != "http":
        return False
    method, path = scope.get("method"), scope.get("path", "")
    if method == "POST":
        return path.endswith(JOIN_SUFFIX)
    if method == "GET":
        page = path.rstrip("/") == scope.get("root_path", "").rstrip("/")
        return page or path.endswith(CONFIG_SUFFIX)
    return False


class TakeTurns:
    """ASGI middleware: the page, its config and queue joins reach Gradio one at a time, in order.

    Mount it with ``launch(app_kwargs={"middleware": [Middleware(TakeTurns)]})``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._turn: asyncio.Lock | None = None  # made on first use, on the server's own loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass those requests through one at a time once their body is in; the rest untouched."""
        if not takes_turn(scope):
            await self.app(scope, receive, send)
            return
        first = await _whole_body(receive)
        if first["type"] != "http.request":  # the client went away mid-body: Gradio sees that, no turn
            await self.app(scope, _replay(first, receive), send)
            return
        if self._turn is None:
            self._turn = asyncio.Lock()
        turn = self._turn
        await turn.acquire()
        held = True

        async def send_then_release(message: Message) -> None:
            nonlocal held
            if held and message["type"] == "http.response.start":
                held = False
                turn.release()
            await send(message)

        try:
            await self.app(scope, _replay(first, receive), send_then_release)
        finally:
            if held:
                turn.release()


async def _whole_body(receive: Receive) -> Message:
    """The request's body as one message, or the disconnect that cut it short."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}


def _replay(first: Message, receive: Receive) -> Receive:
    """A ``receive`` that gives ``first`` once, then whatever the client sends next."""
    pending = [first]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed
