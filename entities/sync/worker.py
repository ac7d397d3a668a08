"""The retry worker: claims due retry requests, runs up to N handler calls at once within each integration's
concurrency and rate limits, and records the outcomes in batches. The app runs one in its lifespan;
`entities worker` runs it without the app.

- Limits and the auto-retry policy come from entities/sync/policy.py (per integration, storer defaults).
- A hanging target holds only its own integration's slots, for at most the handler's deadline.
- One entity never runs twice at once: the database allows one open request per entity, so its requests run
  in order.
- Nothing sticks: a request whose outcome cannot be recorded is failed with the reason; one a stopped worker
  left running goes back to the queue at most MAX_CLAIMS times, then fails as RETRY_INTERRUPTED. A watchdog
  does the same for requests running longer than the handler's deadline that this worker does not hold.
- A 202 from a webhook means the target accepted the retry and finishes it asynchronously: the request is
  finished as `succeeded`, the outcome transaction is `pending` and the entity stays pending.
- With an integration's batch_size K > 1 and a batch handler (the webhook), one call carries up to K of its
  claimed requests (what is buffered now; never waiting to fill it). Concurrency limits count calls, the rate
  limit counts records (each is one ERP request behind the target).
"""
from __future__ import annotations

import argparse
import os
import queue
import random
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import duckdb

import queries
from entities import db, hourly
from entities.identity import AUTO_RETRY
from entities.sync import handlers, policy, retry

ACTOR = "retry-worker"
POLL_SECONDS = 0.5
MAX_CLAIMS = 3  # a request interrupted this many times while running is failed, not sent again
WATCHDOG_GRACE = 5.0  # seconds past the handler's deadline before a running request is reclaimed
SETTINGS_SECONDS = 5.0  # how often policies and the error catalogue are re-read
SWEEP_SECONDS = 10.0  # how often new transient engine errors are looked for
SWEEP_LIMIT = 500
BATCH = 256  # outcomes recorded in one write transaction at most
BUFFER = 4  # claimed requests kept ready: at least this many rounds of the slots ...
LOOKAHEAD = 1.0  # ... or this many seconds of calls at the integration's recent pace (a fast target drains a
MAX_BUFFER = 1024  # small buffer before the next claim comes back), at most this many requests per integration


def _handler_from_env() -> handlers.Handler:
    try:
        return handlers.configured()[1]
    except ValueError as exc:
        problem = str(exc)

        def misconfigured(job: handlers.Job) -> handlers.Outcome:
            return handlers.Outcome("error", f"Retry handler misconfigured: {problem}", "", error_code="CONFIG")

        return misconfigured


def _concurrency_from_env() -> int:
    try:
        return policy.worker_concurrency()
    except ValueError as exc:
        print(f"retry worker: {exc}; using {policy.DEFAULT_CONCURRENCY}", file=sys.stderr, flush=True)
        return policy.DEFAULT_CONCURRENCY


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Done:
    job: handlers.Job
    outcome: handlers.Outcome
    duration_ms: int


