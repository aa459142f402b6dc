"""The offline stand-in of RunComfy's Model API as a Starlette app (routes and their answers).

Same HTTP contract as ``shared/runcomfy-api.md``: submit, status, result, cancel and the model card
under ``/v1`` with a Bearer token, the balance under ``/prod/v2`` (the account host's path, see
:mod:`.money`), error bodies ``{"error_code", "error_message"}``, absolute URLs built from
the request's own base URL (so they work in-process and on loopback alike), and the rendered
MP4 under ``/files/`` without auth, like a public CDN. ``/_offline/`` holds the admin calls
(stats, config, reset) for tests and benchmarks; they need no token.

Works without lifespan events (``httpx.ASGITransport`` sends none): everything is built in
:func:`create_app`; the lifespan only installs a log filter and cleans up early, and a
finalizer cleans up otherwise.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from client.dreamina import SCHEMA
from client.offline import faults
from client.offline.admin import admin_config, admin_reset, admin_stats
from client.offline.config import OfflineConfig
from client.offline.jobs import Clock, Job
from client.offline.money import balance, job_cost, model_card, short_of
from client.offline.state import OfflineState, caller, error, state_of, unauthorized
from client.offline.validate import InputInvalid, validate_input

MAX_BODY_BYTES = 64 * 1024 * 1024  # RunComfy's documented request cap
_RESULT_STATES = {"completed": "succeeded"}  # the result endpoint spells success differently


Handler = Callable[[Request, OfflineState], Awaitable[Response]]


def _endpoint(name: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Count the call, then apply an outage or a fault before (or, for drop_after_submit, after) it."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def route(request: Request) -> Response:
            st = state_of(request)
            st.calls[name] += 1
            if name != "video" and st.in_outage():
                return faults.DroppedResponse(request)
            rule = st.plan.pick(name)
            if rule is not None and rule.kind != faults.AFTER_HANDLING:
                return faults.fault_response(rule, request)
            response = await handler(request, st)
            return faults.DroppedResponse(request) if rule is not None else response

        return route

    return wrap


def _urls(request: Request, request_id: str) -> dict[str, str]:
    base = f"{str(request.base_url).rstrip('/')}/v1/requests/{request_id}"
    return {"status_url": f"{base}/status", "result_url": f"{base}/result", "cancel_url": f"{base}/cancel"}


def _owned_job(request: Request, st: OfflineState) -> Job | JSONResponse:
    """The job in the path if the token is accepted, the job exists, is not expired and is its own."""
    token_fp = caller(request, st)
    if token_fp is None:
        return unauthorized()
    request_id = request.path_params["request_id"]
    job = st.store.get(request_id)
    now = st.clock()
    ttl = st.config.result_ttl_s
    finished = job.finished(now) if job is not None else None
    if job is None or (ttl is not None and finished is not None and now >= finished + ttl):
        return error(404, 404001, f"request {request_id} not found (unknown, deleted or expired)")
    if job.token_fp != token_fp:
        return error(403, 403001, f"request {request_id} belongs to another user")
    return job


async def _read_body(request: Request) -> bytes | None:
    """The body, or None when it is over :data:`MAX_BODY_BYTES` (read no further than that)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


@_endpoint("submit")
async def submit(request: Request, st: OfflineState) -> Response:
    """POST /v1/models/{model}: validate, create the job, answer its URLs."""
    token_fp = caller(request, st)
    if token_fp is None:
        return unauthorized()
    model = request.path_params["model"]
    if model != SCHEMA.model:
        return error(404, 400001, f"unknown model id {model[:200]!r}")
    body = await _read_body(request)
    if body is None:
        return error(413, 413001, f"the request body is over {MAX_BODY_BYTES:,} bytes")
    try:
        payload = json.loads(body)
    except ValueError:
        return error(400, 400000, "the request body is not valid JSON")
    try:
        # Decoding and opening a data URI image is a few ms of CPU: keep it off the event loop.
        valid = await run_in_threadpool(validate_input, payload)
    except InputInvalid as exc:
        detail = [e.as_json() for e in exc.errors]
        return error(422, 422001, f"the input does not match the model's schema: {exc}", detail=detail)
    cost = job_cost(st.config, valid.frames)
    broke = short_of(st, token_fp, cost)  # no await from here to the job: two submits cannot both pass
    if broke is not None:
        return broke
    fail = st.config.fail_next > 0
    if fail:
        st.config.fail_next -= 1
    job = st.store.submit(valid, token_fp, st.config, fail=fail, rng=st.rng)
    job.cost = cost
    st.submissions += 1
    return JSONResponse({"request_id": job.request_id, **_urls(request, job.request_id)})


