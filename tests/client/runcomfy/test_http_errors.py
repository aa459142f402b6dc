"""Turning an HTTP answer into our own error: each case named once (``reason``), for every page to word."""

from __future__ import annotations

import pytest

from client.runcomfy import APIRefused, AuthError, NotFound, RateLimited
from client.runcomfy.http_errors import error_from, is_transient


@pytest.mark.parametrize(("status", "body", "request_id", "kind", "reason"), [
    (402, {}, None, APIRefused, "balance"),
    (400, {"error_code": 400002, "error_message": "insufficient balance"}, None, APIRefused, "balance"),
    (401, {}, None, AuthError, "auth"),
    (403, {"error_code": 403001}, "r1", AuthError, "foreign_id"),
    (404, {}, "r1", NotFound, "unknown_id"),
    (404, {}, None, NotFound, "unknown_address"),
    (400, {"error_code": 400001}, None, APIRefused, "unknown_model"),
    (429, {}, "r1", RateLimited, "rate"),
    (503, {}, "r1", APIRefused, "server"),
    (422, {"detail": [{"loc": ["body", "seed"], "msg": "too big"}]}, None, APIRefused, "input"),
    (418, {"error_message": "a teapot"}, None, APIRefused, "other"),
])
def test_each_answer_becomes_one_error_with_its_reason(status, body, request_id, kind, reason):
    error = error_from(status, body, request_id=request_id, secret="sk-secret")
    assert type(error) is kind and error.reason == reason and error.status_code == status
    assert error.request_id == request_id and "sk-secret" not in str(error)


def test_server_text_is_masked_and_only_outages_are_transient():
    error = error_from(422, {"detail": "bad key sk-secret here"}, request_id=None, secret="sk-secret")
    assert "sk-secret" not in error.message and "***" in error.message and not is_transient(error)
    assert is_transient(error_from(502, None, request_id="r", secret=None))
    assert is_transient(error_from(429, {}, request_id="r", secret=None))
