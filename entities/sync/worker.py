"""The retry worker: takes queued retry requests oldest first, hands each to the configured handler and records
the outcome. The app runs one in a daemon thread per database; `entities worker` runs it without the app.

A 202 from a webhook means the target accepted the retry and finishes it asynchronously: the request is
finished as `succeeded` (the hand-off worked, the queue moves on and a later retry is possible), the outcome
transaction is `pending` and the entity stays pending until a later sync reports back.

Cache staleness: every write goes through db.write(), which bumps the data version that page caches key on.
"""
from __future__ import annotations

import argparse
import os
import threading
import time

import duckdb

import queries
from entities import db
from entities.sync import handlers

ACTOR = "retry-worker"
POLL_SECONDS = 0.5
def _handler_from_env() -> handlers.Handler:
    try:
        return handlers.configured()[1]
    except ValueError as exc:
        problem = str(exc)

        def misconfigured(job: handlers.Job) -> handlers.Outcome:
            return handlers.Outcome("error", f"Retry handler misconfigured: {problem}", "", error_code="CONFIG")

        return misconfigured


class Worker:
    def __init__(self, con: duckdb.DuckDBPyConnection, handler: handlers.Handler | None = None,
                 on_change=None, poll_seconds: float = POLL_SECONDS):
        self.con = con
        self.handler = handler or _handler_from_env()
        self.on_change = on_change
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def requeue_interrupted(self) -> None:
        """Requests a stopped worker left running go back to the queue: nothing is lost."""
        queries.run(self.con, "worker_requests_requeue_running")

    def claim(self) -> int | None:
        try:
            return queries.scalar(self.con, "worker_request_claim")
        except duckdb.TransactionException:
            return None  # another worker claimed it in the same instant

    def process_one(self) -> int | None:
        """Handle the oldest queued request; returns its id, or None when the queue is empty."""
        request_id = self.claim()
        if request_id is None:
            return None
        row = queries.records(self.con, "worker_job", request_id=request_id)[0]
        payload = queries.scalar(self.con, "entity_last_request_payload", entity_id=row["entity_id"])
        job = handlers.Job(**row, last_request_payload=payload)
        started = time.monotonic()
        try:
            outcome = self.handler(job)
        except Exception as exc:  # noqa: BLE001 - a broken handler must not lose the request
            outcome = handlers.Outcome("error", f"Retry handler failed: {type(exc).__name__}: {exc}",
                                       "", error_code="HANDLER_FAILED")
        self.record(job, outcome, int((time.monotonic() - started) * 1000))
        return request_id

    def record(self, job: handlers.Job, outcome: handlers.Outcome, duration_ms: int) -> None:
        """In one DB transaction: the outcome transaction, the entity's new state, the finished request."""
        with db.write(self.con):
            transaction_id = queries.scalar(
                self.con, "transaction_insert_retry_outcome", entity_id=job.entity_id, outcome=outcome.outcome,
                error_code=outcome.error_code, message=outcome.message, request_payload=outcome.request_payload,
                response_payload=outcome.response_payload, duration_ms=duration_ms, actor=ACTOR)
            queries.run(self.con, "worker_entity_apply", entity_id=job.entity_id, outcome=outcome.outcome,
                        storer_ref=outcome.storer_ref, error_code=outcome.error_code, error_message=outcome.message)
            if outcome.outcome == "success":
                queries.run(self.con, "worker_children_mark_synced", entity_id=job.entity_id)
            queries.run(self.con, "worker_request_finish", request_id=job.request_id,
                        state="failed" if outcome.outcome == "error" else "succeeded", transaction_id=transaction_id)
        if self.on_change:
            self.on_change()

    def drain(self) -> int:
        """Process until the queue is empty; returns how many requests were handled."""
        handled = 0
        while not self._stop.is_set() and self.process_one() is not None:
            handled += 1
        return handled

    def loop(self) -> None:
        self.requeue_interrupted()
        while not self._stop.is_set():
            try:
                self.drain()
            except duckdb.Error as exc:
                print(f"retry worker: {exc}", flush=True)  # keep serving; the request stays queued or running
            self._stop.wait(self.poll_seconds)

    def start(self) -> Worker:
        self._thread = threading.Thread(target=self.loop, name="retry-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return bool(self._thread and self._thread.is_alive())


def enabled() -> bool:
    """The app runs the worker in its lifespan unless ENTITIES_WORKER=off (then run `entities worker`)."""
    return os.environ.get("ENTITIES_WORKER", "on").strip().lower() not in ("off", "0", "false", "no")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=db.db_path(), help="database file (default: ENTITIES_DB or %(default)s)")
    parser.add_argument("--once", action="store_true", help="process the queue until it is empty, then exit")


def run(args) -> int:
    con = db.connect(args.db)
    db.require_writable(args.db)
    worker = Worker(con)
    worker.requeue_interrupted()
    if args.once:
        print(f"processed {worker.drain()} retry request(s)")
        return 0
    print(f"retry worker on {args.db}: polling every {POLL_SECONDS} s, Ctrl-C to stop", flush=True)
    worker.loop()
    return 0
