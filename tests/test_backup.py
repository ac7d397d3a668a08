"""Backups: a consistent copy while the data changes, through the running app, daily with the last N kept,
and the documented restore."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from pathlib import Path

import duckdb
import httpx
import pytest
from conftest import Server, wait_until
from faultkit import counts, entities, entities_jsonl

import queries
from entities import backup, db, identity
from entities.ingest import importer
from entities.sync import retry
from entities.web import tokens

BATCH = 500


@pytest.fixture(autouse=True)
def _fresh_shared():
    yield
    db.close_shared()
    db._blocked.clear()


def _restore(backup_file: Path, path: Path) -> None:
    """README › Backups and restore: stop the app, remove PATH.wal, copy the backup over PATH."""
    Path(f"{path}.wal").unlink(missing_ok=True)
    shutil.copy(backup_file, path)


def test_backup_during_live_import_is_a_point_in_time_and_restores(fixture_db, tmp_path):
    """Backups taken while imports keep writing each hold a whole number of imports, open, check clean, and a
    restore brings exactly that state back."""
    base = counts(fixture_db)["entities"]
    files = [entities_jsonl(tmp_path / f"entities-{i}.jsonl", BATCH, prefix=f"B{i}-") for i in range(6)]
    con = db.shared(fixture_db)
    done = []

    def ingest():
        cur = con.cursor()
        for f in files:
            result = importer.import_file(cur, importer.Source(f, "entities", "jsonl"))
            assert result.error is None, result.error
            done.append(f)

    writer = threading.Thread(target=ingest)
    writer.start()
    made = []
    for seen in (1, 3):
        wait_until(lambda seen=seen: len(done) >= seen, 120, f"{seen} imports")
        made.append(backup.make(db.shared(fixture_db), tmp_path / f"backup-{seen}.duckdb"))
    writer.join(120)
    assert len({m.counts["entities"] for m in made}) == 2, "the backups should differ: the data kept changing"
    for m in made:
        assert (m.counts["entities"] - base) % BATCH == 0, f"{m.path} holds part of an import"
        assert entities("check", "--db", m.path).returncode == 0
    db.close_shared()
    _restore(made[0].path, fixture_db)
    assert counts(fixture_db)["entities"] == made[0].counts["entities"]
    assert queries.schema_version(duckdb.connect(str(fixture_db), read_only=True)) == queries.latest_version()


def _post_batches(url: str, token: str, batches: int, posted: list) -> None:
    for b in range(batches):
        body = "\n".join(json.dumps({"kind": "entities", "integration_id": 1, "type": "order",
                                     "retriever_ref": f"H{b}-{i}", "status": "synced",
                                     "last_updated": "2026-11-26T12:00:00Z"}) for i in range(BATCH))
        answer = httpx.post(f"{url}/api/v1/events", content=body.encode(), timeout=120,
                            headers={"Content-Type": "application/x-ndjson", "Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        posted.append(b)


def test_backup_cli_goes_through_the_running_app_while_it_ingests_and_retries(demo_db, tmp_path):
    """`entities backup` while the app takes HTTP ingest batches and its worker records retries: the app makes the
    copy, and it holds whole batches only and an outcome transaction for every finished request."""
    path = tmp_path / "live.duckdb"
    shutil.copy(demo_db, path)
    con = db.connect(path)
    ids = [r[0] for r in con.execute("select id from entities where id not in "
                                     "(select entity_id from retry_requests where state in ('queued', 'running'))"
                                     ).fetchall()]
    retry.request(con, ids, identity.LOCAL_ADMIN)
    token = tokens.create(con, identity.CLI, "engine", ["ingest"])["token"]
    con.close()
    server = Server(path, log=tmp_path / "server.log")
    posted: list = []
    sender = threading.Thread(target=_post_batches, args=(server.url, token, 8, posted))
    try:
        wait_until(lambda: Path(f"{path}.server.json").exists(), 60, "the app's server file")
        sender.start()
        wait_until(lambda: len(posted) >= 2, 120, "two ingested batches")
        result = entities("backup", "--db", path, "--to", tmp_path / "copy.duckdb")
        sender.join(120)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert f"by the running app (process {server.proc.pid})" in result.stdout
    assert len(posted) == 8, "every batch was accepted"
    copy = duckdb.connect(str(tmp_path / "copy.duckdb"), read_only=True)
    finished, outcomes, ingested = copy.execute(
        "select (select count(*) from retry_requests where state in ('succeeded', 'failed') and requested_by = $who),"
        " (select count(*) from transactions where actor = 'retry-worker' and id < 0),"
        " (select count(*) from entities where retriever_ref like 'H%-%')",
        {"who": identity.LOCAL_ADMIN.name}).fetchone()
    copy.close()
    assert finished == outcomes
    assert ingested % BATCH == 0 and ingested >= 2 * BATCH, f"the copy holds {ingested} ingested rows: part of a batch"


def test_backup_refuses_to_overwrite(fixture_db, tmp_path):
    """Backing up onto an existing file is refused in one line, and that file is left as it was."""
    existing = tmp_path / "keep.duckdb"
    existing.write_bytes(b"precious")
    result = entities("backup", "--db", fixture_db, "--to", existing)
    assert result.returncode == 2 and "already exists" in result.stderr
    assert existing.read_bytes() == b"precious"


def test_daily_backups_keep_the_last_n(fixture_db, tmp_path):
    """With ENTITIES_BACKUP_KEEP=2, three days of daily backups leave the newest two; a second run the same day
    makes none."""
    folder = tmp_path / "backups"
    con = db.connect(fixture_db)
    start = dt.datetime.now(dt.UTC)
    made = [backup.daily(con, folder, fixture_db, keep=2, now=start + dt.timedelta(days=day)) for day in range(3)]
    again = backup.daily(con, folder, fixture_db, keep=2, now=start + dt.timedelta(days=2, hours=1))
    con.close()
    assert all(made) and again is None
    assert backup.existing(folder, fixture_db) == [m.path for m in made[1:]]


@pytest.mark.parametrize("keep", ["abc", "0", "-2", "1.5"])
def test_bad_backup_keep_turns_daily_backups_off_with_a_message(fixture_db, tmp_path, monkeypatch, caplog, keep):
    """An admin sets ENTITIES_BACKUP_KEEP to something that is not a count: the app starts, says daily backups
    are off and why, and writes no backup."""
    from entities.web import lifespan

    monkeypatch.setenv("ENTITIES_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("ENTITIES_BACKUP_KEEP", keep)
    with caplog.at_level("ERROR", logger="entities"):
        job = lifespan._daily_backup(db.shared(fixture_db))
    assert job is None
    assert f"ENTITIES_BACKUP_KEEP must be a whole number of at least 1, got {keep!r}" in caplog.text
    assert not (tmp_path / "backups").exists()
