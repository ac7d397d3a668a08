"""The overview's counts (entity_hourly) stay equal to a full recount of the records through every kind of write:
file import (new rows and updates), HTTP ingest into the running app, retries, the worker's outcomes and prune."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
from api_helpers import make_tokens
from conftest import Server

import queries
from entities import db, retention
from entities.identity import LOCAL_ADMIN
from entities.ingest import importer
from entities.sync import retry, worker

RECOUNT = ("select integration_id, type, status, date_trunc('hour', last_updated) as hour, count(*) as records "
           "from entities group by all order by all")
KEPT = ("select integration_id, type, status, hour, sum(records) as records from entity_hourly group by all "
        "having sum(records) <> 0 order by all")


def counts(path):
    con = db.connect(path)
    try:
        return con.execute(KEPT).fetchall(), con.execute(RECOUNT).fetchall()
    finally:
        con.close()


def entity(ref: str, status: str, at: datetime, type_: str = "order") -> dict:
    row = {"integration_id": 1, "type": type_, "retriever_ref": ref, "status": status, "last_updated": at.isoformat()}
    return row | ({"error_code": "TIMEOUT", "error_message": "no answer"} if status == "error" else {})


def import_rows(con, tmp_path, name: str, rows: list[dict]) -> None:
    path = tmp_path / f"entities-{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = importer.import_file(con, importer.Source(path, "entities", "jsonl"))
    assert result.error is None and not result.counts["rejected"], result


def test_counts_equal_a_recount_after_a_mixed_workload(fixture_db, tmp_path):
    """Imports, an HTTP ingest, retries, worker outcomes and a prune leave the overview's counts exactly recounted."""
    now = datetime.now(UTC).replace(microsecond=0)
    con = db.connect(fixture_db)
    import_rows(con, tmp_path, "new", [entity(f"#h{i}", ("synced", "error", "pending")[i % 3],
                                              now - timedelta(hours=i)) for i in range(30)])
    import_rows(con, tmp_path, "changed", [entity(f"#h{i}", "synced" if i % 2 else "error", now - timedelta(minutes=i))
                                           for i in range(0, 30, 4)] + [entity("#1001", "error", now)])
    ids = [row["id"] for row in queries.records(con, "entity_page", {"order_by": "last_updated", "direction": "desc"},
                                                integration=1, type="order", statuses=["error"], q=None,
                                                updated_from=None, updated_to=None, error_group=None, limit=6,
                                                offset=0)]
    assert retry.request(con, ids, LOCAL_ADMIN).queued
    assert counts_now(con) == recount_now(con)  # pending now, before the worker
    worker.Worker(con).drain()
    retention.prune(con, now=now + timedelta(days=400))
    con.close()
    assert_counts_match(fixture_db)

    tokens = make_tokens(fixture_db, {"feed": ("ingest",)})
    server = Server(fixture_db)
    try:
        batch = [{"kind": "entities"} | entity(f"#h{i}", "error", now + timedelta(minutes=1)) for i in range(0, 30, 3)]
        batch += [{"kind": "entities"} | entity(f"#api{i}", "synced", now - timedelta(days=i)) for i in range(5)]
        answer = httpx.post(f"{server.url}/api/v1/events", content="\n".join(json.dumps(r) for r in batch),
                            headers={"Content-Type": "application/x-ndjson",
                                     "Authorization": f"Bearer {tokens['feed']}"}, timeout=60)
        assert answer.status_code == 200, answer.text
        assert (answer.json()["rejected"], answer.json()["inserted"], answer.json()["updated"]) == (0, 5, 10)
    finally:
        server.stop()
    assert_counts_match(fixture_db)


def counts_now(con):
    return con.execute(KEPT).fetchall()


def recount_now(con):
    return con.execute(RECOUNT).fetchall()


def assert_counts_match(path):
    kept, recounted = counts(path)
    assert kept == recounted
    assert sum(r[-1] for r in kept) > 30
