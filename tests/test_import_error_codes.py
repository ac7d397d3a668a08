"""The error catalogue: shipped in every new database, and importable as the sixth kind, error_codes."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from import_files import FORMATS, write_rows

import queries
from entities import db
from entities.cli import main
from entities.ingest import importer

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
CODE = {"code": "FORTNOX_2001302", "title": "Customer number in use", "severity": "high",
        "cause": "Fortnox error 2001302: the customer number already exists.", "fix": "Link the existing customer.",
        "transient": "permanent"}


def detail(path: Path, ref: str) -> dict:
    con = db.connect(path, read_only=True)
    try:
        entity_id = con.execute("select id from entities where retriever_ref = $r", {"r": ref}).fetchone()[0]
        return queries.records(con, "entity_detail", entity_id=entity_id)[0]
    finally:
        con.close()


def test_imported_database_explains_article_not_found(tmp_path):
    """A new user imports the samples into a new database: ARTICLE_NOT_FOUND shows its severity, cause and fix."""
    target = tmp_path / "new.duckdb"
    files = [str(shutil.copy(SAMPLES / f"{kind}.jsonl", tmp_path)) for kind in ("integrations", "entities")]
    assert main(["import", "--db", str(target), *files]) == 0

    shown = detail(target, "#1002")

    assert (shown["error_code"], shown["severity"], shown["transient"]) == ("ARTICLE_NOT_FOUND", "high", False)
    assert shown["error_cause"] and shown["error_fix"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_error_codes_file_adds_and_updates_codes(fmt, fixture_db, tmp_path, capsys):
    """An ops lead imports their own codes: a new one is added, a known one (TIMEOUT) is updated."""
    timeout = {**CODE, "code": "TIMEOUT", "title": "Storer timed out", "severity": "medium", "transient": "true"}
    path = write_rows(tmp_path, "error_codes", fmt, [CODE, timeout])

    assert main(["import", "--db", str(fixture_db), str(path)]) == 0

    assert "2       1        1          0         0" in capsys.readouterr().out
    con = db.connect(fixture_db, read_only=True)
    rows = con.execute("select code, title, transient from error_codes where code in ('FORTNOX_2001302', 'TIMEOUT') "
                       "order by code").fetchall()
    con.close()
    assert rows == [("FORTNOX_2001302", "Customer number in use", False), ("TIMEOUT", "Storer timed out", True)]


@pytest.mark.parametrize(("bad", "reason"), [
    ({**CODE, "severity": "urgent"}, "unknown severity 'urgent' (allowed: low, medium, high, critical)"),
    ({**CODE, "transient": "sometimes"}, "transient 'sometimes' is not true, false, transient or permanent"),
    ({k: v for k, v in CODE.items() if k != "fix"}, "missing required field fix"),
])
def test_bad_error_code_row_is_rejected(bad, reason, fixture_db, tmp_path):
    """A catalogue row with an unknown severity, an unclear transient flag or no fix is quarantined with why."""
    path = write_rows(tmp_path, "error-codes", "jsonl", [bad])
    assert main(["import", "--db", str(fixture_db), str(path)]) == 2
    with importer.rejects_path(path).open(newline="") as f:
        assert [r["reason"] for r in csv.DictReader(f)] == [reason]