@_endpoint("status")
async def status(request: Request, st: OfflineState) -> Response:
    """GET /v1/requests/{id}/status."""
    job = _owned_job(request, st)
    if isinstance(job, Response):
        return job
    now = st.clock()
    body: dict[str, Any] = {"request_id": job.request_id, "status": job.state(now)}
    if body["status"] == "in_queue":
        body["queue_position"] = job.queue_position(now)
    urls = _urls(request, job.request_id)
    return JSONResponse({**body, "status_url": urls["status_url"], "result_url": urls["result_url"]})


@_endpoint("result")
async def result(request: Request, st: OfflineState) -> Response:
    """GET /v1/requests/{id}/result[?include_cost=true]."""
    job = _owned_job(request, st)
    if isinstance(job, Response):
        return job
    now = st.clock()
    state = job.state(now)
    body = {"request_id": job.request_id, "status": _RESULT_STATES.get(state, state), **job.times(now)}
    if state == "completed":
        body["output"] = {"video": f"{str(request.base_url).rstrip('/')}/files/{job.file_id}.mp4"}
    elif state == "failed":
        body["error"] = job.error
    if request.query_params.get("include_cost", "").lower() in ("true", "1"):
        # Only a delivered video is billed here; RunComfy's billing of failures is undocumented.
        body["cost"] = job.cost if state == "completed" else 0.0
    return JSONResponse(body)


@_endpoint("cancel")
async def cancel(request: Request, st: OfflineState) -> Response:
    """POST /v1/requests/{id}/cancel: 202, cancelled only while in_queue."""
    job = _owned_job(request, st)
    if isinstance(job, Response):
        return job
    outcome = "cancelled" if st.store.cancel(job) else "not_cancellable"
    body = {"request_id": job.request_id, "status": job.state(st.clock()), "outcome": outcome}
    return JSONResponse(body, status_code=202)


@_endpoint("video")
async def video(request: Request, st: OfflineState) -> Response:
    """GET /files/{file_id}.mp4: the rendered video, no auth, 403 once the link expired."""
    name: str = request.path_params["name"]
    job = st.store.by_file(name.removesuffix(".mp4")) if name.endswith(".mp4") else None
    now = st.clock()
    if job is None or job.state(now) != "completed" or job.video_path is None:
        return error(404, 404001, "no such file")
    finished = job.finished(now)
    ttl = st.config.video_ttl_s
    if ttl is not None and finished is not None and now >= finished + ttl:
        return error(403, 403001, "this video link has expired")
    return FileResponse(job.video_path, media_type="video/mp4")


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods answer with the API's error body too."""
    assert isinstance(exc, HTTPException)
    body = {"error_code": exc.status_code * 1000, "error_message": str(exc.detail)}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def create_app(
    config: OfflineConfig | None = None, *, files_dir: Path | None = None, clock: Clock = time.monotonic
) -> Starlette:
    """Build the stand-in app. ``files_dir`` None uses a temp dir, deleted at shutdown.

    ``clock`` (monotonic seconds) exists for tests. The state is on ``app.state.offline``.
    """
    state = OfflineState(config or OfflineConfig(), files_dir, clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        faults.install_drop_filter()  # after the server configured its logging
        try:
            yield
        finally:
            state.close()

    job_path = "/v1/requests/{request_id}"
    routes = [
        Route("/v1/models/{model:path}", submit, methods=["POST"]),
        Route("/v1/models/{model:path}", model_card, methods=["GET"]),
        Route("/prod/v2/balance", balance, methods=["GET"]),
        Route(f"{job_path}/status", status, methods=["GET"]),
        Route(f"{job_path}/result", result, methods=["GET"]),
        Route(f"{job_path}/cancel", cancel, methods=["POST"]),
        Route("/files/{name}", video, methods=["GET", "HEAD"]),
        Route("/_offline/stats", admin_stats, methods=["GET"]),
        Route("/_offline/config", admin_config, methods=["POST"]),
        Route("/_offline/reset", admin_reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error}, lifespan=lifespan)
    app.state.offline = state
    return app