class Worker:
    def __init__(self, con: duckdb.DuckDBPyConnection, handler: handlers.Handler | None = None,
                 on_change=None, poll_seconds: float = POLL_SECONDS, concurrency: int | None = None,
                 now: Callable[[], datetime] = _utcnow, rand: Callable[[], float] = random.random,
                 deadline: float | None = None, policies: dict[int, policy.Policy] | None = None,
                 batch_handler: handlers.BatchHandler | None = None):
        self.con = con
        self.handler = handler or _handler_from_env()
        self.batch_handler = batch_handler or (None if handler else handlers.configured_batch())
        self.on_change = on_change
        self.poll_seconds = poll_seconds
        self.concurrency = concurrency or _concurrency_from_env()
        self.now, self.rand = now, rand
        self.deadline = deadline or handlers.deadline_seconds()
        self._fixed_policies = policies
        self._policies: dict[int, policy.Policy] = {}
        self._transient: dict[str, bool] = {}
        self._settings_at = 0.0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._inflight: dict[int, int] = {}  # request id -> integration id, from claim until recorded
        self._calls: dict[int, int] = defaultdict(int)  # integration id -> handler calls running
        self._sent: dict[int, deque] = defaultdict(deque)  # integration id -> a monotonic time per request sent (rate)
        self._ready: dict[int, deque] = defaultdict(deque)  # integration id -> claimed jobs waiting for a slot
        self._started: dict[int, int] = defaultdict(int)  # integration id -> requests started since the last _pace
        self._rate: dict[int, float] = {}  # integration id -> requests per second, smoothed
        self._paced_at = time.monotonic()
        self._dry: dict[int, float] = {}  # integration id -> monotonic time its last claim found nothing due until
        self._claiming = False  # the store thread is claiming: requests may be running that are not yet held
        self._local = threading.local()
        self.started_at = now()
        self.max_calls_seen = 0

    # -- settings ---------------------------------------------------------------------------------------------

    def refresh(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._settings_at < SETTINGS_SECONDS:
            return
        self._policies = policy.load(self._cursor()) | (self._fixed_policies or {})
        self._transient = policy.transient_codes(self._cursor())
        self._settings_at = time.monotonic()

    def policy_of(self, integration_id: int) -> policy.Policy:
        return self._policies.get(integration_id) or policy.DEFAULT

    def batch_of(self, rules: policy.Policy) -> int:
        """Requests per call: the policy's batch size when there is a batch handler, else one."""
        return max(1, rules.batch_size) if self.batch_handler else 1

    # -- sequential API (tests, the bench's baseline) ---------------------------------------------------------

    def requeue_interrupted(self) -> None:
        """Requests a stopped worker left running go back to the queue (bounded): nothing is lost or stuck."""
        self.reclaim(self.now() + timedelta(days=1))

    def claim(self) -> int | None:
        try:
            return queries.scalar(self.con, "worker_request_claim", now=self.now())
        except duckdb.TransactionException:
            return None  # another worker claimed it in the same instant

    def process_one(self) -> int | None:
        """Handle the oldest due request on this thread; returns its id, or None when nothing is due."""
        self.refresh()
        request_id = self.claim()
        if request_id is None:
            return None
        self._inflight[request_id] = 0
        try:
            job = self.jobs([request_id])[0]
            self.record([self.call(job)])
        finally:
            self._inflight.pop(request_id, None)
        return request_id

    def drain(self) -> int:
        """Process until nothing is due, one at a time; returns how many requests were handled."""
        handled = 0
        while not self._stop.is_set() and self.process_one() is not None:
            handled += 1
        return handled

    # -- one job ----------------------------------------------------------------------------------------------

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._local.cur = self.con.cursor()
        return cur

    def jobs(self, request_ids: list[int], with_payload: bool = True) -> list[handlers.Job]:
        rows = queries.records(self._cursor(), "worker_jobs", request_ids=request_ids)
        found = [handlers.Job(**row, last_request_payload=None) for row in rows]
        return [self.with_payload(job) for job in found] if with_payload else found

    def with_payload(self, job: handlers.Job) -> handlers.Job:
        """The job with the record's last request from the sync engine (read on the calling thread)."""
        return replace(job, last_request_payload=queries.scalar(self._cursor(), "entity_last_request_payload",
                                                               entity_id=job.entity_id))

    def call_batch(self, jobs: list[handlers.Job]) -> list[Done]:
        started = time.monotonic()
        try:
            outcomes = self.batch_handler(jobs)
            if len(outcomes) != len(jobs):
                raise ValueError(f"{len(outcomes)} outcomes for {len(jobs)} requests")
        except Exception as exc:  # noqa: BLE001 - a broken handler must not lose the requests
            outcomes = [handlers.Outcome("error", f"Retry handler failed: {type(exc).__name__}: {exc}",
                                         "", error_code="HANDLER_FAILED")] * len(jobs)
        took = int((time.monotonic() - started) * 1000)
        return [Done(job, outcome, took) for job, outcome in zip(jobs, outcomes, strict=True)]

    def call(self, job: handlers.Job) -> Done:
        started = time.monotonic()
        try:
            outcome = self.handler(job)
        except Exception as exc:  # noqa: BLE001 - a broken handler must not lose the request
            outcome = handlers.Outcome("error", f"Retry handler failed: {type(exc).__name__}: {exc}",
                                       "", error_code="HANDLER_FAILED")
        return Done(job, outcome, int((time.monotonic() - started) * 1000))

    # -- recording --------------------------------------------------------------------------------------------

    def record(self, batch: list[Done], notify: bool = True) -> None:
        """All outcomes in one write transaction; if that fails, each alone; if one still fails, its request is
        failed with the reason (OUTCOME_NOT_RECORDED). Only when even that cannot be written does it stay running,
        for the watchdog."""
        cur = self._cursor()
        try:
            with db.write(cur):
                self._record_in(cur, batch)
        except Exception:  # noqa: BLE001 - find the one that cannot be written
            for done in batch:
                self._record_alone(cur, done)
        if notify and self.on_change:
            self.on_change()

    def _record_in(self, cur, batch: list[Done]) -> None:
        if len({done.job.entity_id for done in batch}) == len(batch):
            self._record_batch(cur, batch)
        else:
            for done in batch:
                self._record_one(cur, done)

    def _record_alone(self, cur, done: Done) -> None:
        try:
            with db.write(cur):
                self._record_one(cur, done)
            return
        except Exception as exc:  # noqa: BLE001
            problem = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        reason = handlers.Outcome(
            "error", f"The outcome ({done.outcome.outcome}) could not be recorded: {problem}"[:2000], None,
            error_code="OUTCOME_NOT_RECORDED")
        try:
            with db.write(cur):
                self._record_one(cur, Done(done.job, reason.storable(), done.duration_ms), schedule=False)
        except Exception as exc:  # noqa: BLE001 - the watchdog returns it later; say so
            print(f"retry worker: request {done.job.request_id} could not be finished ({exc}); "
                  "the watchdog will return it to the queue", file=sys.stderr, flush=True)

    def _record_batch(self, cur, batch: list[Done]) -> None:
        """Set-based: four statements for the whole batch, then the policy for each error."""
        outs = [done.outcome.storable() for done in batch]
        entity_ids = [done.job.entity_id for done in batch]
        codes, messages = [o.error_code for o in outs], [o.message for o in outs]
        made = dict((entity_id, tid) for tid, entity_id in queries.rows(
            cur, "worker_outcomes_insert", entity_ids=entity_ids, outcomes=[o.outcome for o in outs],
            error_codes=codes, messages=messages, request_payloads=[o.request_payload for o in outs],
            response_payloads=[o.response_payload for o in outs], durations=[d.duration_ms for d in batch],
            actor=ACTOR))
        hourly.update_entities(cur, "worker_entities_apply_batch", entity_ids, entity_ids=entity_ids,
                               outcomes=[o.outcome for o in outs], storer_refs=[o.storer_ref for o in outs],
                               error_codes=codes, messages=messages)
        synced = [i for i, o in zip(entity_ids, outs, strict=True) if o.outcome == "success"]
        if synced:
            queries.run(cur, "worker_children_mark_synced_batch", ids=synced)
        queries.run(cur, "worker_requests_finish_batch", request_ids=[d.job.request_id for d in batch],
                    states=["failed" if o.outcome == "error" else "succeeded" for o in outs],
                    transaction_ids=[made[i] for i in entity_ids])
        for done, outcome in zip(batch, outs, strict=True):
            if outcome.outcome == "error":
                self._apply_policy(cur, done.job, outcome)

    def _record_one(self, cur, done: Done, schedule: bool = True) -> None:
        job, outcome = done.job, done.outcome.storable()
        transaction_id = queries.scalar(
            cur, "transaction_insert_retry_outcome", entity_id=job.entity_id, outcome=outcome.outcome,
            error_code=outcome.error_code, message=outcome.message, request_payload=outcome.request_payload,
            response_payload=outcome.response_payload, duration_ms=done.duration_ms, actor=ACTOR)
        hourly.update_entities(cur, "worker_entity_apply", [job.entity_id], entity_id=job.entity_id,
                               outcome=outcome.outcome, storer_ref=outcome.storer_ref, error_code=outcome.error_code,
                               error_message=outcome.message)
        if outcome.outcome == "success":
            queries.run(cur, "worker_children_mark_synced", entity_id=job.entity_id)
        queries.run(cur, "worker_request_finish", request_id=job.request_id,
                    state="failed" if outcome.outcome == "error" else "succeeded", transaction_id=transaction_id,
                    reason=None)
        if schedule and outcome.outcome == "error":
            self._apply_policy(cur, job, outcome)

    def _apply_policy(self, cur, job: handlers.Job, outcome: handlers.Outcome) -> None:
        """A transient failure is retried by the policy until max_attempts; then the record has given up."""
        rules = self.policy_of(job.integration_id)
        if not rules.auto_retry or not self._transient.get(outcome.error_code or ""):
            return
        if job.attempt < rules.max_attempts:
            schedule(cur, [job.entity_id], job.attempt + 1, [rules.delay(job.attempt, self.rand())], self.now())
        else:
            queries.run(cur, "retry_gave_up_insert", entity_id=job.entity_id, request_id=job.request_id,
                        attempts=job.attempt, error_code=outcome.error_code, message=outcome.message)

    # -- keeping nothing stuck ----------------------------------------------------------------------------------

    def reclaim(self, before: datetime) -> int:
        """Running requests claimed before `before` that this worker does not hold: back to the queue, or failed
        as RETRY_INTERRUPTED after MAX_CLAIMS claims. Returns how many were handled."""
        stale = [r for r in queries.records(self._cursor(), "worker_requests_stale", before=before)
                 if r["id"] not in self._inflight]
        if not stale:
            return 0
        again = [r["id"] for r in stale if r["claims"] < MAX_CLAIMS]
        if again:
            with db.write(self._cursor()):
                queries.run(self._cursor(), "worker_requests_requeue", request_ids=again)
        worn = [r["id"] for r in stale if r["claims"] >= MAX_CLAIMS]
        if worn:
            self.record([Done(job, handlers.Outcome(
                "error", f"Interrupted {MAX_CLAIMS} times while running (the worker stopped or could not record "
                "the outcome); not sent again. The target may have it: look for Idempotency-Key "
                f"{job.request_id}.", None, error_code="RETRY_INTERRUPTED"), 0) for job in self.jobs(worn)])
        return len(stale)

    def sweep(self) -> int:
        """Auto-retries for transient errors the sync engine reported since this worker started."""
        on = [i for i, p in self._policies.items() if p.auto_retry and p.max_attempts > 1]
        if not on:
            return 0
        ids = [r[0] for r in queries.rows(self._cursor(), "worker_auto_retry_candidates", since=self.started_at,
                                          integration_ids=on, limit=SWEEP_LIMIT)]
        if not ids:
            return 0
        by_integration = dict(queries.rows(self._cursor(), "entity_integrations", ids=ids))
        with db.write(self._cursor()):
            for integration_id in sorted(set(by_integration.values())):
                mine = [i for i in ids if by_integration.get(i) == integration_id]
                rules = self.policy_of(integration_id)
                schedule(self._cursor(), mine, 2, [rules.delay(1, self.rand()) for _ in mine], self.now())
        return len(ids)

    # -- the concurrent loop ------------------------------------------------------------------------------------
    # Two threads share the work: the dispatcher (run) starts handler calls from per-integration buffers the
    # moment a slot frees, and never waits for the database; the store thread (_store) is the worker's one
    # writer: in ONE write transaction it records the calls that finished and claims what the buffers have room
    # for (BUFFER rounds of the slots). Limits are applied when a call starts.

    def _window(self, integration_id: int, rules: policy.Policy, clock: float) -> deque:
        window = self._sent[integration_id]
        while window and window[0] <= clock - rules.rate_seconds:
            window.popleft()
        return window

    def _pace(self, clock: float) -> None:
        """Each integration's recent calls per second (smoothed), from the calls started since the last look."""
        elapsed = clock - self._paced_at
        if elapsed < 0.1:
            return
        for integration_id in set(self._rate) | set(self._started):
            now = self._started.get(integration_id, 0) / elapsed
            self._rate[integration_id] = 0.5 * self._rate.get(integration_id, now) + 0.5 * now
        self._started.clear()
        self._paced_at = clock

    def _room(self) -> tuple[list[int], list[int], int]:
        """How many more requests to claim per integration: up to its target buffer (BUFFER rounds of its slots or
        LOOKAHEAD seconds at its pace, within its rate budget), asked only once half of it is used up, and not for
        an integration whose last claim found nothing due (for poll_seconds). Claims come in batches."""
        clock = time.monotonic()
        ids, slots = [], []
        with self._lock:
            self._pace(clock)
            for integration_id, rules in self._policies.items():
                if self._dry.get(integration_id, 0.0) > clock:
                    continue
                ready = len(self._ready[integration_id])
                per_call = self.batch_of(rules)
                target = min(MAX_BUFFER, max(BUFFER * rules.concurrency * per_call,
                                             int(self._rate.get(integration_id, 0.0) * LOOKAHEAD)))
                if ready > target // 2:
                    continue
                want = target - self._calls[integration_id] * per_call - ready
                if rules.rate_requests:
                    want = min(want, rules.rate_requests - len(self._window(integration_id, rules, clock)) - ready)
                if want > 0:
                    ids.append(integration_id)
                    slots.append(want)
        return ids, slots, sum(slots)

    def _claim(self, cur, ids: list[int], slots: list[int], total: int) -> list[int]:
        return [r[0] for r in queries.rows(cur, "worker_claim_batch", integration_ids=ids, slots=slots, total=total,
                                           now=self.now())]

    def store_round(self, batch: list[Done], room: tuple[list[int], list[int], int] | None) -> int:
        """Record `batch` and claim for `room` in one write transaction (each alone if that fails); the claimed
        requests go to the buffers. Returns how many were claimed."""
        cur = self._cursor()
        claimed: list[int] = []
        jobs: list[handlers.Job] = []
        with self._lock:
            self._claiming = room is not None
        try:
            try:
                with db.write(cur):
                    if batch:
                        self._record_in(cur, batch)
                    if room is not None:
                        claimed = self._claim(cur, *room)
            except Exception:  # noqa: BLE001 - record alone (with its own fallbacks), then claim alone
                claimed = []
                if batch:
                    self.record(batch, notify=False)
                if room is not None:
                    try:
                        with db.write(cur):
                            claimed = self._claim(cur, *room)
                    except duckdb.Error as exc:
                        print(f"retry worker: claim failed: {exc}", file=sys.stderr, flush=True)
            if batch and self.on_change:
                self.on_change()
            if claimed:
                jobs = self.jobs(claimed, with_payload=False)
                payloads = dict(queries.rows(cur, "entity_last_request_payloads",
                                             ids=[job.entity_id for job in jobs]))
                jobs = [replace(job, last_request_payload=payloads.get(job.entity_id)) for job in jobs]
        finally:
            with self._lock:
                for item in batch:
                    self._inflight.pop(item.job.request_id, None)
                for job in jobs:
                    self._inflight[job.request_id] = job.integration_id
                    self._ready[job.integration_id].append(job)
                if room is not None:
                    got = Counter(job.integration_id for job in jobs)
                    dry_until = time.monotonic() + self.poll_seconds
                    for integration_id, want in zip(room[0], room[1], strict=True):
                        if got[integration_id] < want:
                            self._dry[integration_id] = dry_until
                self._claiming = False
            self._wake.set()
        return len(jobs)

    def start_calls(self, pool: ThreadPoolExecutor, done: queue.Queue) -> int:
        """Start every buffered call the global and per-integration limits allow now; returns how many."""
        clock, started = time.monotonic(), 0
        with self._lock:
            free = self.concurrency - sum(self._calls.values())
            for integration_id, ready in self._ready.items():
                rules = self.policy_of(integration_id)
                per_call = self.batch_of(rules)
                while ready and free > 0 and self._calls[integration_id] < rules.concurrency:
                    take = min(per_call, len(ready))
                    if rules.rate_requests:
                        take = min(take, rules.rate_requests - len(self._window(integration_id, rules, clock)))
                        if take < 1:
                            break
                    jobs = [ready.popleft() for _ in range(take)]
                    self._calls[integration_id] += 1
                    self._started[integration_id] += take
                    if rules.rate_requests:
                        self._sent[integration_id].extend([clock] * take)
                    free -= 1
                    started += take
                    if per_call > 1:
                        pool.submit(self._run_batch, jobs, done)
                    else:
                        pool.submit(self._run, jobs[0], done)
            self.max_calls_seen = max(self.max_calls_seen, sum(self._calls.values()))
        return started

    def _next_rate_opening(self) -> float | None:
        """Seconds until a rate-limited integration with buffered requests may call again, if any is waiting."""
        clock, soonest = time.monotonic(), None
        with self._lock:
            for integration_id, ready in self._ready.items():
                rules = self.policy_of(integration_id)
                window = self._sent[integration_id]
                if ready and window and rules.rate_requests and len(window) >= rules.rate_requests:
                    wait = window[0] + rules.rate_seconds - clock
                    soonest = wait if soonest is None else min(soonest, wait)
        return soonest

    def _run(self, job: handlers.Job, done: queue.Queue) -> None:
        try:
            result = self.call(job)
        finally:
            with self._lock:
                self._calls[job.integration_id] -= 1
            self._wake.set()  # a slot is free: the dispatcher starts the next buffered call
        done.put(result)

    def _run_batch(self, jobs: list[handlers.Job], done: queue.Queue) -> None:
        results: list[Done] = []
        try:
            results = self.call_batch(jobs)
        finally:
            with self._lock:
                self._calls[jobs[0].integration_id] -= 1
            self._wake.set()
        for result in results:
            done.put(result)

    def _take(self, done: queue.Queue, wait: float) -> tuple[list[Done], bool]:
        """Finished calls to record: waits up to `wait` for the first, then takes what is there (up to BATCH).
        The second value says the loop is ending (None was queued)."""
        batch: list[Done] = []
        try:
            item = done.get(timeout=wait) if wait > 0 else done.get_nowait()
        except queue.Empty:
            return batch, False
        while item is not None:
            batch.append(item)
            if len(batch) >= BATCH:
                return batch, False
            try:
                item = done.get_nowait()
            except queue.Empty:
                return batch, False
        return batch, True

    def _store(self, done: queue.Queue) -> None:
        """The store thread: records finished calls and claims more, until None is queued."""
        wait = 0.0
        while True:
            batch, ending = self._take(done, wait)
            room = None
            if not ending and not self._stop.is_set():
                ids, slots, total = self._room()
                room = (ids, slots, total) if ids else None
            try:
                if room is not None and not batch and not self._busy() and not self._due():
                    self._dry_out(room[0])  # idle: a read says so, without a write transaction
                    room = None
                if batch or room is not None:
                    self.store_round(batch, room)
            except duckdb.Error as exc:
                print(f"retry worker: {exc}", file=sys.stderr, flush=True)  # keep serving; nothing is lost
                if room is not None:
                    self._dry_out(room[0])
            if ending:
                return
            wait = 0.0 if batch or room is not None else self._until_undry()

    def _dry_out(self, integration_ids: list[int]) -> None:
        until = time.monotonic() + self.poll_seconds
        with self._lock:
            for integration_id in integration_ids:
                self._dry[integration_id] = until

    def _until_undry(self) -> float:
        """Seconds until a claim that found nothing may be tried again (at most poll_seconds)."""
        clock = time.monotonic()
        with self._lock:
            ends = [at - clock for at in self._dry.values() if at > clock]
        return max(0.005, min([self.poll_seconds, *ends]))

    def _busy(self) -> bool:
        with self._lock:
            return bool(self._inflight) or self._claiming

    def _finished(self) -> bool:
        """Nothing held, nothing due (in that order, and held checked again: a claim in between is seen)."""
        return not self._busy() and not self._due() and not self._busy()

    def run(self, once: bool = False) -> int:
        """The concurrent loop until stop() (or, with once, until nothing is due or running); returns how many
        requests it started."""
        self.refresh(force=True)
        self.requeue_interrupted()
        done: queue.Queue = queue.Queue()
        store = threading.Thread(target=self._store, args=(done,), name="retry-store", daemon=True)
        store.start()
        started = 0
        last_watch = last_sweep = time.monotonic()
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="retry-call")
        try:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    self.refresh()
                    started += self.start_calls(pool, done)
                    clock = time.monotonic()
                    if clock - last_watch >= self.deadline / 2:
                        self.reclaim(self.now() - timedelta(seconds=self.deadline + WATCHDOG_GRACE))
                        last_watch = clock
                    if not once and clock - last_sweep >= SWEEP_SECONDS:
                        self.sweep()
                        last_sweep = clock
                    if once and self._finished():
                        break
                except duckdb.Error as exc:
                    print(f"retry worker: {exc}", file=sys.stderr, flush=True)  # keep serving; nothing is lost
                opening = self._next_rate_opening()
                self._wake.wait(self.poll_seconds if opening is None else max(0.005, min(opening, self.poll_seconds)))
        finally:
            pool.shutdown(wait=not self._stop.is_set())
            done.put(None)
            store.join(timeout=None if not self._stop.is_set() else 5)
        return started

    def _due(self) -> bool:
        return queries.scalar(self._cursor(), "worker_due_count", now=self.now()) > 0

    def start(self) -> Worker:
        self._thread = threading.Thread(target=self._loop, name="retry-worker", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run()
            except Exception as exc:  # noqa: BLE001 - the app keeps serving; the worker starts over
                print(f"retry worker restarting after: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
                self._stop.wait(self.poll_seconds)

    def loop(self) -> None:
        self._loop()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return bool(self._thread and self._thread.is_alive())


def schedule(cur, entity_ids: list[int], attempt: int, delays: list[float], now: datetime) -> list[int]:
    """Queue the policy's retries (retry semantics: a pending 'retry' row by the policy, the record pending)."""
    queued = [r[0] for r in queries.rows(cur, "retry_request_insert_auto", ids=entity_ids, delays=delays,
                                         attempt=attempt, actor=AUTO_RETRY.name, now=now)]
    if queued:
        retry.mark_queued(cur, queued, AUTO_RETRY)
    return queued


def enabled() -> bool:
    """The app runs the worker in its lifespan unless ENTITIES_WORKER=off (then run `entities worker`)."""
    return os.environ.get("ENTITIES_WORKER", "on").strip().lower() not in ("off", "0", "false", "no")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=db.db_path(), help="database file (default: ENTITIES_DB or %(default)s)")
    parser.add_argument("--once", action="store_true", help="process what is due until nothing is, then exit")
    parser.add_argument("--concurrency", type=int, default=None, metavar="N",
                        help="handler calls at once (default: ENTITIES_WORKER_CONCURRENCY or "
                             f"{policy.DEFAULT_CONCURRENCY}); 1 processes one request at a time")


def run(args) -> int:
    con = db.connect(args.db)
    db.require_writable(args.db)
    if args.concurrency is not None and args.concurrency < 1:
        print("entities worker: --concurrency must be 1 or more", file=sys.stderr)
        return 2
    worker = Worker(con, concurrency=args.concurrency)
    if args.once:
        print(f"processed {worker.run(once=True)} retry request(s)", flush=True)
        return 0
    print(f"retry worker on {args.db}: {worker.concurrency} at once, Ctrl-C to stop", flush=True)
    worker.run()
    return 0
