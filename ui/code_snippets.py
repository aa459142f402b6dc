"""The "Use the API" panel: the exact cURL and Python (httpx) calls for the form's current inputs.

The token is always written as ``$RUNCOMFY_API_TOKEN`` (or read from the environment in Python):
no key, the server's or a visitor's, is ever an input of these functions. An uploaded image is
shown as a placeholder, not as megabytes of base64.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from client import SCHEMA

IMAGE_PLACEHOLDER = "<your image URL or data URI>"


def snippet_payload(prompt: str, *, image_url: str | None, seed: int, frames: int) -> dict[str, Any]:
    """The submit body for these inputs, shaped like the model's input schema."""
    return {
        "prompt": prompt,
        "image_urls": [image_url.strip() if image_url and image_url.strip() else IMAGE_PLACEHOLDER],
        "seed": seed,
        "frames": frames,
    }


def curl_snippet(payload: dict[str, Any], *, base_url: str, model: str = SCHEMA.model) -> str:
    """Submit, poll, fetch the result, and cancel, as cURL commands."""
    body = shlex.quote(json.dumps(payload, ensure_ascii=False, indent=2))
    auth = '-H "Authorization: Bearer $RUNCOMFY_API_TOKEN"'
    return "\n".join(
        [
            "# 1. Submit the job: the answer holds request_id, status_url, result_url and cancel_url",
            f'curl -X POST "{base_url}/models/{model}" \\',
            f"  {auth} \\",
            '  -H "Content-Type: application/json" \\',
            f"  -d {body}",
            "",
            '# 2. Poll until status is "completed" (queue_position is given while "in_queue")',
            'REQUEST_ID="<request_id from step 1>"',
            f'curl {auth} "{base_url}/requests/$REQUEST_ID/status"',
            "",
            "# 3. The result: output.video is the MP4's URL (download it soon; links expire)",
            f'curl {auth} "{base_url}/requests/$REQUEST_ID/result"',
            "",
            "# Cancel while it is still queued (a running job cannot be stopped, and is billed)",
            f'curl -X POST {auth} "{base_url}/requests/$REQUEST_ID/cancel"',
        ]
    )


def python_snippet(payload: dict[str, Any], *, base_url: str, model: str = SCHEMA.model) -> str:
    """The same job with httpx: submit once, poll, download the video."""
    body = json.dumps(payload, ensure_ascii=False, indent=4)  # JSON strings and ints are valid Python
    return f"""import os
import time

import httpx

BASE_URL = {json.dumps(base_url)}
HEADERS = {{"Authorization": f"Bearer {{os.environ['RUNCOMFY_API_TOKEN']}}"}}
payload = {body}

with httpx.Client(base_url=BASE_URL, headers=HEADERS, timeout=30) as api:
    # Submit once: a second submit would be a second paid job.
    job = api.post("/models/{model}", json=payload).raise_for_status().json()
    request_id = job["request_id"]
    print("request id:", request_id)
    while True:
        status = api.get(f"/requests/{{request_id}}/status").raise_for_status().json()
        print(status["status"], status.get("queue_position", ""))
        if status["status"] in ("completed", "succeeded", "failed", "cancelled"):
            break
        time.sleep(3)
    result = api.get(f"/requests/{{request_id}}/result").raise_for_status().json()
    if result["status"] not in ("completed", "succeeded"):
        raise SystemExit(f"job {{request_id}} ended as {{result['status']}}: {{result.get('error')}}")
    video_url = result["output"]["video"]
    # The video link is public: no Authorization header for it.
    video = httpx.get(video_url, timeout=300, follow_redirects=True).raise_for_status()
    with open(f"{{request_id}}.mp4", "wb") as out:
        out.write(video.content)
    print("saved", f"{{request_id}}.mp4")
"""


def api_snippets(
    prompt: str, *, source: str, image_url: str | None, seed: int | None, frames: int, base_url: str
) -> tuple[str, str]:
    """(cURL, Python) for the form as it is now; ``seed`` None means random (-1)."""
    payload = snippet_payload(
        prompt or "",
        image_url=image_url if source == "url" else None,
        seed=SCHEMA.seed_random if seed is None else int(seed),
        frames=int(frames or SCHEMA.default_frames),
    )
    return curl_snippet(payload, base_url=base_url), python_snippet(payload, base_url=base_url)
