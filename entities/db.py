"""Opening the database file, with clear errors for missing, unreadable or locked files."""
from __future__ import annotations

import itertools
import os
import re
import shutil
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import duckdb

import queries

DEFAULT_DB = "data/demo.duckdb"
_LOCK_PID = re.compile(r"PID (\d+)")


class DatabaseError(Exception):
    """A database problem a user can act on: what is wrong, which path, what to do."""

    def __init__(self, problem: str, path: str, action: str):
        super().__init__(f"{problem}: {path}. {action}")
        self.problem, self.path, self.action = problem, path, action


def db_path() -> str:
    return os.environ.get("ENTITIES_DB", DEFAULT_DB)


def _holder(pid: str | None) -> str:
    if not pid:
        return "another process"
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        cmd = ""
    return f"process {pid}" + (f" ({cmd[:120]})" if cmd else "")


def connect(path: str | os.PathLike, *, create: bool = False, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file. Never creates a file unless create=True, so a typo cannot make an empty database."""
    path = str(path)
    if not create and not Path(path).exists():
        raise DatabaseError("No database file found", path, "Create one with `entities demo --db PATH`, "
                            "or point ENTITIES_DB at an existing file.")
    try:
        con = duckdb.connect(path, read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            match = _LOCK_PID.search(text)
            raise DatabaseError(
                f"The database is in use by {_holder(match.group(1) if match else None)}",
                path,
                "Only one process can write to a DuckDB file. Stop that process (for example the running "
                "app), or run this command from inside it, then try again. Nothing was changed.",
            ) from exc
        raise DatabaseError(f"The database cannot be opened ({text.splitlines()[0]})", path,
                            "Check the path and file permissions, or regenerate it with `entities demo`.") from exc
    except duckdb.Error as exc:
        raise DatabaseError(f"The file is not a readable DuckDB database ({str(exc).splitlines()[0]})", path,
                            "Check that ENTITIES_DB points at a database made by `entities demo` or "
                            "`entities import`.") from exc
    queries.run(con, "session_utc")
    if not read_only:
        _migrate(con, path)
    return con


def _migrate(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Bring the file to the code's schema version; no DDL at all when it is already there."""
    current, latest = queries.schema_version(con), queries.latest_version()
    if current == latest and not queries.missing_versions(con):
        return
    if current > latest:
        con.close()
        raise DatabaseError(f"The database has schema version {current}, newer than this code's {latest}", path,
                            "Upgrade Junipeer Entities to open it. Nothing was changed.")
    if current >= 1 and path != ":memory:":
        queries.run(con, "demo_checkpoint")
        backup = f"{path}.v{current}.bak"
        shutil.copyfile(path, backup)
        missing = ", ".join(f"{v:04d}" for v in queries.missing_versions(con))
        print(f"Migrating {path} from schema version {current} (applying {missing}); the old file is kept at "
              f"{backup}", file=sys.stderr, flush=True)
    con.begin()
    try:
        queries.migrate(con, current)
        con.commit()
    except BaseException:
        con.rollback()
        raise


_shared: dict[str, duckdb.DuckDBPyConnection] = {}
_shared_lock = threading.Lock()


def db_key(path: str | os.PathLike | None = None) -> str:
    """The database file's absolute path: one key per file for per-database state in the process."""
    return str(Path(path or db_path()).resolve())


def shared(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """The process's one connection to a database file: the pages, the API and the background jobs all take
    cursors from it, so the process holds the file once."""
    key = db_key(path)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = connect(key)
        return _shared[key]


def close_shared() -> None:
    with _shared_lock:
        for con in _shared.values():
            con.close()
        _shared.clear()


# Every write in the process goes through write(): serialized, so concurrent writers (ingest, worker, retries)
# never meet a DuckDB write-write conflict, and each commit bumps the data version that page caches key on.
_WRITE_LOCK = threading.RLock()
_versions = itertools.count(1)
_data_version = 0


def data_version() -> int:
    return _data_version


def bump_version() -> None:
    global _data_version
    _data_version = next(_versions)


class Unchanged(Exception):  # noqa: N818 - a signal, not an error
    """Raise inside write() when the work turned out to change nothing: rolled back, the data version stays."""


@contextmanager
def write(con: duckdb.DuckDBPyConnection, bump: bool = True):
    """One serialized write transaction on con (a cursor of its own): commit on success, roll back on error.
    bump=False for bookkeeping that no cached page query reads (the alert evaluator's states)."""
    with _WRITE_LOCK:
        con.begin()
        try:
            yield con
            con.commit()
        except Unchanged:
            con.rollback()
            return
        except BaseException:
            try:
                con.rollback()
            except duckdb.TransactionException:
                pass  # a failed commit has already ended the transaction
            raise
        if bump:
            bump_version()


@contextmanager
def exclusive():
    """Hold the write lock without opening a transaction: CHECKPOINT cannot run inside one, nor beside writers."""
    with _WRITE_LOCK:
        yield
