"""Consistent copies of the database: one transaction's snapshot copied into a new file, while others keep writing.

`entities backup` calls make() (through the running app when the app holds the file); the app's daily job calls
daily(). A copy is written as NAME.partial and renamed when complete, so a backup file is never half-written.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

import queries
from entities import db

_LOCK = threading.Lock()  # the attach alias is per process: one backup at a time
PREFIX, SUFFIX = "entities-", ".duckdb"
FOLD_ATTEMPTS = 20


@dataclass(frozen=True)
class Made:
    path: Path
    bytes: int
    counts: dict[str, int]


def target(dest: str | os.PathLike, source: str | os.PathLike, now: dt.datetime | None = None) -> Path:
    """DEST itself, or a timestamped file in DEST when it is a folder."""
    dest = Path(dest)
    if dest.is_dir():
        stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
        return dest / f"{PREFIX}{Path(source).stem}-{stamp}{SUFFIX}"
    return dest


def make(con: duckdb.DuckDBPyConnection, dest: Path) -> Made:
    """Copy the database behind con into dest (which must not exist yet)."""
    if dest.exists():
        raise FileExistsError(17, "a file already exists there; choose another name or remove it", str(dest))
    partial = dest.with_name(dest.name + ".partial")
    with _LOCK:
        cur = con.cursor()
        try:
            partial.unlink(missing_ok=True)
            Path(f"{partial}.wal").unlink(missing_ok=True)
            catalog = queries.scalar(cur, "backup_catalog")
            queries.run(cur, "backup_attach", path=str(partial))
            try:
                queries.run(cur, "backup_copy", {"catalog": catalog})
            finally:
                with db.serialized():
                    queries.run(cur, "backup_detach")
            _fold_wal(cur, partial)
            os.replace(partial, dest)
        except BaseException:
            partial.unlink(missing_ok=True)
            Path(f"{partial}.wal").unlink(missing_ok=True)
            raise
        finally:
            cur.close()
    return Made(dest, dest.stat().st_size, counts(dest))


def _fold_wal(cur, path: Path) -> None:
    """Detaching writes the copy's journal into its file, unless a write transaction was open at that moment
    (db.serialized() keeps the app's writers out; an autocommit statement may still slip in): then attach and
    detach again, so the file alone is the backup."""
    for attempt in range(FOLD_ATTEMPTS):
        if not Path(f"{path}.wal").exists():
            return
        time.sleep(0.05 * attempt)
        with db.serialized():
            queries.run(cur, "backup_attach", path=str(path))
            queries.run(cur, "backup_detach")
    if Path(f"{path}.wal").exists():
        raise OSError(5, "the copy could not be written into one file (its .wal is left)", str(path))


def counts(path: Path) -> dict[str, int]:
    """Row counts of the copy, read back from the new file (proves it opens)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(queries.rows(con, "backup_counts"))
    finally:
        con.close()


def existing(folder: Path, source: str | os.PathLike) -> list[Path]:
    """This database's backups in folder, oldest first (the timestamp in the name sorts)."""
    return sorted(folder.glob(f"{PREFIX}{Path(source).stem}-*{SUFFIX}"))


def taken_at(path: Path) -> dt.datetime:
    """The UTC time in a backup's name (entities-<db>-YYYYmmddTHHMMSSZ.duckdb)."""
    stamp = path.name.removesuffix(SUFFIX).rsplit("-", 1)[-1]
    return dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def daily(con: duckdb.DuckDBPyConnection, folder: Path, source: str | os.PathLike, keep: int,
          now: dt.datetime | None = None) -> Made | None:
    """A backup unless one was made in the last 24 hours; then only the newest `keep` are kept."""
    folder.mkdir(parents=True, exist_ok=True)
    now = now or dt.datetime.now(dt.UTC)
    made = None
    have = existing(folder, source)
    if not have or now - taken_at(have[-1]) >= dt.timedelta(hours=24):
        made = make(con, target(folder, source, now))
    for old in existing(folder, source)[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    return made
