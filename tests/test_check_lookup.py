"""The entities check finds stored rows through the retriever_ref index for small loads (API posts) and by a join
over every entity for large ones; both must judge every row the same."""
from __future__ import annotations

import json

import duckdb

from entities import db
from entities.ingest import importer

ROWS = [
    {"integration_id": 1, "type": "order", "retriever_ref": "#1001", "status": "error",  # newer: update
     "last_updated": "2026-11-27T08:00:00Z", "error_code": "TIMEOUT", "error_message": "no answer"},
    {"integration_id": 1, "type": "order", "retriever_ref": "#1002", "status": "error",  # as stored: unchanged
     "last_updated": "2026-11-26T09:30:00Z", "total": "3647.00", "currency": "SEK"},
    {"integration_id": 1, "type": "order", "retriever_ref": "#1003", "status": "synced",  # older: unchanged
     "last_updated": "2026-11-01T00:00:00Z"},
    {"integration_id": 1, "type": "order", "retriever_ref": "#1004", "status": "error",  # same time, new money
     "last_updated": "2026-11-26T10:15:00Z", "total": "104.80", "currency": "EUR"},
    {"integration_id": 2, "type": "order", "retriever_ref": "#1001", "status": "synced",  # same ref, other key
     "last_updated": "2026-11-27T08:00:00Z"},
    {"integration_id": 1, "type": "customer", "retriever_ref": "#new-1", "status": "synced",  # new: insert
     "last_updated": "2026-11-27T08:00:00Z"},
    {"integration_id": 1, "type": "customer", "retriever_ref": "#new-1", "status": "error",  # duplicate key
     "last_updated": "2026-11-27T09:00:00Z"},
    {"integration_id": 99, "type": "order", "retriever_ref": "#x", "status": "synced",  # unknown integration
     "last_updated": "2026-11-27T08:00:00Z"},
]


def checked_rows(path, tmp_path, few: bool) -> list[tuple]:
    source = importer.Source(tmp_path / "entities.jsonl", "entities", "jsonl")
    source.path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    staged, checked = str(tmp_path / f"staged-{few}.parquet"), str(tmp_path / f"checked-{few}.parquet")
    con = db.connect(path)
    try:
        con.begin()
        importer.stage(con, source, staged)
        importer.check_and_write(con, "entities", staged, checked, few=few)
        con.rollback()
    finally:
        con.close()
    return duckdb.connect().execute("select * exclude (record) from read_parquet($p) order by row_no",
                                    {"p": checked}).fetchall()


def test_index_lookup_and_join_judge_rows_alike(fixture_db, tmp_path):
    """A post checked through the index gets the same reasons and actions as the same rows from a file."""
    rows = checked_rows(fixture_db, tmp_path, few=True)
    assert rows == checked_rows(fixture_db, tmp_path, few=False)
    actions = [(row[1], row[2]) for row in rows]  # (reason, action)
    assert [a for _, a in actions[:6]] == ["update", "unchanged", "unchanged", "update", "insert", None]
    assert actions[6][0].startswith("duplicate key") and actions[7][0].startswith("unknown integration_id")
