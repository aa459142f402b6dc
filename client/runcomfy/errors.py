"""Every error about RunComfy's API, under one root.

    RunComfyError                 anything about the API or a job on it
    ├── APIRefused                the API answered with an error (4xx/5xx or an error body)
    │   ├── AuthError             the token is missing, wrong, expired (401/403)
    │   ├── NotFound              unknown, deleted or expired request id (404)
    │   └── RateLimited           still 429 after our retries
    ├── JobTimedOut (TimeoutError) no end state before the overall deadline
    ├── ConnectionFailed          could not reach the API (after retries for safe calls)
    │   └── SubmitUncertain       the submit may have reached the server; it is never resent
    └── DownloadFailed            the job succeeded but its video could not be fetched

Not here, on purpose: an input the model's rules refuse (``client.dreamina.InputRefused``) and a
job history that cannot be opened (``client.history.StoreUnavailable``) are not the API.

Every message is a sentence a person can act on; ``request_id`` is set whenever a job exists.
Raw httpx exceptions never leave ``client/runcomfy``; tokens never appear in any message.
"""

from __future__ import annotations

from typing import Any


class RunComfyError(Exception):
    """Root of every error raised by this package."""

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id

    def __str__(self) -> str:
        if self.request_id and self.request_id not in self.message:
            return f"{self.message} (request id {self.request_id})"
        return self.message


class APIRefused(RunComfyError):
    """The API answered with an error status or an error body.

    ``reason`` names the case once, for a page to word it in its own language: ``auth``,
    ``foreign_id`` (another account's job), ``unknown_id``, ``unknown_address``, ``unknown_model``,
    ``balance`` (no credit left), ``rate``, ``server`` (5xx), ``input`` (400/422) or ``other``.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_code: int | None = None,
        detail: Any = None,
        request_id: str | None = None,
        reason: str = "other",
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.status_code = status_code
        self.error_code = error_code
        self.detail = detail
        self.reason = reason


class AuthError(APIRefused):
    """The token was refused (missing, wrong, expired, or the id is another user's)."""


class NotFound(APIRefused):
    """The request id is unknown, deleted or expired."""


class RateLimited(APIRefused):
    """The API kept answering 429 after our retries."""


class JobTimedOut(RunComfyError, TimeoutError):
    """The job did not reach an end state before the overall deadline."""


class ConnectionFailed(RunComfyError):
    """The API could not be reached."""


class SubmitUncertain(ConnectionFailed):
    """The submit may have reached the server but no answer came back.

    It is never resent automatically: a second submit would be a second paid job.
    """


class DownloadFailed(RunComfyError):
    """The job succeeded but its video could not be downloaded; ``url`` may be retried.

    ``reason`` says why, for a page to word it in its own language: ``expired`` (the link answered
    403/404/410: fetch the result again for a fresh one), ``refused`` (not https nor the API's
    host), ``too_big``, ``broken`` (cut off, or not a playable video) or ``failed`` (anything else).
    """

    def __init__(
        self, message: str, *, request_id: str | None = None, url: str | None = None, reason: str = "failed"
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.url = url
        self.reason = reason
