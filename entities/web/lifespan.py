"""The app's lifespan: open the database once and start the background jobs; stop them on shutdown.

A job is anything with stop(). JOBS lists factories taking the shared connection and returning a job, or None
when the job is switched off by configuration. A supervisor probes the database every ENTITIES_PROBE_SECONDS:
when it switches to or from read-only mode (entities/db.py) the connection is new, so the jobs are restarted on
it; in read-only mode only READ_ONLY_JOBS run.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

import duckdb

from entities import backup, db, retention
from entities.sync import worker
from entities.watch import evaluator, groups
from entities.web import control, ingest, tokens

log = logging.getLogger("entities")
PROBE_SECONDS = 10.0
BACKUP_CHECK_SECONDS = 3600.0
DEFAULT_BACKUP_KEEP = 7


def _retry_worker(con: duckdb.DuckDBPyConnection):
    return worker.Worker(con.cursor()).start() if worker.enabled() else None


class Periodic:
    """Calls fn every `seconds` on a thread of its own (first: also at once), and once more on stop() (final)."""

    def __init__(self, name: str, seconds: float, fn: Callable[[], object], first: bool = False,
                 final: bool = True):
        self.fn, self.seconds, self.first, self.final, self._stop = fn, seconds, first, final, threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        if self.first:
            self._call()
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
        if self.final:
            self._call()


def _token_usage(con: duckdb.DuckDBPyConnection):
    cursor = con.cursor()
    return Periodic("token-usage", 5.0, lambda: tokens.USAGE.flush(cursor))


def _group_lifecycle(con: duckdb.DuckDBPyConnection):
    """Error groups follow the data: checked every second (a comparison), evaluated when the data version moved."""
    cursor, key = con.cursor(), db.db_key()
    return Periodic("group-lifecycle", 1.0, lambda: groups.sync_if_changed(cursor, key))


def _daily_backup(con: duckdb.DuckDBPyConnection):
    """ENTITIES_BACKUP_DIR set: a backup there when the newest is a day old, keeping ENTITIES_BACKUP_KEEP."""
    folder = os.environ.get("ENTITIES_BACKUP_DIR", "").strip()
    if not folder:
        return None
    raw = os.environ.get("ENTITIES_BACKUP_KEEP", "").strip() or str(DEFAULT_BACKUP_KEEP)
    if not raw.isdigit() or int(raw) < 1:
        log.error("daily backups off: ENTITIES_BACKUP_KEEP must be a whole number of at least 1, got %r", raw)
        return None
    keep = int(raw)

    def once():
        made = backup.daily(db.shared(), Path(folder), db.db_path(), keep)
        if made:
            log.info("daily backup written to %s (%.1f MB)", made.path, made.bytes / 2**20)

    return Periodic("daily-backup", BACKUP_CHECK_SECONDS, once, first=True, final=False)


def _pruner(con: duckdb.DuckDBPyConnection):
    return retention.Pruner(con.cursor()).start() if retention.enabled() else None


def _server_file(con: duckdb.DuckDBPyConnection):
    return control.ServerFile(db.db_path())


def _alert_evaluator(con: duckdb.DuckDBPyConnection):
    every = evaluator.interval()
    return evaluator.AlertJob(con, every).start() if every else None


# Started in this order; the server file last, so a CLI command finds the app only once its jobs run.
JOBS: list[Callable[[duckdb.DuckDBPyConnection], object | None]] = [
    _retry_worker, ingest.ingest_writer, _token_usage, _group_lifecycle, _alert_evaluator, _pruner, _daily_backup,
    _server_file]
READ_ONLY_JOBS = {_daily_backup, _server_file}  # the others write, so they wait for read-write mode
running: dict[str, object] = {}


def start_jobs() -> None:
    try:
        con = db.shared()
    except db.DatabaseError as exc:
        log.error("background jobs not started: %s", exc)  # the pages show the same message to users
        return
    read_only = db.read_only_reason() is not None
    for factory in JOBS:
        if read_only and factory not in READ_ONLY_JOBS:
            continue
        try:
            job = factory(con)
        except Exception:  # noqa: BLE001 - one job that cannot start must not keep the pages from serving
            log.exception("background job %s not started", factory.__name__.lstrip("_"))
            continue
        if job is not None:
            running[factory.__name__.lstrip("_")] = job


def stop_jobs() -> None:
    for job in reversed(list(running.values())):
        job.stop()
    running.clear()


class Supervisor:
    """Leaves or enters read-only mode (db.supervise) and restarts the jobs whenever the connection was reopened."""

    def __init__(self, seconds: float):
        self.generation = db.generation()
        self.periodic = Periodic("db-supervisor", seconds, self.check, final=False)

    def check(self) -> None:
        try:
            db.supervise()
        finally:
            if db.generation() != self.generation:
                self.generation = db.generation()
                reason = db.read_only_reason()
                log.warning("database reopened %s", f"read-only: {reason}" if reason else "read-write")
                stop_jobs()
                start_jobs()

    def stop(self) -> None:
        self.periodic.stop()


@asynccontextmanager
async def lifespan(app):
    try:
        db.shared()
    except db.DatabaseError as exc:
        log.error("background jobs not started: %s", exc)  # the pages show the same message to users
        yield {}
        return
    start_jobs()
    supervisor = Supervisor(float(os.environ.get("ENTITIES_PROBE_SECONDS", PROBE_SECONDS)))
    try:
        yield {"db_path": db.db_path()}
    finally:
        supervisor.stop()
        stop_jobs()
        db.close_shared()
