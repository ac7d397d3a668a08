"""The app's lifespan: open the database once and start the background jobs; stop them on shutdown.

A job is anything with stop(). JOBS lists factories taking the shared connection and returning a job, or None
when the job is switched off by configuration.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager

import duckdb

from entities import db, retention
from entities.sync import worker
from entities.watch import evaluator, groups
from entities.web import control, ingest, tokens

log = logging.getLogger("entities")


def _retry_worker(con: duckdb.DuckDBPyConnection):
    return worker.Worker(con.cursor()).start() if worker.enabled() else None


class Periodic:
    """Calls fn every `seconds` on a thread of its own, and once more on stop()."""

    def __init__(self, name: str, seconds: float, fn: Callable[[], object]):
        self.fn, self.seconds, self._stop = fn, seconds, threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.seconds):
            self._call()

    def _call(self) -> None:
        try:
            self.fn()
        except Exception:  # noqa: BLE001 - a failed round is logged and tried again next time
            log.exception("%s failed", self._thread.name)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)
        self._call()


def _token_usage(con: duckdb.DuckDBPyConnection):
    cursor = con.cursor()
    return Periodic("token-usage", 5.0, lambda: tokens.USAGE.flush(cursor))


def _group_lifecycle(con: duckdb.DuckDBPyConnection):
    """Error groups follow the data: checked every second (a comparison), evaluated when the data version moved."""
    cursor, key = con.cursor(), db.db_key()
    return Periodic("group-lifecycle", 1.0, lambda: groups.sync_if_changed(cursor, key))


def _pruner(con: duckdb.DuckDBPyConnection):
    return retention.Pruner(con.cursor()).start() if retention.enabled() else None


def _server_file(con: duckdb.DuckDBPyConnection):
    return control.ServerFile(db.db_path())


def _alert_evaluator(con: duckdb.DuckDBPyConnection):
    every = evaluator.interval()
    return evaluator.AlertJob(con, every).start() if every else None


# Started in this order; the server file last, so a CLI command finds the app only once its jobs run.
JOBS: list[Callable[[duckdb.DuckDBPyConnection], object | None]] = [
    _retry_worker, ingest.ingest_writer, _token_usage, _group_lifecycle, _alert_evaluator, _pruner, _server_file]
running: dict[str, object] = {}


@asynccontextmanager
async def lifespan(app):
    try:
        con = db.shared()
    except db.DatabaseError as exc:
        log.error("background jobs not started: %s", exc)  # the pages show the same message to users
        yield {}
        return
    for factory in JOBS:
        job = factory(con)
        if job is not None:
            running[factory.__name__.lstrip("_")] = job
    try:
        yield {"db_path": db.db_path()}
    finally:
        for job in reversed(list(running.values())):
            job.stop()
        running.clear()
        db.close_shared()
