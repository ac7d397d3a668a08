"""Faults a user meets with real files: a full disk or TMPDIR, a read-only folder, a damaged block, killed runs.
Each test checks: no traceback, one clear message, and no lost or stuck rows."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, held_database, open_app, wait_until
from faultkit import (
    counts,
    damage,
    entities,
    entities_jsonl,
    fill,
    nobody_can_run,
    one_line_error,
    python_as_nobody,
    shared_folder,
    tmpfs,
)

import queries
from entities import check, db, identity
from entities.sync import retry

SAMPLE_ENTITIES = ROOT / "data" / "samples" / "entities.jsonl"


@pytest.fixture
def full_disk(tmp_path, fixture_db):
    """The fixture database on a small filesystem that is then filled; yields (db path, filler file)."""
    with tmpfs(tmp_path / "disk", "16m") as disk:
        path = disk / "entities.duckdb"
        shutil.copy(fixture_db, path)
        yield path, fill(disk)


@pytest.fixture(autouse=True)
def _forget_modes():
    yield
    db.close_shared()
    db._blocked.clear()


@pytest.mark.parametrize(("command", "args"), [
    ("import", [SAMPLE_ENTITIES]),
    ("retry", ["--id", "2", "--id", "21"]),
])
def test_full_disk_cli_says_which_filesystem_and_exits_3(full_disk, tmp_path, command, args):
    """A user runs a writing command on a full disk: one line names the full filesystem, and nothing changes."""
    path, filler = full_disk
    before = counts(path)
    big = entities_jsonl(tmp_path / "entities-big.jsonl", 60_000) if command == "import" else None
    result = entities(command, "--db", path, *([big] if big else args))
    line = one_line_error(result, command)
    assert result.returncode == 3
    assert f"No space left on the filesystem at {path.parent}" in line and "holding the database" in line
    filler.unlink()
    assert counts(path) == before
    assert entities("check", "--db", path).returncode == 0


def test_full_tmpdir_import_blames_tmpdir_not_the_file(fixture_db, tmp_path):
    """An import whose TMPDIR is full says so, naming TMPDIR, instead of calling the input file unreadable."""
    big = entities_jsonl(tmp_path / "entities-big.jsonl", 60_000)
    before = counts(fixture_db)
    with tmpfs(tmp_path / "tmp", "200k") as tmp:
        result = entities("import", "--db", fixture_db, big, env={"TMPDIR": str(tmp)})
        line = one_line_error(result, "import")
        assert result.returncode == 3
        assert f"No space left on the filesystem at {tmp}" in line and f"TMPDIR {tmp}" in line
        assert "cannot be read" not in result.stdout + result.stderr
        assert not list(tmp.glob("entities-import-*")), "the staging folder was left behind"
    assert counts(fixture_db) == before


def test_full_disk_demo_leaves_no_partial_file(tmp_path):
    """`entities demo` on a disk too small for it ends with one line and leaves neither PATH nor PATH.tmp."""
    with tmpfs(tmp_path / "disk", "6m") as disk:
        result = entities("demo", "--db", disk / "demo.duckdb", "--entities", "3000")
        line = one_line_error(result, "demo")
        assert result.returncode == 3 and "No space left on the filesystem" in line
        assert sorted(p.name for p in disk.iterdir()) == []


def test_app_opens_a_full_disk_read_only_and_returns_by_itself(full_disk):
    """The app opens a database on a full disk read-only, refuses writes with the reason, and writes again once
    space is freed."""
    path, filler = full_disk
    con = db.shared(path)
    reason = db.read_only_reason(path)
    assert isinstance(reason, db.CannotWrite) and "No space left" in reason.problem
    assert queries.records(con.cursor(), "entity_detail", entity_id=2)[0]["retriever_ref"] == "#1002"
    with pytest.raises(db.CannotWrite, match="No space left"):
        retry.request(db.shared(path).cursor(), [2], identity.LOCAL_ADMIN)
    db.supervise(path)
    assert db.read_only_reason(path) is not None, "still full: stays read-only"
    filler.unlink()
    db.supervise(path)
    assert db.read_only_reason(path) is None
    assert retry.request(db.shared(path).cursor(), [2], identity.LOCAL_ADMIN).queued == [2]


def test_app_enters_read_only_when_the_disk_fills_while_it_runs(full_disk):
    """Space runs out while the app runs: the next probe switches it to read-only; pages still read."""
    path, filler = full_disk
    filler.unlink()
    db.shared(path)
    assert db.read_only_reason(path) is None
    filler = fill(path.parent)
    db.supervise(path)
    assert "No space left" in db.read_only_reason(path).problem
    assert queries.records(db.shared(path).cursor(), "entity_detail", entity_id=2)[0]["retriever_ref"] == "#1002"


READ_ONLY_APP = """
import sys
from entities import db, identity
from entities.sync import retry
import queries
path = sys.argv[1]
con = db.shared(path)
print("reason:", db.read_only_reason(path))
print("entities:", len(queries.rows(con.cursor(), "integrations_list")) > 0,
      con.cursor().execute("select count(*) from entities").fetchone()[0])
