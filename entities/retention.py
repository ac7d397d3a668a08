"""Retention: how long transactions and their payloads are kept, and the pruner that applies it.

Policy (defaults from the environment, overridable per integration in retention_policies):
- transactions older than keep_days are deleted (ENTITIES_RETAIN_DAYS, default 90);
- successful transactions older than payload_days lose their request and response payloads
  (ENTITIES_RETAIN_PAYLOAD_DAYS, default 30);
- each record's last successful and last failed transaction, any transaction an open retry points at, and the
  records themselves are always kept.
The pruner walks entity-id ranges, one short write transaction per batch, so the live app's other writers wait
at most one batch and readers never wait (DuckDB reads a snapshot).
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

import queries
from entities import audit, db, identity

DEFAULT_KEEP_DAYS = 90
DEFAULT_PAYLOAD_DAYS = 30
BATCH_ENTITIES = 2_000
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Defaults:
    keep_days: int = DEFAULT_KEEP_DAYS
    payload_days: int = DEFAULT_PAYLOAD_DAYS

    @classmethod
    def from_env(cls) -> Defaults:
        return cls(_env_days("ENTITIES_RETAIN_DAYS", DEFAULT_KEEP_DAYS, 1),
                   _env_days("ENTITIES_RETAIN_PAYLOAD_DAYS", DEFAULT_PAYLOAD_DAYS, 0))

    def params(self, now: datetime) -> dict:
        return {"now": now, "default_keep_days": self.keep_days, "default_payload_days": self.payload_days}


def _env_days(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise ValueError(f"{name}={raw!r}: expected a whole number of days ≥ {minimum}")
    return int(raw)


@dataclass
class PruneResult:
    deleted: int = 0
    payloads_dropped: int = 0
    batches: int = 0
    seconds: float = 0.0
    batch_ms: list[float] = field(default_factory=list)
    checkpoint_ms: float = 0.0


def plan(con, now: datetime | None = None, defaults: Defaults | None = None) -> list[dict]:
    """What prune would remove now, per integration (the dry run)."""
    return queries.records(con, "prune_plan", **(defaults or Defaults.from_env()).params(now or datetime.now(UTC)))


def prune(con, now: datetime | None = None, defaults: Defaults | None = None, batch: int = BATCH_ENTITIES,
          stop: threading.Event | None = None) -> PruneResult:
    params = (defaults or Defaults.from_env()).params(now or datetime.now(UTC))
    lo, hi = queries.one(con, "prune_entity_bounds")
    result = PruneResult()
    started = time.perf_counter()
    for first in range(lo, hi + 1, batch):
        if stop is not None and stop.is_set():
            break
        batch_started = time.perf_counter()
        with db.write(con):
            result.deleted += queries.scalar(con, "prune_transactions_delete", lo=first, hi=first + batch - 1,
                                             **params) or 0
            result.payloads_dropped += queries.scalar(con, "prune_payloads_drop", lo=first, hi=first + batch - 1,
                                                      **params) or 0
        result.batch_ms.append((time.perf_counter() - batch_started) * 1000)
        result.batches += 1
        # A checkpoint per batch keeps each one short: one big checkpoint at the end held readers for seconds.
        checkpoint_started = time.perf_counter()
        with db.exclusive(), contextlib.suppress(duckdb.TransactionException):  # a reader's open write: next time
            queries.run(con, "demo_checkpoint")
        result.checkpoint_ms = max(result.checkpoint_ms, (time.perf_counter() - checkpoint_started) * 1000)
    if stop is None or not stop.is_set():
        with db.write(con, bump=False):  # a cache of error_group(), not data a reader sees
            queries.run(con, "error_fingerprints_trim")
    result.seconds = time.perf_counter() - started
    return result


def set_policy(con, principal: identity.Principal, integration_id: int, keep_days: int | None,
               payload_days: int | None) -> None:
    identity.require(principal, "retention")
    for name, value, minimum in (("keep_days", keep_days, 1), ("payload_days", payload_days, 0)):
        if value is not None and (not isinstance(value, int) or value < minimum):
            raise ValueError(f"{name} must be a whole number of days ≥ {minimum}, got {value!r}")
    with db.write(con):
        queries.run(con, "retention_policy_set", integration_id=integration_id, keep_days=keep_days,
                    payload_days=payload_days)
        audit.record(con, principal, "retention.set", f"integration {integration_id}",
                     f"keep_days={keep_days} payload_days={payload_days}")


def size(con) -> dict:
    """The file's blocks: total, used and free (prune frees blocks that later writes reuse)."""
    return queries.records(con, "database_size")[0]


class Pruner:
    """The app's daily pruner (ENTITIES_PRUNE=off disables it): first run an hour after start (a restart loop must
    not prune over and over, and a fresh start is busy enough), then daily."""

    def __init__(self, con, first_delay: float = 3600.0, interval: float = DAY_SECONDS):
        self.con, self.first_delay, self.interval = con, first_delay, interval
        self.last: PruneResult | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pruner", daemon=True)

    def start(self) -> Pruner:
        self._thread.start()
        return self

    def _loop(self) -> None:
        delay = self.first_delay
        while not self._stop.wait(delay):
            try:
                self.last = prune(self.con, stop=self._stop)
            except Exception as exc:  # noqa: BLE001 - a failed prune is retried tomorrow; the app keeps serving
                print(f"pruner: {type(exc).__name__}: {exc}", flush=True)
            delay = self.interval

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()


def enabled() -> bool:
    return os.environ.get("ENTITIES_PRUNE", "on").strip().lower() not in ("off", "0", "false", "no")
