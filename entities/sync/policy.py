"""The retry worker's limits and the auto-retry policy, per integration.

Defaults come from the integration's storer platform (STORER_DEFAULTS, else DEFAULT); a row in retry_policies
overrides any field for one integration (null keeps the default); ENTITIES_WORKER_* variables override the
defaults for every integration (ENTITIES_WEBHOOK_BATCH for batch_size). The numbers below are the documented
defaults (README, "Retry worker").
"""
from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta

import queries


@dataclass(frozen=True)
class Policy:
    concurrency: int = 4  # handler calls at once for one integration
    rate_requests: int | None = None  # at most this many calls ...
    rate_seconds: float = 1.0  # ... per this many seconds (None above = no rate limit)
    auto_retry: bool = True  # transient failures are retried by the policy
    base_seconds: float = 30.0  # first automatic retry after about this long
    factor: float = 2.0  # each further one waits this many times longer
    cap_seconds: float = 900.0  # but never longer than this
    max_attempts: int = 5  # attempts in all (the first, asked by a person or the engine, included)
    batch_size: int = 1  # requests sent in one webhook call (1 = one call per record, the plain contract)

    def delay(self, attempt: int, rand: float) -> float:
        """Seconds before attempt+1 after attempt failed: exponential, capped, with jitter in [50%, 100%)."""
        full = min(self.cap_seconds, self.base_seconds * self.factor ** max(0, attempt - 1))
        return full * (0.5 + 0.5 * rand)

    def next_attempt_at(self, attempt: int, now: datetime, rand: float | None = None) -> datetime:
        return now + timedelta(seconds=self.delay(attempt, random.random() if rand is None else rand))

    @property
    def limit_text(self) -> str:
        rate = (f"{self.rate_requests} requests per {self.rate_seconds:g} s" if self.rate_requests
                else "no rate limit")
        batches = f", batches of {self.batch_size}" if self.batch_size > 1 else ""
        return f"{self.concurrency} at once, {rate}{batches}"


DEFAULT = Policy()
# Published API limits of the ERPs the demo syncs to (per tenant), kept a little under the documented maximum.
STORER_DEFAULTS = {
    "Fortnox": Policy(concurrency=4, rate_requests=25, rate_seconds=5.0),
    "Visma eEkonomi": Policy(concurrency=4, rate_requests=60, rate_seconds=60.0),
    "Microsoft Dynamics 365 Business Central": Policy(concurrency=5, rate_requests=500, rate_seconds=60.0),
    "SAP Business One": Policy(concurrency=4),
    "NetSuite": Policy(concurrency=4, rate_requests=100, rate_seconds=60.0),
}
DEFAULT_CONCURRENCY = 8  # handler calls at once in the whole worker
ENV_PREFIX = "ENTITIES_WORKER_"  # e.g. ENTITIES_WORKER_MAX_ATTEMPTS=3, ENTITIES_WORKER_RATE_REQUESTS=none
BATCH_ENV = "ENTITIES_WEBHOOK_BATCH"  # batch_size for every integration: a webhook setting, named like the others


def _env_overrides() -> dict:
    """Fields set for every integration by ENTITIES_WORKER_<FIELD>; 'none' clears an optional one."""
    found = _batch_override()
    for f in fields(Policy):
        if f.name == "batch_size":
            continue
        raw = os.environ.get(ENV_PREFIX + f.name.upper())
        if raw is None or not raw.strip():
            continue
        raw = raw.strip().lower()
        if f.name == "auto_retry":
            found[f.name] = raw not in ("off", "0", "false", "no")
        elif f.name == "rate_requests" and raw in ("none", "off", "0"):
            found[f.name] = None
        else:
            try:
                found[f.name] = (int if f.name in ("concurrency", "max_attempts", "rate_requests") else float)(raw)
            except ValueError:  # the worker must keep running: say so and keep the default
                print(f"retry worker: ignored {ENV_PREFIX}{f.name.upper()}={raw!r} (not a number)", file=sys.stderr)
    return found


def _batch_override() -> dict:
    raw = os.environ.get(BATCH_ENV, "").strip()
    if not raw:
        return {}
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:  # the worker must keep running: say so and keep one call per record
        print(f"retry worker: ignored {BATCH_ENV}={raw!r} (not a whole number of 1 or more)", file=sys.stderr)
        return {}
    return {"batch_size": value}


def worker_concurrency() -> int:
    raw = os.environ.get(ENV_PREFIX + "CONCURRENCY", "").strip()
    if not raw:
        return DEFAULT_CONCURRENCY
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}CONCURRENCY={raw!r} is not a whole number") from None
    if value < 1:
        raise ValueError(f"{ENV_PREFIX}CONCURRENCY must be 1 or more")
    return value


def for_storer(storer: str) -> Policy:
    return replace(STORER_DEFAULTS.get(storer, DEFAULT), **_env_overrides())


def load(con) -> dict[int, Policy]:
    """Every integration's effective policy: storer default, then environment, then its retry_policies row."""
    env = _env_overrides()
    found = {}
    for row in queries.records(con, "worker_policies"):
        chosen = {k: v for k, v in row.items() if k not in ("integration_id", "storer") and v is not None}
        if chosen.get("rate_requests") == 0:
            chosen["rate_requests"] = None  # stored 0 = no rate limit
        found[row["integration_id"]] = replace(STORER_DEFAULTS.get(row["storer"], DEFAULT), **(env | chosen))
    return found


def transient_codes(con) -> dict[str, bool]:
    """The catalogue's transient flag per error code (a code not in the catalogue is never auto-retried)."""
    return dict(queries.rows(con, "error_code_transience"))
