"""What one stand-in app knows (knobs, fault plan, counters, jobs), and its error body."""

from __future__ import annotations

import dataclasses
import random
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from client.offline import faults
from client.offline.config import OfflineConfig
from client.offline.jobs import Clock, JobStore, token_fingerprint

# Calls counted beside the fault endpoints: the model card and the balance (no faults are injected
# into them, so "any" rules keep meaning the job calls they always meant).
MONEY_CALLS = ("model", "balance")


def error(status: int, code: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error_code": code, "error_message": message, **extra}, status_code=status)


class OfflineState:
    """Everything one app instance knows: knobs, fault plan, counters and jobs."""

    def __init__(self, config: OfflineConfig, files_dir: Path | None, clock: Clock) -> None:
        owned = files_dir is None
        self.files_dir = Path(tempfile.mkdtemp(prefix="offline-standin-")) if owned else Path(files_dir)
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.initial = dataclasses.replace(config, faults=list(config.faults))
        self.store = JobStore(self.files_dir, clock=clock)
        self.reset()
        # Runs at close() or, without a lifespan, when the app is collected or at exit.
        self._finalizer = weakref.finalize(self, _cleanup, self.store, self.files_dir if owned else None)

    def reset(self) -> None:
        """Back to the knobs the app was created with; counters, faults and jobs cleared."""
        self.config = dataclasses.replace(self.initial, faults=list(self.initial.faults))
        self.plan = faults.FaultPlan(self.config.faults, self.config.seed)
        self.rng = random.Random(self.config.seed)  # noqa: S311 - run times, not secrets
        self.calls = dict.fromkeys((*faults.ENDPOINTS, *MONEY_CALLS), 0)
        self.submissions = 0
        self.store.clear()

    def apply(self, changes: dict[str, Any]) -> None:
        """Update knobs from a JSON object (see :meth:`OfflineConfig.updated`)."""
        self.config = self.config.updated(changes, self.clock())
        if "faults" in changes or "seed" in changes:
            self.plan = faults.FaultPlan(self.config.faults, self.config.seed)
        if "seed" in changes:
            self.rng = random.Random(self.config.seed)  # noqa: S311 - run times, not secrets

    def in_outage(self) -> bool:
        """True while the configured outage lasts."""
        until = self.config.outage_until
        return until is not None and self.clock() < until

    def close(self) -> None:
        """Stop the render pool and delete the files directory if it is ours."""
        self._finalizer()


def _cleanup(store: JobStore, owned_dir: Path | None) -> None:
    store.close()
    if owned_dir is not None:
        shutil.rmtree(owned_dir, ignore_errors=True)


def state_of(request: Request) -> OfflineState:
    return request.app.state.offline


def caller(request: Request, st: OfflineState) -> str | None:
    """The token's fingerprint if the Bearer token is accepted, else None. The token is not kept."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    if st.config.tokens is not None and token not in st.config.tokens:
        return None
    return token_fingerprint(token)


def unauthorized() -> JSONResponse:
    return error(401, 400004, "missing, invalid or revoked API token; send Authorization: Bearer <token>")
