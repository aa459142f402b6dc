"""Calls to the page's events by hand: shaped like the page's own, or refused with one log line.

Gradio runs any event by name (``/gradio_api/call/<name>``) or by number (``/gradio_api/queue/join``),
private ones included: that is its meaning of private (left out of the API page, still callable).
What a browser sends always fits the event; a hand-made call may not, and Gradio then prints a
traceback for each one (too few values, a word where a number goes, a select event with no
selection). This middleware checks the shape first, from the page's own config: as many values as
the event has inputs, each of a kind its component takes, and the selection a select event needs.
A misfit gets a 422 and one warning line, before Gradio sees it. What a well-shaped call may read
or change is the handlers' business: they check the owner id on every job (``ui.history``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import gradio as gr
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024 * 1024  # a call's JSON holds file references, never the files themselves
_NUMBER = (int, float)


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, _NUMBER) and not isinstance(value, bool))


# What each kind of input takes from a hand-made call (kinds not listed take anything Gradio does).
_TAKES: dict[str, Callable[[Any], bool]] = {
    "number": _is_number,
    "checkbox": lambda v: v is None or isinstance(v, bool),
    "textbox": lambda v: v is None or isinstance(v, str),
    "image": lambda v: v is None or isinstance(v, (str, dict)),
}


class Shapes:
    """Each backend event of a page, by name and by number: its inputs' kinds, and whether it is a select."""

    def __init__(self, blocks: gr.Blocks) -> None:
        self.blocks = blocks
        self._events: dict[Any, dict[str, Any]] | None = None

    def event(self, key: Any) -> dict[str, Any] | None:
        """The event called ``key`` (its api_name) or numbered ``key`` (its fn_index)."""
        if self._events is None:  # read once the page is built, on the first call
            config = self.blocks.config or {}
            components = {c["id"]: c for c in config.get("components", [])}
            events: dict[Any, dict[str, Any]] = {}
            for dep in config.get("dependencies", []):
                shape = {
                    "name": dep.get("api_name") or str(dep.get("id")),
                    "inputs": [components.get(i, {}) for i in dep.get("inputs", [])],
                    "select": any(trigger == "select" for _, trigger in dep.get("targets", [])),
                }
                events[dep.get("id")] = events[dep.get("api_name")] = shape
            self._events = events
        return self._events.get(key)

    def problem(self, event: dict[str, Any], body: Any, *, by_name: bool) -> str | None:
        """Why ``body`` does not fit ``event``, or None. ``by_name``: called as ``/call/<name>``, which
        carries no selection (only the page's queue join does)."""
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            return "no list of values"
        if len(data) != len(event["inputs"]):
            return f"{len(data)} values for {len(event['inputs'])} inputs"
        for position, (component, value) in enumerate(zip(event["inputs"], data, strict=True)):
            kind = component.get("type", "")
            if kind == "dataset":  # an example's (index, value): the index must be one of its samples
                samples = component.get("props", {}).get("samples") or []
                if not (isinstance(value, list) and value and isinstance(value[0], int)
                        and not isinstance(value[0], bool) and 0 <= value[0] < len(samples)):
                    return f"value {position + 1} is not an example"
            elif kind == "radio":
                choices = [choice[1] for choice in component.get("props", {}).get("choices", [])]
                if value is not None and value not in choices:
                    return f"value {position + 1} is not one of the choices"
            elif not _TAKES.get(kind, lambda _: True)(value):
                return f"value {position + 1} does not fit a {kind}"
        if event["select"]:
            selected = None if by_name else body.get("event_data")
            if not isinstance(selected, dict) or "index" not in selected:
                return "a select event with no selection"
        return None


def _event_key(path: str, body: Any) -> Any:
    """The event a call names: ``/call/<name>`` or ``/run/<name>``, or ``fn_index`` of a queue join."""
    for marker in ("/gradio_api/call/", "/gradio_api/run/"):
        if marker in path:
            return path.split(marker, 1)[1].strip("/").split("/", 1)[0]
    return body.get("fn_index") if isinstance(body, dict) else None


def _guarded(scope: Scope) -> bool:
    path = scope.get("path", "")
    return scope["type"] == "http" and scope.get("method") == "POST" and (
        path.endswith("/gradio_api/queue/join") or "/gradio_api/call/" in path or "/gradio_api/run/" in path)


class CheckCalls:
    """ASGI middleware: a call that does not fit its event gets a 422 and one log line.

    Mount it with ``launch(app_kwargs={"middleware": [Middleware(CheckCalls, blocks=demo)]})``.
    """

    def __init__(self, app: ASGIApp, blocks: gr.Blocks) -> None:
        self.app = app
        self.shapes = Shapes(blocks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check a call's shape; pass it on, with its body as it came, when it fits."""
        if not _guarded(scope):
            await self.app(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False) and size <= MAX_BODY
        raw = b"".join(chunks)
        problem, name = self._judge(scope["path"], raw)
        if problem is not None:
            log.warning("refused a call to %s: %s", name, problem)
            await JSONResponse({"error": f"this call does not fit {name}: {problem}"}, status_code=422)(
                scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app(scope, replay, send)

    def _judge(self, path: str, raw: bytes) -> tuple[str | None, str]:
        """(why the call does not fit, the event's name); None when it fits or is not ours to judge."""
        if len(raw) > MAX_BODY:
            return "too large", "?"
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return "not JSON", "?"
        key = _event_key(path, body)
        event = self.shapes.event(key)
        if event is None:
            return None, str(key)  # unknown: Gradio answers it itself, without a traceback
        return self.shapes.problem(event, body, by_name=not path.endswith("/queue/join")), event["name"]
