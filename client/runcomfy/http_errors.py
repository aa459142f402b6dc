"""One place that turns an HTTP answer into our own error (replicate-python's ``_raise_for_status`` idea).

RunComfy's error body is ``{"error_code", "error_message", "detail"?}`` (ASSUMED exact shape, from its
MCP server and ComfyUI nodes); some endpoints answer 200 with an ``error_code`` body, which is an error
too. Server text is shortened and any token in it is masked before it reaches a message.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from client.runcomfy.errors import (
    APIRefused,
    AuthError,
    ConnectionFailed,
    NotFound,
    RateLimited,
    SubmitUncertain,
)


def _detail_text(detail: Any) -> str:
    if isinstance(detail, list):
        parts = []
        for item in detail[:5]:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                msg = str(item.get("msg", ""))
                parts.append(f"{loc}: {msg}" if loc else msg)
            else:
                parts.append(str(item))
        return "; ".join(p for p in parts if p)
    if isinstance(detail, str):
        return detail
    return json.dumps(detail, ensure_ascii=False) if detail is not None else ""


def error_from(
    status: int,
    body: Any,
    *,
    request_id: str | None,
    secret: str | None,
) -> APIRefused:
    """Build the error for an HTTP ``status`` (or a 200 carrying ``error_code``) and its parsed ``body``."""
    body = body if isinstance(body, dict) else {}
    code = body.get("error_code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    server = str(body.get("error_message") or body.get("message") or "")[:300]
    detail = body.get("detail")
    said = _detail_text(detail)[:500]
    if secret:
        server, said = server.replace(secret, "***"), said.replace(secret, "***")
    kw: dict[str, Any] = {"status_code": status, "error_code": code, "detail": detail,
                          "request_id": request_id}
    if code == 403001:
        return AuthError("This request id belongs to another RunComfy account.", reason="foreign_id", **kw)
    if status in (401, 403) or code == 400004:
        return AuthError("RunComfy refused the API token (missing, expired or revoked): check "
                         "RUNCOMFY_API_TOKEN or the key you entered.", reason="auth", **kw)
    if status == 404 or code == 404001:
        if request_id:
            return NotFound("RunComfy no longer knows this request id (unknown, deleted or expired).",
                            reason="unknown_id", **kw)
        return NotFound("RunComfy does not know this model or address: check RUNCOMFY_BASE_URL.",
                        reason="unknown_address", **kw)
    if code == 400002 or status == 402:
        return APIRefused("Your RunComfy balance is empty: add credit, then try again.", reason="balance",
                          **kw)
    if code == 400001:
        return APIRefused("RunComfy does not know this model id.", reason="unknown_model", **kw)
    if status == 429:
        return RateLimited("RunComfy is limiting how fast requests are sent: wait a minute, then try again.",
                           reason="rate", **kw)
    if status >= 500 or (code is not None and code >= 500000):
        return APIRefused(f"RunComfy had an internal error (HTTP {status}); try again in a moment.",
                          reason="server", **kw)
    if status in (400, 422) or (code is not None and 422000 <= code < 423000):
        why = said or server or "no reason given"
        return APIRefused(f"RunComfy refused the input: {why}", reason="input", **kw)
    why = server or said or "no reason given"
    return APIRefused(f"RunComfy answered HTTP {status}: {why}", **kw)


def json_or_error(response: httpx.Response, *, request_id: str | None, secret: str | None) -> dict[str, Any]:
    """The JSON object of a successful answer, or raise the matching :class:`APIRefused`."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if response.is_success:
        if not isinstance(body, dict):
            raise APIRefused("RunComfy answered with something that is not a JSON object; try again.",
                             status_code=response.status_code, request_id=request_id)
        if body.get("error_code") is not None:
            raise error_from(response.status_code, body, request_id=request_id, secret=secret)
        return body
    raise error_from(response.status_code, body, request_id=request_id, secret=secret)


def is_transient(exc: Exception) -> bool:
    """Errors worth polling through until the deadline (outages, 5xx, 429, garbled answers)."""
    if isinstance(exc, SubmitUncertain):
        return False
    if isinstance(exc, ConnectionFailed | RateLimited):
        return True
    if isinstance(exc, APIRefused):
        return exc.status_code is None or exc.status_code >= 500 or (
            exc.status_code < 300 and (exc.error_code is None or exc.error_code >= 500000))
    return False
