"""One batch of records of any import kind, as POST /api/v1/events receives it: staged from the request body,
then checked and written by the import's own code (importer.check_and_write) in ONE transaction, kinds in load
order. Re-sending a batch changes nothing; a crash leaves it wholly applied or not at all."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import duckdb

import queries
from entities import db
from entities.ingest import importer

FORMATS = {"jsonl": "newline_delimited", "array": "array"}
FORMAT_NAMES = {"jsonl": "JSON lines", "array": "a JSON array"}
_FILE = re.compile(r' in file "[^"]*",?')  # the temporary file's name means nothing to the sender


class Malformed(ValueError):
    """The body cannot be read as a batch; the message says where."""


def load(con: duckdb.DuckDBPyConnection, data: bytes, fmt: str) -> dict:
    """Stage, check and write one batch on con (a cursor of its own). Returns the response body:
    received, counts per kind and in total, and every rejected record with its index and reason."""
    with tempfile.TemporaryDirectory(prefix="entities-batch-") as tmp:
        folder = Path(tmp)
        body, batch = folder / "batch.json", str(folder / "batch.parquet")
        body.write_bytes(data)
        try:
            queries.run(con, "ingest_stage", path=str(body), format=FORMATS[fmt], staged=batch)
        except duckdb.Error as exc:
            where = _FILE.sub("", importer.reader_complaint(exc)).rstrip(". ")
            raise Malformed(f"the body cannot be read as {FORMAT_NAMES[fmt]}: {where}") from exc
        plan = queries.rows(con, "ingest_batch_kinds", batch=batch, kinds=list(importer.KINDS))
        present = {kind for row_no, kind, _, _ in plan if row_no is None}
        rejects = [_reject(row_no, kind, reason) for row_no, kind, _, reason in plan if row_no is not None]
        staged = {}
        for kind in (k for k in importer.KINDS if k in present):  # staged outside the write lock
            staged[kind] = str(folder / f"{kind}.staged.parquet")
            queries.run(con, "ingest_stage_kind", batch=batch, kind=kind, staged=staged[kind])
        counts = {}
        with db.write(con):
            for kind, path in staged.items():
                checked = str(folder / f"{kind}.checked.parquet")
                counts[kind] = importer.check_and_write(con, kind, path, checked)
                if counts[kind]["rejected"]:
                    rejects += [_reject(row_no, kind, reason)
                                for row_no, reason in queries.rows(con, "import_rejected", checked=checked)]
    rejects.sort(key=lambda r: r["index"])
    total = {key: sum(c[key] for c in counts.values()) for key in ("inserted", "updated", "unchanged")}
    return {"received": sum(records for _, _, records, _ in plan), **total, "rejected": len(rejects),
            "kinds": counts, "rejects": rejects}


def _reject(row_no: int, kind: str | None, reason: str) -> dict:
    return {"index": row_no - 1, "row": row_no, "kind": kind, "reason": reason}
