"""The app's lifespan: open the database once and start the background jobs; stop them on shutdown.

A job is anything with stop(). JOBS lists factories taking the shared connection and returning a job, or None
when the job is switched off by configuration.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import asynccontextmanager

import duckdb

from entities import db
from entities.sync import worker
from entities.watch import evaluator

log = logging.getLogger("entities")


def _retry_worker(con: duckdb.DuckDBPyConnection):
    return worker.Worker(con.cursor()).start() if worker.enabled() else None


def _alert_evaluator(con: duckdb.DuckDBPyConnection):
    every = evaluator.interval()
    return evaluator.AlertJob(con, every).start() if every else None


JOBS: list[Callable[[duckdb.DuckDBPyConnection], object | None]] = [_retry_worker, _alert_evaluator]
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
        for job in running.values():
            job.stop()
        running.clear()
        db.close_shared()
