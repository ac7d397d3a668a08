"""Schema versions: a database made before versioning migrates forward once, with a copy kept beside it."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

import queries
from entities import db

V1 = Path(__file__).parent / "data" / "v1_fixture.duckdb"


@pytest.fixture
def v1_copy(tmp_path) -> Path:
    path = tmp_path / "old.duckdb"
    shutil.copy(V1, path)
    return path


def test_opening_a_v1_database_migrates_it_and_keeps_a_copy(v1_copy, capsys):
    """An ops lead upgrades the app and opens last month's database: it migrates, the old file is kept."""
    before = duckdb.connect(str(v1_copy), read_only=True).execute("select count(*) from entities").fetchone()[0]
    con = db.connect(v1_copy)
    assert queries.schema_version(con) == queries.latest_version()
    assert con.execute("select count(*) from entities").fetchone()[0] == before
    con.close()
    assert Path(f"{v1_copy}.v1.bak").exists()
    assert "from schema version 1" in capsys.readouterr().err


def test_an_up_to_date_database_opens_without_ddl(v1_copy):
    """Opening a current database twice runs no migration the second time (no new version rows)."""
    db.connect(v1_copy).close()
    con = db.connect(v1_copy)
    assert con.execute("select count(*) from schema_version").fetchone()[0] == len(queries.migrations())
    con.close()


def test_a_database_newer_than_the_code_is_refused(v1_copy):
    """A file written by a newer release is refused with a message, never altered."""
    con = db.connect(v1_copy)
    con.execute("insert into schema_version (version) values (9999)")
    con.close()
    with pytest.raises(db.DatabaseError, match="newer than this code"):
        db.connect(v1_copy)


def test_a_migration_numbered_below_the_highest_applied_one_is_still_applied(v1_copy, capsys):
    """A database that got migration 70 before migration 3 existed still gets 3 on the next open, and is told so."""
    con = db.connect(v1_copy)
    con.execute("drop table audit_log")
    con.execute("delete from schema_version where version = 3")
    con.close()
    con = db.connect(v1_copy)
    assert con.execute("select count(*) from audit_log").fetchone()[0] == 0
    assert queries.missing_versions(con) == []
    con.close()
    assert "applied migrations it had missed (0003)" in capsys.readouterr().err
