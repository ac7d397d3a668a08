"""In a real browser: the console on a full disk (read-only banner, Retry disabled, back by itself) and on a
damaged file (a clear message and the backup pointer, never a traceback)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import Server
from faultkit import damage, fill, tmpfs

from entities import check, db

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


def test_full_disk_shows_read_only_banner_and_disabled_retry_then_recovers(fixture_db, tmp_path, page):
    """An ops lead opens an order while the database's disk is full: a banner says why and what to do, Retry is
    disabled with that reason; once space is freed the banner goes and Retry works, without a restart."""
    with tmpfs(tmp_path / "disk", "16m") as disk:
        path = disk / "entities.duckdb"
        shutil.copy(fixture_db, path)
        filler = fill(disk)
        server = Server(path, env={"ENTITIES_PROBE_SECONDS": "0.5"}, log=tmp_path / "server.log")
        try:
            page.goto(f"{server.url}/entity?id=4")
            page.get_by_text("Read-only mode.").wait_for()
            page.get_by_text(f"No space left on the filesystem at {disk}").first.wait_for()
            retry = page.get_by_role("button", name="Retry")
            assert retry.is_disabled()
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / "faults-read-only.png"), full_page=True)
            filler.unlink()
            page.get_by_text("Read-only mode.").wait_for(state="detached", timeout=30_000)
            page.get_by_role("button", name="Retry").click()
            page.get_by_role("button", name="Confirm retry").click()
            page.get_by_text("Retry finished: success.").wait_for(timeout=30_000)
            assert "Traceback" not in page.content()
        finally:
            server.stop()


def test_damaged_block_shows_message_banner_and_backup_pointer(demo_db, tmp_path, page):
    """An ops lead opens a record whose history sits in a damaged block: a clear message, the damaged banner
    pointing to the backups, Retry disabled; no traceback."""
    path = tmp_path / "damaged.duckdb"
    shutil.copy(demo_db, path)
    damage(path)
    con = db.connect(path, read_only=True)
    hit = next(d for d in check.scan(con).damage if d.table == "transactions")
    con.close()
    original = db.connect(demo_db, read_only=True)
    entity_id = original.execute("select entity_id from transactions where rowid = $r",
                                 {"r": hit.first_row}).fetchone()[0]
    original.close()
    server = Server(path, env={"ENTITIES_BACKUP_DIR": str(tmp_path / "backups")})
    try:
        page.goto(f"{server.url}/entity?id={entity_id}")
        page.get_by_text("The database file is damaged.").wait_for()
        page.get_by_text(f"Backups of this app are in {tmp_path / 'backups'}").wait_for()
        assert page.get_by_role("button", name="Retry").is_disabled()
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "faults-damaged.png"), full_page=True)
        assert "Traceback" not in page.content()
        assert Path(f"{path}.damaged").exists()
    finally:
        server.stop()
