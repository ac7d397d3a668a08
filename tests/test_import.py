"""`entities import`: the data contract, the quarantine, idempotency, atomicity and the locked database."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import held_database

from entities import db
from entities.cli import main
from entities.ingest import importer

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
SAMPLE_FILES = [SAMPLES / f"{kind}.jsonl" for kind in importer.KINDS]
CHECKSUMS = {table: f"select count(*), sum(hash(t)) from {table} t"  # noqa: S608 (names from this tuple)
             for table in ("integrations", "flows", "entities", "children", "transactions")}

GOOD_ENTITY = {"integration_id": 1, "type": "order", "status": "synced", "retriever_ref": "#7001",
               "storer_ref": "F-7001", "children": 1, "created_at": "2026-11-26T10:00:00Z",
               "last_updated": "2026-11-26T10:05:00+01:00"}
GOOD_TRANSACTION = {"id": 777, "integration_id": 1, "entity_type": "order", "entity_ref": "#1001",
                    "occurred_at": "2026-11-26T10:00:00Z", "operation": "update", "outcome": "success",
                    "request_payload": {"order": {"name": "#1001"}}, "actor": "sync-engine"}
GOOD_CHILD = {"integration_id": 1, "entity_type": "order", "entity_ref": "#1003", "line_no": 9,
              "retriever_ref": "SKU-9", "quantity": 2, "amount": "19.90", "status": "pending"}
GOOD_FLOW = {"integration_id": 3, "type": "order", "enabled": True, "last_synced_at": "2026-11-26T10:00:00Z"}
GOOD_INTEGRATION = {"id": 9, "name": "Fjäll & Sjö", "retriever": "Shopify", "storer": "Fortnox"}
GOOD = {"entities": GOOD_ENTITY, "transactions": GOOD_TRANSACTION, "children": GOOD_CHILD, "flows": GOOD_FLOW,
        "integrations": GOOD_INTEGRATION}


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows))
    return path


def checksums(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {table: con.execute(sql).fetchone() for table, sql in CHECKSUMS.items()}
    finally:
        con.close()


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = db.connect(path, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def rejects(path: Path) -> list[dict]:
    con = duckdb.connect()
    rows = con.execute("select * from read_csv($p, header = true, all_varchar = true) order by row::int",
                       {"p": str(importer.rejects_path(path))})
    cols = [d[0] for d in rows.description]
    return [dict(zip(cols, r, strict=True)) for r in rows.fetchall()]


REJECTIONS = [
    ("entities", {**GOOD_ENTITY, "retriever_ref": None}, "missing required field retriever_ref"),
    ("entities", {k: v for k, v in GOOD_ENTITY.items() if k != "last_updated"}, "missing required field last_updated"),
    ("entities", {**GOOD_ENTITY, "status": "done"}, "unknown status 'done'"),
    ("entities", {**GOOD_ENTITY, "type": "invoice"}, "unknown type 'invoice'"),
    ("entities", {**GOOD_ENTITY, "last_updated": "26/11/2026 10:00"}, "last_updated '26/11/2026 10:00' is not a"),
    ("entities", {**GOOD_ENTITY, "last_updated": "2026-02-30T10:00:00Z"}, "is not a timestamp"),
    ("entities", {**GOOD_ENTITY, "last_updated": "2026-11-26T10:00:00"}, "has no time zone"),
    ("entities", {**GOOD_ENTITY, "created_at": "2026-11-26 10:00"}, "created_at '2026-11-26 10:00' has no time zone"),
    ("entities", {**GOOD_ENTITY, "integration_id": 99}, "unknown integration_id 99"),
    ("entities", {**GOOD_ENTITY, "integration_id": "one"}, "integration_id 'one' is not a whole number"),
    ("entities", {**GOOD_ENTITY, "children": -1}, "children '-1' is not a whole number >= 0"),
    ("entities", {**GOOD_ENTITY, "retriever_ref": "#1"}, "duplicate key: 2 rows"),
    ("entities", "[1, 2, 3]", "not a JSON object"),
    ("transactions", {**GOOD_TRANSACTION, "entity_ref": "#404"}, "unknown entity: no order '#404' in integration 1"),
    ("transactions", {**GOOD_TRANSACTION, "outcome": "ok"}, "unknown outcome 'ok'"),
    ("transactions", {**GOOD_TRANSACTION, "operation": "upsert"}, "unknown operation 'upsert'"),
    ("transactions", {**GOOD_TRANSACTION, "occurred_at": "yesterday"}, "occurred_at 'yesterday' is not a timestamp"),
    ("transactions", {**GOOD_TRANSACTION, "duration_ms": "fast"}, "duration_ms 'fast'"),
    ("transactions", {**GOOD_TRANSACTION, "id": 5000}, "duplicate key: 2 rows in this file have id 5000"),
    ("transactions", {**GOOD_TRANSACTION, "id": 1}, "id 1 is already stored with different content"),
    ("children", {**GOOD_CHILD, "entity_ref": "#404"}, "unknown entity: no order '#404'"),
    ("children", {**GOOD_CHILD, "amount": "12,50"}, "amount '12,50' is not a number"),
    ("children", {**GOOD_CHILD, "status": "ok"}, "unknown status 'ok'"),
    ("flows", {**GOOD_FLOW, "integration_id": 42}, "unknown integration_id 42"),
    ("flows", {**GOOD_FLOW, "enabled": "maybe"}, "enabled 'maybe' is not true or false"),
    ("integrations", {**GOOD_INTEGRATION, "name": ""}, "missing required field name"),
    ("integrations", {**GOOD_INTEGRATION, "id": 8, "name": "Nordic Outdoor"}, "is already used by integration 1"),
]


@pytest.mark.parametrize(("kind", "bad", "reason"), REJECTIONS, ids=[r[2][:40] for r in REJECTIONS])
def test_bad_row_is_quarantined_with_its_reason(kind, bad, reason, fixture_db, tmp_path, capsys):
    """A user imports a file with one bad row: it lands in the rejects file with its reason, the good row loads."""
    good = GOOD[kind]
    rows = [good, bad]
    if "duplicate key" in reason:  # the bad row's twin is a second row with the same key
        twin = {**bad, "occurred_at": "2026-11-26T11:00:00Z", "status": "error"}
        rows = [good, bad, twin]
    path = write_jsonl(tmp_path / f"{kind}.jsonl", rows)
    before = checksums(fixture_db)[kind]

    assert main(["import", "--db", str(fixture_db), str(path)]) == 2

    out = capsys.readouterr().out
    quarantined = rejects(path)
    assert quarantined and reason in quarantined[0]["reason"], quarantined
    assert quarantined[0]["row"] == "2"
    assert f"see {importer.rejects_path(path)}" in out
    assert checksums(fixture_db)[kind][0] == before[0] + 1, "the good row was not loaded"


def test_rejects_file_keeps_the_row_as_read(fixture_db, tmp_path):
    """The rejects file holds row number, reason and the record exactly as it was in the input."""
    line = '{"integration_id": 1, "type": "order", "status": "done", "retriever_ref": "#9", "last_updated": "x"}'
    path = write_jsonl(tmp_path / "entities.jsonl", [line])
    main(["import", "--db", str(fixture_db), str(path)])
    assert rejects(path) == [{"row": "1", "reason": "unknown status 'done' (allowed: synced, error, pending)",
                              "record": line}]


def test_samples_import_cleanly_and_are_queryable(tmp_path, capsys):
    """A new user imports the sample files into a new database and finds the records."""
    target = tmp_path / "new.duckdb"
    files = [shutil.copy(f, tmp_path) for f in SAMPLE_FILES]

    assert main(["import", "--db", str(target), *map(str, reversed(files))]) == 0

    out = capsys.readouterr().out
    assert "entities      entities.jsonl         7       7" in out
    assert query(target, "select status, storer_ref, error_code from entities where retriever_ref = '#1002'") == [
        ("error", None, "ARTICLE_NOT_FOUND")]
    history = query(target, "select t.operation, t.response_payload ->> '$.Invoice.DocumentNumber' "
                            "from transactions t join entities e on e.id = t.entity_id "
                            "where e.retriever_ref = '#1001' order by occurred_at")
    assert history == [("create", "F-5001"), ("update", "F-5001")]
    assert query(target, "select count(*) from children c join entities e on e.id = c.entity_id "
                         "where e.retriever_ref = '#1002'") == [(2,)]


@pytest.mark.parametrize("name", ["entities.csv", "entities.parquet"])
def test_csv_and_parquet_samples_import(name, tmp_path):
    """The entity sample in CSV and in Parquet loads the same seven records as the JSONL one."""
    target = tmp_path / "new.duckdb"
    main(["import", "--db", str(target), str(SAMPLES / "integrations.jsonl")])
    assert main(["import", "--db", str(target), str(shutil.copy(SAMPLES / name, tmp_path))]) == 0
    assert query(target, "select count(*), count(storer_ref), max(last_updated)::varchar from entities") == [
        (7, 4, "2026-11-26 11:00:00+00")]


def test_second_import_changes_nothing(tmp_path, capsys):
    """Importing the same files twice leaves every table identical; the second run loads and updates nothing."""
    target = tmp_path / "new.duckdb"
    files = [str(shutil.copy(f, tmp_path)) for f in SAMPLE_FILES]
    main(["import", "--db", str(target), *files])
    first = checksums(target)
    capsys.readouterr()

    assert main(["import", "--db", str(target), *files]) == 0

    assert checksums(target) == first
    out = capsys.readouterr().out
    assert "entities      entities.jsonl         7       0        0          7         0" in out
    assert "transactions  transactions.jsonl     8       0        0          8         0" in out


def test_newer_entity_row_updates_and_older_does_not(fixture_db, tmp_path, capsys):
    """A newer row for a known entity updates it; an older row for another changes nothing."""
    newer = {"integration_id": 1, "type": "order", "status": "synced", "retriever_ref": "#1002",
             "storer_ref": "F-5002", "children": 3, "last_updated": "2026-11-26T13:00:00+01:00"}
    older = {"integration_id": 1, "type": "order", "status": "error", "retriever_ref": "#1001",
             "last_updated": "2026-11-01T00:00:00Z"}
    path = write_jsonl(tmp_path / "entities-update.jsonl", [newer, older])

    assert main(["import", "--db", str(fixture_db), str(path)]) == 0

    assert "2       0        1          1         0" in capsys.readouterr().out
    rows = query(fixture_db, "select id, retriever_ref, status, storer_ref, last_updated::varchar, error_code "
                             "from entities where retriever_ref in ('#1001', '#1002') order by id")
    assert rows == [(1, "#1001", "synced", "F-5001", "2026-11-20 08:05:00+00", None),
                    (2, "#1002", "synced", "F-5002", "2026-11-26 12:00:00+00", None)]


UNREADABLE = [
    ("entities.jsonl", json.dumps(GOOD_ENTITY) + "\n" + json.dumps(GOOD_ENTITY)[:40], "line 2: unexpected end of data"),
    ("entities.csv", "integration_id,type,status,retriever_ref,last_updated\n1,order,synced,\"#1,x\n",
     "cannot be read as CSV"),
    ("entities.parquet", "PAR1 this is not parquet", "cannot be read as Parquet"),
]


@pytest.mark.parametrize(("name", "text", "problem"), UNREADABLE, ids=[u[0] for u in UNREADABLE])
def test_unreadable_file_leaves_database_unchanged(name, text, problem, fixture_db, tmp_path, capsys):
    """A truncated or corrupt file is reported by name and nothing from it reaches the database."""
    path = tmp_path / name
    path.write_text(text)
    before = checksums(fixture_db)

    assert main(["import", "--db", str(fixture_db), str(path)]) == 1

    out = capsys.readouterr().out
    assert f"{name}: " in out and problem in out and "nothing from this file was loaded" in out
    assert checksums(fixture_db) == before


def test_failed_file_does_not_undo_the_others(fixture_db, tmp_path, capsys):
    """With one good and one truncated file, the good file is loaded and the truncated one is not."""
    good = write_jsonl(tmp_path / "entities.jsonl", [GOOD_ENTITY])
    broken = tmp_path / "transactions.jsonl"
    broken.write_text(json.dumps(GOOD_TRANSACTION)[:50])
    assert main(["import", "--db", str(fixture_db), str(good), str(broken)]) == 1
    assert query(fixture_db, "select count(*) from entities where retriever_ref = '#7001'") == [(1,)]
    assert query(fixture_db, "select count(*) from transactions where id = 777") == [(0,)]


def test_invalid_json_payload_is_kept_and_flagged(fixture_db, tmp_path, capsys):
    """A payload that is not JSON is stored exactly as received and counted in the summary."""
    html = "<html><body>502 Bad Gateway</body></html>"
    rows = [{**GOOD_TRANSACTION, "response_payload": html},
            {**GOOD_TRANSACTION, "id": 778, "request_payload": '{"order": {"name": "#1001"'}]
    path = write_jsonl(tmp_path / "transactions.jsonl", rows)

    assert main(["import", "--db", str(fixture_db), str(path)]) == 0

    assert "2 payloads are not valid JSON (kept as text)" in capsys.readouterr().out
    assert query(fixture_db, "select response_payload, request_payload from transactions where id in (777, 778) "
                             "order by id") == [(html, '{"order": {"name": "#1001"}}'),
                                                (None, '{"order": {"name": "#1001"')]


def test_ten_megabyte_payload_is_stored(fixture_db, tmp_path):
    """A 10 MB payload imports and is stored whole."""
    big = json.dumps({"blob": "x" * 10_000_000})
    path = write_jsonl(tmp_path / "transactions.jsonl", [{**GOOD_TRANSACTION, "request_payload": big}])
    assert main(["import", "--db", str(fixture_db), str(path)]) == 0
    assert query(fixture_db, "select length(request_payload) from transactions where id = 777") == [(len(big),)]


def snapshot(path: Path) -> dict:
    """Every imported table in natural-key form (entity ids differ between databases)."""
    return {
        "integrations": query(path, "select * from integrations order by all"),
        "flows": query(path, "select * from flows order by all"),
        "entities": query(path, "select * exclude (id) from entities order by all"),
        "children": query(path, "select e.integration_id, e.type, e.retriever_ref, c.* exclude (entity_id) "
                                "from children c "
                                "join entities e on e.id = c.entity_id order by all"),
        "transactions": query(path, "select e.integration_id, e.type, e.retriever_ref, t.* exclude (entity_id) "
                                    "from transactions t "
                                    "join entities e on e.id = t.entity_id order by all"),
    }


EXPORTS = {
    "integrations": "select * from integrations",
    "flows": "select * from flows",
    "entities": "select * exclude (id) from entities",
    "children": "select e.integration_id, e.type as entity_type, e.retriever_ref as entity_ref, "
                "c.* exclude (entity_id) from children c join entities e on e.id = c.entity_id",
    "transactions": "select e.integration_id, e.type as entity_type, e.retriever_ref as entity_ref, "
                    "t.* exclude (entity_id) from transactions t join entities e on e.id = t.entity_id",
}
COPY_OPTIONS = {"jsonl": "format json", "csv": "format csv, header true", "parquet": "format parquet"}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_round_trip_through_each_format(fmt, fixture_db, tmp_path):
    """Exporting the fixture tables to files and importing them into an empty database gives the same rows."""
    con = db.connect(fixture_db, read_only=True)
    files = []
    for kind, select in EXPORTS.items():
        files.append(tmp_path / f"{kind}.{fmt}")
        con.execute(f"copy ({select}) to $p ({COPY_OPTIONS[fmt]})", {"p": str(files[-1])})
    con.close()
    target = tmp_path / "empty.duckdb"

    assert main(["import", "--db", str(target), *map(str, files)]) == 0

    assert snapshot(target) == snapshot(fixture_db)


def test_locked_database_exits_3_naming_the_process(fixture_db, tmp_path, capsys):
    """While another process holds the database, import names that process, exits 3 and loads nothing."""
    with held_database(fixture_db) as pid:
        path = write_jsonl(tmp_path / "entities.jsonl", [GOOD_ENTITY])
        assert main(["import", "--db", str(fixture_db), str(path)]) == 3
        err = capsys.readouterr().err
        assert f"in use by process {pid}" in err and "Nothing was changed" in err
    assert query(fixture_db, "select count(*) from entities where retriever_ref = '#7001'") == [(0,)]


@pytest.mark.parametrize(("name", "kind"), [
    ("entities.jsonl", "entities"), ("entities-2026-11.csv", "entities"),
    ("transactions_part1.parquet", "transactions"),
    ("Flows.ndjson", "flows"), ("children.json", "children"), ("orders.jsonl", None),
])
def test_kind_comes_from_the_file_name(name, kind):
    """A file's kind is the kind its name starts with."""
    assert importer.kind_of(Path(name)) == kind