try:
    retry.request(con.cursor(), [2], identity.LOCAL_ADMIN)
except db.CannotWrite as exc:
    print("refused:", exc.problem)
"""


@pytest.mark.parametrize("locked", ["folder", "file"])
def test_read_only_folder_or_file_opens_read_only_for_an_unprivileged_user(fixture_db, locked):
    """A user without root's capabilities opens a database in a read-only folder (or a read-only file): the app
    shows everything read-only with the reason and refuses writes; the CLI says so in one line, exit 3."""
    nobody_can_run()
    with shared_folder() as folder:
        path = folder / "entities.duckdb"
        shutil.copy(fixture_db, path)
        shutil.chown(path, "nobody")
        if locked == "file":
            path.chmod(0o444)
        else:
            folder.chmod(0o555)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        app = python_as_nobody(READ_ONLY_APP, path)
        assert "Traceback" not in app.stderr, app.stderr
        assert "read-only for this user" in app.stdout
        assert f"entities: True {counts(path)['entities']}" in app.stdout
        assert "refused: The " in app.stdout
        for command, *args in (("retry", "--id", "2"), ("worker", "--once"), ("import", SAMPLE_ENTITIES)):
            result = entities(command, "--db", path, *args, nobody=True)
            line = one_line_error(result, command)
            assert result.returncode == 3, result.stderr
            assert "cannot be written" in line or "read-only for this user" in line
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert not list(folder.glob("*.wal"))


WRITE_FAILS_THEN_WORKS = """
import sys
from entities import db
from entities.sync import retry
from entities import identity
path = sys.argv[1]
con = db.shared(path)
print("start:", db.read_only_reason(path), flush=True)
sys.stdin.readline()  # the test makes the folder read-only now
try:
    retry.request(db.shared(path).cursor(), [2], identity.LOCAL_ADMIN)
    print("written")
except db.CannotWrite as exc:
    print("refused:", exc.problem, flush=True)
