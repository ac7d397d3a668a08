"""Transactions made by the app (retries) and the sync engine's transactions never share an id, in any order."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from import_files import FORMATS, write_rows

from entities import db
from entities.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def engine_transactions(first: int, last: int) -> list[dict]:
    return [{"id": i, "integration_id": 1, "entity_type": "order", "entity_ref": "#1002",
             "occurred_at": f"2026-11-26T{i % 24:02d}:00:00Z", "operation": "update", "outcome": "error",
             "error_code": "ARTICLE_NOT_FOUND", "message": f"attempt {i}", "actor": "sync-engine"}
            for i in range(first, last + 1)]


@pytest.fixture
def imported(tmp_path) -> Path:
    target = tmp_path / "imported.duckdb"
    files = [str(shutil.copy(SAMPLES / f"{kind}.jsonl", tmp_path)) for kind in ("integrations", "entities")]
    assert main(["import", "--db", str(target), *files]) == 0
    return target


def entity_id(path: Path, ref: str) -> int:
    con = db.connect(path, read_only=True)
    try:
        return con.execute("select id from entities where retriever_ref = $r", {"r": ref}).fetchone()[0]
    finally:
        con.close()


def transactions(path: Path) -> list[tuple]:
    con = db.connect(path, read_only=True)
    try:
        return con.execute("select id, operation, outcome, actor from transactions order by id").fetchall()
    finally:
        con.close()


def retry_and_work(path: Path) -> None:
    assert main(["retry", "--db", str(path), "--id", str(entity_id(path, "#1002")), "--actor", "ops@example.com"]) == 0
    assert main(["worker", "--db", str(path), "--once"]) == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_retry_after_engine_import_then_next_export_all_load(fmt, imported, tmp_path, capsys):
    """An ops lead imports engine transactions 1-10, retries a record, then imports the engine's next export 11-20."""
    first = write_rows(tmp_path, "transactions-1", fmt, engine_transactions(1, 10))
    assert main(["import", "--db", str(imported), str(first)]) == 0

    retry_and_work(imported)
    second = write_rows(tmp_path, "transactions-2", fmt, engine_transactions(11, 20))
    assert main(["import", "--db", str(imported), str(second)]) == 0

    rows = transactions(imported)
    engine = [r[0] for r in rows if r[3] == "sync-engine"]
    app = [r for r in rows if r[3] != "sync-engine"]
    assert engine == list(range(1, 21))
    assert [(r[0], r[1]) for r in app] == [(-2, "retry"), (-1, "retry")], app
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("fmt", FORMATS)
def test_engine_export_after_a_retry_loads_every_row(fmt, imported, tmp_path):
    """A retry happens first; the engine's export with ids 1-5 then loads whole, nothing 'already stored'."""
    retry_and_work(imported)
    path = write_rows(tmp_path, "transactions", fmt, engine_transactions(1, 5))

    assert main(["import", "--db", str(imported), str(path)]) == 0

    assert [r[0] for r in transactions(imported) if r[3] == "sync-engine"] == [1, 2, 3, 4, 5]


def test_app_rows_from_an_exported_database_keep_their_ids_and_new_ones_follow(imported, tmp_path):
    """Transactions exported from an app database (negative ids) import as they are; the next retry gets a new id."""
    retry_and_work(imported)
    con = db.connect(imported, read_only=True)
    exported = tmp_path / "transactions.jsonl"
    con.execute("copy (select t.id, e.integration_id, e.type as entity_type, e.retriever_ref as entity_ref, "
                "t.occurred_at, t.operation, t.outcome, t.actor, t.message from transactions t "
                "join entities e on e.id = t.entity_id) to $p (format json)", {"p": str(exported)})
    con.close()
    other = tmp_path / "other.duckdb"
    samples = [str(SAMPLES / f"{kind}.jsonl") for kind in ("integrations", "entities")]
    assert main(["import", "--db", str(other), *samples, str(exported)]) == 0
    before = {r[0] for r in transactions(other)}

    retry_and_work(other)

    new = {r[0] for r in transactions(other)} - before
    assert len(new) == 2 and max(new) < min(before), (new, before)


def test_no_op_reimport_consumes_no_sequence_values(imported, tmp_path):
    """Importing the same entities twice, then one new entity: its id follows the last one with no gap."""
    entities = str(shutil.copy(SAMPLES / "entities.jsonl", tmp_path / "entities-again.jsonl"))
    last = entity_id(imported, "#1002")
    con = db.connect(imported, read_only=True)
    top = con.execute("select max(id) from entities").fetchone()[0]
    con.close()
    assert main(["import", "--db", str(imported), entities]) == 0
    assert main(["import", "--db", str(imported), entities]) == 0
    new = write_rows(tmp_path, "entities-new", "jsonl", [{
        "integration_id": 1, "type": "order", "status": "synced", "retriever_ref": "#9999",
        "last_updated": "2026-11-26T10:00:00Z"}])

    assert main(["import", "--db", str(imported), str(new)]) == 0

    assert entity_id(imported, "#9999") == top + 1 and last <= top


@pytest.mark.parametrize("command", [["demo", "--force"], ["import", str(SAMPLES / "entities.jsonl")],
                                     ["retry", "--id", "1"], ["worker", "--once"]], ids=lambda c: c[0])
def test_a_folder_as_database_is_one_line_and_an_exit_code(command, tmp_path, capsys):
    """A user passes a folder as --db: every command says what is wrong in one line and exits non-zero."""
    folder = tmp_path / "data"
    folder.mkdir()

    code = main([command[0], "--db", str(folder), *command[1:]])

    err = capsys.readouterr().err
    assert code not in (0, None) and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(f"entities {command[0]}: ")
    assert list(folder.iterdir()) == []
