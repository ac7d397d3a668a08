"""Batches of records of any import kind, as POST /api/v1/events receives them: staged from the request bodies,
then checked and written by the import's own code (importer.check_and_write) in ONE transaction, kinds in load
order. Re-sending a batch changes nothing; a crash leaves it wholly applied or not at all.

Several batches that arrive together are loaded as one (load_many): the per-statement cost is paid once, which is
what lets many small posts per second through. If they share a key, the batches are loaded one by one instead, so
each gets exactly the answer it would get alone."""
from __future__ import annotations

import json
import re
import secrets
import tempfile
from pathlib import Path

import duckdb

import queries
from entities import db
from entities.ingest import importer

FORMATS = {"jsonl": "newline_delimited", "array": "array"}
FORMAT_NAMES = {"jsonl": "JSON lines", "array": "a JSON array"}
STRIDE = 2**32  # row_no = request * STRIDE + position: merged batches keep their rows apart
_FILE = re.compile(r' in file "[^"]*",?')  # the temporary file's name means nothing to the sender
IN_FILE = "in this file"  # the check queries' wording for keys repeated within one input
STAGING_PREFIX = "entities-batch-"


class Malformed(ValueError):
    """The body cannot be read as a batch; the message says where."""


class _Overlap(Exception):
    """Merged batches share a key: load them one by one."""


def load(con: duckdb.DuckDBPyConnection, data: bytes, fmt: str) -> dict:
    """Stage, check and write one batch on con (a cursor of its own). Returns the response body: received,
    counts per kind and in total, and every rejected record with its index and reason. Raises Malformed."""
    [result] = load_many(con, [data], fmt)
    if isinstance(result, Malformed):
        raise result
    return result


def load_many(con: duckdb.DuckDBPyConnection, bodies: list[bytes], fmt: str, folder: Path | None = None,
              ids_ahead: bool = False) -> list[dict | Malformed]:
    """Load batches of one format in one transaction; one result (or Malformed) per body, in order. folder: a
    staging folder of the caller's own to reuse (its files are overwritten), else a temporary one. ids_ahead: see
    importer.check_and_write."""
    if folder is None:
        with tempfile.TemporaryDirectory(prefix=STAGING_PREFIX) as tmp:
            return load_many(con, bodies, fmt, Path(tmp), ids_ahead)
    batch = str(folder / "batch.parquet")
    try:
        _stage(con, bodies, fmt, folder, batch)
    except duckdb.Error as exc:
        if len(bodies) > 1:
            return [load_many(con, [body], fmt, folder, ids_ahead)[0] for body in bodies]
        where = _FILE.sub("", importer.reader_complaint(exc)).rstrip(". ")
        return [Malformed(f"the body cannot be read as {FORMAT_NAMES[fmt]}: {where}")]
    return _load_staged(con, bodies, fmt, folder, batch, ids_ahead)


def _stage(con, bodies: list[bytes], fmt: str, folder: Path, batch: str) -> None:
    """The bodies into the staged batch file: JSON lines joined into one file, arrays (and a lone body) as files."""
    if fmt == "jsonl" and len(bodies) > 1:
        separator = json.dumps({"entities-batch": secrets.token_hex(16)}, separators=(",", ":"))
        joined = folder / "joined.json"
        with joined.open("wb") as out:
            for body in bodies:
                out.write(separator.encode() + b"\n")
                out.write(body if body.endswith(b"\n") else body + b"\n")
        queries.run(con, "ingest_stage_joined", path=str(joined), separator=separator, stride=STRIDE, staged=batch)
        return
    paths = []
    for i, body in enumerate(bodies):
        paths.append(str(folder / f"request-{i}.json"))
        Path(paths[-1]).write_bytes(body)
    queries.run(con, "ingest_stage", paths=paths, format=FORMATS[fmt], stride=STRIDE, staged=batch)


def _load_staged(con, bodies: list[bytes], fmt: str, folder: Path, batch: str,
                 ids_ahead: bool) -> list[dict | Malformed]:
    results = [_empty() for _ in bodies]
    present: dict[str, int] = {}
    for request, row_no, kind, records, reason in queries.rows(con, "ingest_batch_plan", batch=batch,
                                                               kinds=list(importer.KINDS)):
        results[request]["received"] += records
        if row_no is None:
            present[kind] = present.get(kind, 0) + records
        else:
            results[request]["rejects"].append(_reject(row_no % STRIDE, kind, reason))
    staged = {}
    for kind in (k for k in importer.KINDS if k in present):  # staged outside the write lock
        if len(present) == 1 and not any(result["rejects"] for result in results):
            staged[kind] = batch  # one known kind only: the batch is already in the checks' shape
            continue
        staged[kind] = str(folder / f"{kind}.staged.parquet")
        queries.run(con, "ingest_stage_kind", batch=batch, kind=kind, staged=staged[kind])
    try:
        with db.write(con):
            for kind, path in staged.items():
                _check_and_write(con, kind, path, str(folder / f"{kind}.checked.parquet"), results, ids_ahead,
                                 present[kind] <= importer.FEW_ROWS)
    except _Overlap:
        return [load_many(con, [body], fmt, folder, ids_ahead)[0] for body in bodies]
    for result in results:
        _finish(result)
    return results


def _check_and_write(con, kind: str, staged: str, checked: str, results: list[dict], ids_ahead: bool,
                     few: bool) -> None:
    counts = importer.check_and_write(con, kind, staged, checked, ids_ahead=ids_ahead, few=few)
    if not counts["rejected"] and len(results) == 1:
        results[0]["kinds"][kind] = counts
        return
    for row in queries.records(con, "ingest_counts_by_request", checked=checked, stride=STRIDE):
        results[row.pop("request")]["kinds"][kind] = row
    for row_no, reason in queries.rows(con, "import_rejected", checked=checked) if counts["rejected"] else ():
        if IN_FILE in reason and len(results) > 1:
            raise _Overlap
        results[row_no // STRIDE]["rejects"].append(_reject(row_no % STRIDE, kind, reason.replace(IN_FILE,
                                                                                                     "in this batch")))


def _empty() -> dict:
    return {"received": 0, "inserted": 0, "updated": 0, "unchanged": 0, "rejected": 0, "kinds": {}, "rejects": []}


def _finish(result: dict) -> None:
    for key in ("inserted", "updated", "unchanged"):
        result[key] = sum(counts[key] for counts in result["kinds"].values())
    result["rejects"].sort(key=lambda r: r["index"])
    result["rejected"] = len(result["rejects"])


def _reject(row_no: int, kind: str | None, reason: str) -> dict:
    return {"index": row_no - 1, "row": row_no, "kind": kind, "reason": reason}
