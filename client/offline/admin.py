"""The stand-in's admin calls under ``/_offline/`` (no token): counters, knobs, reset, for tests."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from client.offline.state import error, state_of


async def admin_stats(request: Request) -> Response:
    """GET /_offline/stats: counters and every job (token fingerprints only)."""
    st = state_of(request)
    now = st.clock()
    jobs = {job.request_id: job.summary(now) for job in st.store.jobs()}
    body = {"submissions": st.submissions, "calls": st.calls, "jobs": jobs, "renders": st.store.cache.renders}
    return JSONResponse(body)


async def admin_config(request: Request) -> Response:
    """POST /_offline/config: update knobs from a JSON object; answers the knobs now in force."""
    st = state_of(request)
    try:
        changes = json.loads(await request.body())
        if not isinstance(changes, dict):
            raise ValueError("the body must be a JSON object")
        st.apply(changes)
    except (ValueError, TypeError) as exc:
        return error(400, 400000, f"bad config: {exc}")
    return JSONResponse(st.config.public())


async def admin_reset(request: Request) -> Response:
    """POST /_offline/reset: initial knobs, no faults, zero counters, no jobs."""
    st = state_of(request)
    st.reset()
    return JSONResponse(st.config.public())
