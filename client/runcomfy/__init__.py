"""RunComfy's queue API, thin: the HTTP calls, their retries, their errors, their answers, the key.

    api = RunComfyClient(token, base_url, model="bytedance/dreamina-3-0/pro/image-to-video")
    receipt = await api.submit({"prompt": ..., "image_urls": [...], "seed": 7, "frames": 121})
    status = await api.status(receipt.request_id)      # State.QUEUED, position 2
    result = await api.result(receipt.request_id)      # video_url once State.SUCCEEDED
    await api.download(receipt.request_id, result.video_url, Path("outputs/x.mp4"))
    price = await api.price()                          # Price(usd=0.05, unit="second") from the card
    balance = await api.balance()                      # Balance(usd=12.5) from the account host

Imports httpx and the standard library only: it knows no model rules, no file naming, no store and
no poll schedule (those are ``client.dreamina``, ``client.history`` and ``client.jobs``). Raw httpx
exceptions never leave this package; the errors it raises are drawn in :mod:`.errors`.
"""

from client.runcomfy.api import DEFAULT_BASE_URL, RECOVER_HINT, RunComfyClient
from client.runcomfy.errors import (
    APIRefused,
    AuthError,
    ConnectionFailed,
    DownloadFailed,
    JobTimedOut,
    NotFound,
    RateLimited,
    RunComfyError,
    SubmitUncertain,
)
from client.runcomfy.http_errors import is_transient
from client.runcomfy.parse import CancelOutcome, JobResult, JobStatus, State, Submission
from client.runcomfy.pricing import DEFAULT_ACCOUNT_URL, Balance, Price, account_url_for
from client.runcomfy.retry import RetryPolicy, RetryTransport
from client.runcomfy.secret import Secret

__all__ = [
    "DEFAULT_ACCOUNT_URL",
    "DEFAULT_BASE_URL",
    "RECOVER_HINT",
    "APIRefused",
    "AuthError",
    "Balance",
    "CancelOutcome",
    "ConnectionFailed",
    "DownloadFailed",
    "JobResult",
    "JobStatus",
    "JobTimedOut",
    "NotFound",
    "Price",
    "RateLimited",
    "RetryPolicy",
    "RetryTransport",
    "RunComfyClient",
    "RunComfyError",
    "Secret",
    "State",
    "Submission",
    "SubmitUncertain",
    "account_url_for",
    "is_transient",
]
