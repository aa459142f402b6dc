"""TakeTurns: the page, its config and queue joins reach Gradio one at a time; nothing else waits, and
no client can hold a turn.

The middleware is driven over HTTP through httpx's ASGI transport around a small recording app, and
at the ASGI boundary where a test needs a client that sends slowly or goes away. The load figure
(40 visitors arriving at once: the loop's worst lag in turn and all at once) is
``benchmarks/bench_load.py``'s.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

from ui.admission import TakeTurns, takes_turn

JOIN = "/gradio_api/queue/join"


class Recorder:
    """An ASGI app that echoes the body it got, counting how many requests it handles at once."""

    def __init__(self) -> None:
        self.inside = 0
        self.most_inside = 0
        self.bodies: list[bytes] = []
        self.hold: dict[str, asyncio.Event] = {}  # body text -> released before answering
        self.started: dict[str, asyncio.Event] = {}  # body text -> set once its answer has started

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.bodies.append(b"<gone>")
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        try:
            await asyncio.sleep(0.01)  # a suspension inside the handler: another request could slip in
            if body.decode() == "boom":
                raise RuntimeError("the app failed")
            self.bodies.append(body)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            self.started.setdefault(body.decode(), asyncio.Event()).set()
            held = self.hold.get(body.decode())
            if held is not None:  # answer started; the rest comes later (a slow stream, a slow reader)
                await held.wait()
            await send({"type": "http.response.body", "body": body})
        finally:
            self.inside -= 1


def in_a_loop(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    """Run an async test body in a fresh event loop."""

    @functools.wraps(test)
    def run() -> None:
        asyncio.run(test())

    return run


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app")


@in_a_loop
async def test_joins_reach_gradio_one_at_a_time_with_their_own_body() -> None:
    inner = Recorder()
    async with client_for(TakeTurns(inner)) as http:
        replies = await asyncio.gather(*(http.post(JOIN, content=json.dumps({"n": n})) for n in range(12)))
    assert [r.status_code for r in replies] == [200] * 12
    assert [json.loads(r.content)["n"] for r in replies] == list(range(12))  # each its own body back
    assert inner.most_inside == 1
    assert sorted(json.loads(b)["n"] for b in inner.bodies) == list(range(12))


@in_a_loop
async def test_the_page_its_config_and_joins_share_one_turn() -> None:
    inner = Recorder()
    async with client_for(TakeTurns(inner)) as http:
        calls = [http.get("/"), http.get("/config"), http.post(JOIN, content=b"{}")] * 4
        replies = await asyncio.gather(*calls)
    assert {r.status_code for r in replies} == {200}
    assert inner.most_inside == 1


@in_a_loop
async def test_everything_else_goes_through_side_by_side() -> None:
    inner = Recorder()
    async with client_for(TakeTurns(inner)) as http:
        calls = [http.get("/gradio_api/info"), http.post("/gradio_api/upload", content=b"x"),
                 http.get("/assets/index.js"), http.get(JOIN), http.post("/config", content=b"y"),
                 http.post("/gradio_api/queue/joined", content=b"z")] * 3
        replies = await asyncio.gather(*calls)
    assert {r.status_code for r in replies} == {200}
    assert inner.most_inside > 1


@pytest.mark.parametrize(("method", "path", "root", "turn"), [
    ("GET", "/", "", True),
    ("GET", "", "", True),
    ("GET", "/app/", "/app", True),  # behind a proxy that serves the app below a root path
    ("GET", "/config", "", True),
    ("GET", "/app/config", "/app", True),
    ("POST", "/gradio_api/queue/join", "", True),
    ("POST", "/", "", False),
    ("GET", "/gradio_api/queue/data", "", False),
    ("GET", "/gradio_api/info", "", False),
    ("GET", "/assets/", "", False),
    ("GET", "/gradio_api/file=/tmp/config", "", True),  # ends like the config route: a turn, no harm
])
def test_which_requests_take_a_turn(method: str, path: str, root: str, turn: bool) -> None:
    scope = {"type": "http", "method": method, "path": path, "root_path": root}
    assert takes_turn(scope) is turn
    assert takes_turn({**scope, "type": "websocket"}) is False


@in_a_loop
async def test_the_turn_ends_when_the_answer_starts() -> None:
    inner = Recorder()
    inner.hold["first"], inner.started["first"] = asyncio.Event(), asyncio.Event()
    async with client_for(TakeTurns(inner)) as http:
        first = asyncio.create_task(http.post(JOIN, content=b"first"))
        await asyncio.wait_for(inner.started["first"].wait(), 10)
        # The first answer has started and waits; the second join must get its turn meanwhile.
        second = await asyncio.wait_for(http.post(JOIN, content=b"second"), 10)
        inner.hold["first"].set()
        assert (await asyncio.wait_for(first, 10)).content == b"first"
    assert second.content == b"second"


@in_a_loop
async def test_a_client_sending_slowly_never_holds_the_turn() -> None:
    inner = Recorder()
    middleware = TakeTurns(inner)
    trickle = asyncio.Event()
    sent: list[dict[str, Any]] = []

    async def slow_receive() -> dict[str, Any]:
        if not trickle.is_set():
            await trickle.wait()
            return {"type": "http.request", "body": b"slow ", "more_body": True}
        return {"type": "http.request", "body": b"body", "more_body": False}

    async def collect(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": JOIN, "headers": []}
    slow = asyncio.create_task(middleware(scope, slow_receive, collect))
    await asyncio.sleep(0.02)  # the slow client has begun; its body is still on the way
    async with client_for(middleware) as http:
        quick = await asyncio.wait_for(http.post(JOIN, content=b"quick"), 10)
    assert quick.content == b"quick"
    trickle.set()
    await asyncio.wait_for(slow, 10)
    assert [m.get("body") for m in sent if m["type"] == "http.response.body"] == [b"slow body"]


@in_a_loop
async def test_a_client_gone_mid_body_reaches_gradio_as_gone_and_takes_no_turn() -> None:
    inner = Recorder()
    middleware = TakeTurns(inner)
    messages = [{"type": "http.request", "body": b"half", "more_body": True}, {"type": "http.disconnect"}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("nothing is sent to a client that left")

    scope = {"type": "http", "method": "POST", "path": JOIN, "headers": []}
    await asyncio.wait_for(middleware(scope, receive, send), 10)
    assert inner.bodies == [b"<gone>"]
    async with client_for(middleware) as http:
        assert (await asyncio.wait_for(http.post(JOIN, content=b"next"), 10)).content == b"next"


@in_a_loop
async def test_a_failing_join_gives_the_turn_back() -> None:
    inner = Recorder()
    middleware = TakeTurns(inner)
    async with client_for(middleware) as http:
        with pytest.raises(RuntimeError, match="the app failed"):
            await http.post(JOIN, content=b"boom")
        assert (await asyncio.wait_for(http.post(JOIN, content=b"after"), 10)).content == b"after"
