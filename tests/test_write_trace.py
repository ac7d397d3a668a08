"""ENTITIES_WRITE_TRACE: who held the write lock and what each ingest load spent its time on, off by default."""
from __future__ import annotations

import json
import time

import pytest

from entities import db, trace
from entities.cli import bench_trace
from entities.watch import groups
from entities.web.ingest import IngestWriter

BODY = (b'{"kind":"entities","integration_id":1,"type":"order","retriever_ref":"#trace-1","status":"error",'
        b'"last_updated":"2026-11-26T10:00:00Z","error_code":"TIMEOUT","error_message":"no answer"}\n')


def ingest_and_sync(path) -> dict:
    """One post through the app's ingest writer, then an error-group sync, as the served app runs them."""
    con = db.connect(path)
    writer = IngestWriter(con.cursor())
    try:
        answer = writer.submit(BODY, "jsonl").result(60)
        groups.sync(con.cursor())
    finally:
        writer.stop()
        con.close()
    return answer


@pytest.fixture
def traced(tmp_path, monkeypatch):
    """The trace switched on as ENTITIES_WRITE_TRACE=FILE does at the app's start."""
    path = tmp_path / "trace.jsonl"
    monkeypatch.setattr(trace, "ON", True)
    monkeypatch.setattr(trace, "PATH", str(path))
    return path


def test_trace_shows_lock_holders_and_each_loads_statements(fixture_db, traced):
    """An operator tracing the app sees the ingest load's statements and every holder of the write lock."""
    began = time.time()
    assert ingest_and_sync(fixture_db)["inserted"] == 1
    lines = [json.loads(line) for line in traced.read_text().splitlines()]
    [load] = [r for r in lines if r["kind"] == "ingest_load"]
    assert load["posts"] == 1 and "import_check_entities" in [name for name, _, _ in load["statements"]]
    holders = {r["holder"] for r in lines if r["kind"] == "lock"}
    assert {bench_trace.INGEST_HOLDER, "watch.groups.sync"} <= holders
    summary = bench_trace.summary(bench_trace.read(traced, began, time.time()), time.time() - began)
    assert summary["loads"] == 1 and summary["commit_ms_median"] > 0


def test_nothing_is_traced_by_default(fixture_db, tmp_path, monkeypatch):
    """Without ENTITIES_WRITE_TRACE the same work writes no trace."""
    path = tmp_path / "trace.jsonl"
    monkeypatch.setattr(trace, "PATH", str(path))
    assert not trace.ON
    ingest_and_sync(fixture_db)
    assert not path.exists()
