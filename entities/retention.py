"""Retention: how long transactions and their payloads are kept, and the pruner that applies it.

Policy (defaults from the environment, overridable per integration in retention_policies):
- transactions older than keep_days are deleted (ENTITIES_RETAIN_DAYS, default 90);
- successful transactions older than payload_days lose their request and response payloads
  (ENTITIES_RETAIN_PAYLOAD_DAYS, default 30);
- each record's last successful and last failed transaction, any transaction an open retry points at, and the
  records themselves are always kept.
The pruner walks the table in storage order, one row group (122,880 rows) per batch, in three steps (each payload
column, then the delete), each a few short writes of 2,000 entities followed by one checkpoint. In DuckDB 2.0.1 a
query that starts while a write or a checkpoint runs waits for it (measured: the list page stalls for its whole
length), and a checkpoint costs the row groups it rewrites: one payload column of one row group is the smallest,
and the delete's checkpoint merges half-empty row groups (the vacuum that gives the space back) every second batch.
The live app's other writers wait at most one write.
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
ROW_GROUP = 122_880  # DuckDB's rows per row group: a batch that stays inside one makes its checkpoint rewrite one
STEPS = (("prune_request_payloads_drop", "payloads_dropped"), ("prune_response_payloads_drop", None),
         ("prune_transactions_delete", "deleted"))
ENTITIES_PER_WRITE = 2_000  # a write statement holds new scans too while it runs: keep each short (~10-100 ms)
CHECKPOINT_PATIENCE = 0.5  # seconds a step's checkpoint keeps retrying while readers hold DuckDB's checkpoint lock
APP_PACE = 1.0  # the app's pruner rests as long as each step worked: readers and writers get at least half the time
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
    step_ms: list[float] = field(default_factory=list)  # each write transaction
    checkpoint_ms: list[float] = field(default_factory=list)  # each checkpoint after a step that changed rows
    checkpoints_skipped: int = 0  # readers held the lock past CHECKPOINT_PATIENCE: the next checkpoint takes it on


def plan(con, now: datetime | None = None, defaults: Defaults | None = None) -> list[dict]:
    """What prune would remove now, per integration (the dry run)."""
    return queries.records(con, "prune_plan", **(defaults or Defaults.from_env()).params(now or datetime.now(UTC)))


def prune(con, now: datetime | None = None, defaults: Defaults | None = None, batch: int = ROW_GROUP,
          stop: threading.Event | None = None, pace: float = 0.0) -> PruneResult:
    """Apply the policy in batches of about `batch` stored rows; pace > 0 rests pace × each write's and checkpoint's
    time after it (the app's pruner, beside readers); stop ends it between writes."""
    params = (defaults or Defaults.from_env()).params(now or datetime.now(UTC))
    stop = stop or threading.Event()
    result = PruneResult()
    started = time.perf_counter()
    for bounds in queries.records(con, "prune_batches", span=batch):
        for name, counter in STEPS:
            changed = _run_step(con, name, {**params, **bounds}, stop, pace, result)
            if counter:
                setattr(result, counter, getattr(result, counter) + changed)
        if stop.is_set():
            break
        result.batches += 1
    if not stop.is_set():
        with db.write(con, bump=False):  # a cache of error_group(), not data a reader sees
            queries.run(con, "error_fingerprints_trim")
    result.seconds = time.perf_counter() - started
    return result


def _run_step(con, name: str, params: dict, stop: threading.Event, pace: float, result: PruneResult) -> int:
    """One step of a batch: the statement over the batch's entities in short writes, then one checkpoint."""
    changed = 0
    for lo in range(params["lo"], params["hi"] + 1, ENTITIES_PER_WRITE):
        if stop.is_set():
            break
        started = time.perf_counter()
        changed += _write(con, name, {**params, "lo": lo, "hi": min(lo + ENTITIES_PER_WRITE - 1, params["hi"])})
        result.step_ms.append((time.perf_counter() - started) * 1000)
        stop.wait(pace * (time.perf_counter() - started))
    if changed:
        took = _checkpoint(con)
        if took is None:
            result.checkpoints_skipped += 1
        else:
            result.checkpoint_ms.append(took)
            stop.wait(pace * took / 1000)
    return changed


def _write(con, name: str, params: dict) -> int:
    changed = 0
    with db.write(con):
        changed = queries.scalar(con, name, **params) or 0
        if not changed:
            raise db.Unchanged
    return changed


def _checkpoint(con) -> float | None:
    """Checkpoint right after a step, so it rewrites only that step's row group; returns its ms, None if skipped.
    While a reader's query runs, CHECKPOINT refuses ("other write transactions active") instead of waiting. That
    refusal used to be ignored: the WAL grew until a later checkpoint rewrote many row groups at once, and new
    scans wait for a running checkpoint, so readers stalled 0.8-3 s. Retrying between queries gets it promptly
    (FORCE CHECKPOINT would also wait on any cursor a page left open)."""
    started = time.perf_counter()
    while True:
        with db.exclusive(), contextlib.suppress(duckdb.TransactionException):
            queries.run(con, "demo_checkpoint")
            return (time.perf_counter() - started) * 1000
        if time.perf_counter() - started > CHECKPOINT_PATIENCE:
            return None
        time.sleep(0.002)


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
                self.last = prune(self.con, stop=self._stop, pace=APP_PACE)
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