print("mode:", type(db.read_only_reason(path)).__name__, flush=True)
sys.stdin.readline()  # the test makes it writable again
db.supervise(path)
print("mode:", type(db.read_only_reason(path)).__name__, flush=True)
print("queued:", retry.request(db.shared(path).cursor(), [2], identity.LOCAL_ADMIN).queued, flush=True)
"""


def test_a_failed_write_switches_to_read_only_and_back(fixture_db):
    """The folder turns read-only under a running app: the retry is refused with the reason, the app goes
    read-only, and once the folder is writable again the app writes again by itself (no restart)."""
    nobody_can_run()
    with shared_folder() as folder:
        path = folder / "entities.duckdb"
        shutil.copy(fixture_db, path)
        shutil.chown(path, "nobody")
        shutil.chown(folder, "nobody")
        proc = subprocess.Popen([*["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"],
                                 sys.executable, "-c", WRITE_FAILS_THEN_WORKS, str(path)], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "start: None"
        shutil.chown(folder, "root")
        folder.chmod(0o555)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        assert proc.stdout.readline().startswith("refused: The database cannot be written")
        assert proc.stdout.readline().strip() == "mode: CannotWrite"
        shutil.chown(folder, "nobody")
        folder.chmod(0o755)
        out, err = proc.communicate("go\n", timeout=60)
        assert "Traceback" not in err, err
        assert out.splitlines() == ["mode: NoneType", "queued: [2]"]


@pytest.fixture
def damaged_db(demo_db, tmp_path) -> tuple[Path, list[check.Damage]]:
    path = tmp_path / "damaged.duckdb"
    shutil.copy(demo_db, path)
    damage(path)
    con = db.connect(path, read_only=True)
    report = check.scan(con)
    con.close()
    assert report.damage, "the garbage did not land in a table block"
    return path, report.damage


def test_check_reports_the_damaged_table_and_rows(damaged_db):
    """`entities check` on a damaged file names each damaged table and row range, exits 2, and marks the file
    so that writers refuse it."""
    path, found = damaged_db
    result = entities("check", "--db", path)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 2
    for item in found:
        assert f"DAMAGED {item.table}: rows {item.first_row:,}–{item.last_row:,}" in result.stdout
    imported = entities("import", "--db", path, SAMPLE_ENTITIES)
    assert imported.returncode == 3 and "damaged" in one_line_error(imported, "import")


def test_check_of_a_clean_database_says_so(demo_db):
    """`entities check` on a healthy database reads every row and says no damage was found."""
    result = entities("check", "--db", demo_db)
    assert result.returncode == 0 and "No damage found." in result.stdout
    assert f"read {sum(counts(demo_db).values()):,}" not in result.stdout  # also integrations, flows, codes


def test_failed_migration_leaves_the_file_untouched(tmp_path):
    """Opening last month's database on a full disk: the migration cannot run, the file is unchanged, no copy is
    left, and the app shows it read-only."""
    v1 = Path(__file__).parent / "data" / "v1_fixture.duckdb"
    with tmpfs(tmp_path / "disk", "8m") as disk:
        path = disk / "old.duckdb"
        shutil.copy(v1, path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        filler = fill(disk)
        with pytest.raises(db.CannotWrite, match="No space left"):
            db.connect(path)
        db.shared(path)
        assert isinstance(db.read_only_reason(path), db.CannotWrite)
        db.close_shared()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "old.duckdb"]
        filler.unlink()


def test_migration_is_announced_in_the_app(tmp_path, monkeypatch):
    """The first page after an upgrade says the database was migrated and where the old file is kept."""
    path = tmp_path / "old.duckdb"
    shutil.copy(Path(__file__).parent / "data" / "v1_fixture.duckdb", path)
    monkeypatch.setenv("ENTITIES_DB", str(path))
    at = open_app()
    assert not at.exception
    assert any(f"the old file is kept at {path}.v1.bak" in i.value for i in at.info)


@pytest.mark.parametrize("point", ["staging", "validating", "writing"])
def test_killed_import_loses_nothing_and_its_leftovers_are_removed(fixture_db, tmp_path, point):
    """An import killed at any point leaves the database as it was; the next import removes its temp folder
    and says so; the file does not keep growing."""
    big = entities_jsonl(tmp_path / "entities-big.jsonl", 60_000)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    before, size = counts(fixture_db), fixture_db.stat().st_size
    env = {"TMPDIR": str(tmp)}
    log = tmp_path / "import.log"
    for _ in range(2):
        with log.open("w") as err:
            proc = subprocess.Popen([sys.executable, "-m", "entities.cli", "import", "--db", str(fixture_db),
                                     str(big)], cwd=ROOT, env={**os.environ, **env},
                                    stdout=subprocess.DEVNULL, stderr=err)
            mine = f"entities-import-{proc.pid}-*"
            wait_until(lambda: list(tmp.glob(mine)) if point == "staging"  # noqa: B023 - waited on at once
                       else point in log.read_text(), 120, f"the import to reach {point}")
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        assert counts(fixture_db) == before
        assert list(tmp.glob(mine)), "a SIGKILL leaves its staging folder"
    assert fixture_db.stat().st_size <= size + 8 * 2**20, "killed imports grew the file"
    result = entities("import", "--db", fixture_db, SAMPLE_ENTITIES, env=env)
    assert "Removed 1 staging folder(s)" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp.glob("entities-import-*"))


def test_terminated_import_removes_its_staging_folder(fixture_db, tmp_path):
    """`kill PID` (SIGTERM) on an import: it stops, says so, and its temp folder is gone at once."""
    big = entities_jsonl(tmp_path / "entities-big.jsonl", 60_000)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    before = counts(fixture_db)
    proc = subprocess.Popen([sys.executable, "-m", "entities.cli", "import", "--db", str(fixture_db), str(big)],
                            cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: list(tmp.glob("entities-import-*/staged.parquet")), 120, "staging to start")
    proc.terminate()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert not list(tmp.glob("entities-import-*"))
    assert counts(fixture_db) == before


def test_killed_demo_leftover_is_reported_and_removed(tmp_path):
    """A demo killed mid-way leaves PATH.tmp; the next demo says it removes it, and PATH is complete."""
    path = tmp_path / "demo.duckdb"
    partial = tmp_path / "demo.duckdb.tmp"
    proc = subprocess.Popen([sys.executable, "-m", "entities.cli", "demo", "--db", str(path), "--entities", "20000"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: partial.exists() and partial.stat().st_size > 1 << 20, 120, "the demo to write PATH.tmp")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert partial.exists() and not path.exists()
    result = entities("demo", "--db", path, "--entities", "500")
    assert result.returncode == 0
    assert f"removing {partial}" in result.stderr and "left by an interrupted run" in result.stderr
    assert not partial.exists() and counts(path)["entities"] == 500


def test_lock_message_in_the_browser_says_what_to_do_there(fixture_db, monkeypatch):
    """The app finds its database held by another process: the page names it and says what to do from a browser."""
    monkeypatch.setenv("ENTITIES_DB", str(fixture_db))
    with held_database(fixture_db) as pid:
        at = open_app()
    assert not at.exception
    text = at.error[0].value
    assert f"process {pid}" in text and "reload this page" in text
    assert "from inside it" not in text


LONG = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/some/very/long/path/" * 3


@pytest.mark.parametrize(("argv", "kept"), [
    (["/work/.venv/bin/python", "/work/.venv/bin/entities", "serve", "--db", "/data/live.duckdb",
      "--server.port", "8501"], "python entities serve --db /data/live.duckdb --server.port 8501"),
    (["/usr/bin/python3", "-m", "entities.cli", "import", "--db", "/data/x.duckdb", LONG + "entities.jsonl"],
     "--db /data/x.duckdb"),
    (["python", "-m", "streamlit", "run", LONG + "app.py", "--server.port", "9000", "--db", "/d.duckdb"],
     "--server.port 9000 --db /d.duckdb"),
])
def test_holder_command_line_keeps_db_and_port(argv, kept):
    """The lock message shows the holder's command with its --db and port, however long its paths are."""
    assert kept in db.command_line(argv)