def test_unknown_file_name_needs_kind_flag(fixture_db, tmp_path, capsys):
    """A file whose name names no kind is refused with the naming rule; --kind makes it load."""
    path = write_jsonl(tmp_path / "export-42.jsonl", [GOOD_ENTITY])
    assert main(["import", "--db", str(fixture_db), str(path)]) == 1
    assert "cannot tell the record kind" in capsys.readouterr().err
    assert main(["import", "--db", str(fixture_db), "--kind", "entities", str(path)]) == 0


def test_format_flag_overrides_extension(fixture_db, tmp_path):
    """--format reads a file whose extension says nothing, e.g. a .txt export."""
    path = tmp_path / "entities.txt"
    path.write_text("integration_id,type,status,retriever_ref,last_updated\n1,order,synced,#7002,2026-11-26T10:00:00Z\n")
    assert main(["import", "--db", str(fixture_db), "--format", "csv", str(path)]) == 0


def test_staged_examples_match_the_check_queries(fixture_db, tmp_path):
    """The example inputs of the import SQL files (data/samples/staged) have the columns the checks write."""
    con = db.connect(fixture_db)
    sources, _ = importer.plan([str(f) for f in SAMPLE_FILES], None, None)
    for source in sources:
        assert importer.import_file(con, source, keep_checked=tmp_path).error is None
    for kind in importer.KINDS:
        fresh = con.execute("describe select * from read_parquet($p)", {"p": str(tmp_path / f"{kind}.parquet")})
        fresh = fresh.fetchall()
        kept = con.execute("describe select * from read_parquet($p)",
                           {"p": str(SAMPLES / "staged" / f"{kind}.parquet")}).fetchall()
        assert fresh == kept, kind
    con.close()
