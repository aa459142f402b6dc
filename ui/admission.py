"""Letting new visitors into Gradio's queue one at a time, so a crowd never freezes the event loop.

Gradio builds a visitor's session (the config of every block on the page, about 10 ms of pure
Python on the event loop here) inside the request that joins the queue, ``POST
/gradio_api/queue/join``. When a crowd arrives, many joins become ready in the same instant and the
loop runs them back to back in a single iteration: 20 of them kept every other page, progress stream
and status poll waiting for 200-300 ms (measured in ``benchmarks/bench_load.py``).
:class:`JoinsInTurn` lets one join at a time into Gradio; the loop serves other work between two of
them. Nothing gets slower overall: the loop is one thread, so the joins never ran in parallel anyway.

A turn starts once the request's body is fully read (a client that sends slowly never holds the
turn) and ends as soon as Gradio starts its answer (a client that reads slowly never holds it either).
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

JOIN_SUFFIX = "/queue/join"
"""The end of the path of Gradio's join route (``/gradio_api/queue/join``, below any root path)."""


class JoinsInTurn:
    """ASGI middleware: ``POST …/queue/join`` requests reach Gradio one at a time, in arrival order.

    Mount it with ``launch(app_kwargs={"middleware": [Middleware(JoinsInTurn)]})``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._turn: asyncio.Lock | None = None  # made on first use, on the server's own loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass joins through one at a time once their body is in; everything else untouched."""
        if not (scope["type"] == "http" and scope.get("method") == "POST"
                and scope.get("path", "").endswith(JOIN_SUFFIX)):
            await self.app(scope, receive, send)
            return
        body, ended = await _read_body(receive)
        if not ended:  # the client went away mid-body: let Gradio see that, no turn needed
            await self.app(scope, _replay(body, receive, complete=False), send)
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
            await self.app(scope, _replay(body, receive, complete=True), send_then_release)
        finally:
            if held:
                turn.release()


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole request body, and whether it arrived complete (False: the client disconnected)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, receive: Receive, *, complete: bool) -> Receive:
    """A ``receive`` that gives the buffered body once, then whatever the client sends next."""
    pending = [{"type": "http.request", "body": body, "more_body": False}] if complete else []

    async def replayed() -> Message:
        if pending:
            return pending.pop()
        if not complete:
            return {"type": "http.disconnect"}
        return await receive()

    return replayed
