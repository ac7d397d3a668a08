"""Opening the database file, with clear errors for missing, unreadable or locked files."""
from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

import queries
from entities import disk, trace

DEFAULT_DB = "data/demo.duckdb"
_LOCK_PID = re.compile(r"PID (\d+)")


class DatabaseError(Exception):
    """A database problem a user can act on: what is wrong, which path, what to do (browser_action: in a browser)."""

    def __init__(self, problem: str, path: str, action: str, browser_action: str | None = None):
        super().__init__(f"{problem}: {path}. {action}")
        self.problem, self.path, self.action = problem, path, action
        self.browser_action = browser_action or action


class CannotWrite(DatabaseError):
    """The file can be read but not written (full disk, read-only file or folder, a failed write): read-only mode."""


class Damaged(DatabaseError):
    """A read met a damaged block: the database is shown read-only and writers refuse it."""


RESTORE_HINT = ("Run `entities check --db {path}` to see which tables and rows are affected, then restore the latest "
                "backup (README, Backups and restore). Writes are refused until then.")
_DAMAGE_TEXT = ("Corrupt database file", "checksum")
_INVALIDATED = "database has been invalidated"


def db_path() -> str:
    return os.environ.get("ENTITIES_DB", DEFAULT_DB)


def _holder(pid: str | None) -> str:
    if not pid:
        return "another process"
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        argv = []
    return f"process {pid}" + (f" ({command_line(argv)})" if any(argv) else "")


def command_line(argv: list[str], limit: int = 300) -> str:
    """A holder's command line short enough to read, keeping every option (--db PATH, the port): interpreter and
    script paths become their names, and only over-long single arguments are cut."""
    args = [a for a in argv if a]
    args = [Path(a).name if i < 2 and a.startswith("/") else a for i, a in enumerate(args)]
    text = " ".join(args)
    if len(text) > limit:
        text = " ".join(a if len(a) <= 60 else a[:28] + "…" + a[-28:] for a in args)
    return text


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
                browser_action="Only one process can write to a DuckDB file, and this app could not open it. Ask "
                "whoever runs that process to stop it (for example an `entities import` or `entities worker` in a "
                "terminal), then reload this page. Nothing was changed.",
            ) from exc
        if not read_only and (kind := disk.kind_of(text)):
            raise _cannot_write(kind, path, text) from exc
        raise DatabaseError(f"The database cannot be opened ({text.splitlines()[0]})", path,
                            "Check the path and file permissions, or regenerate it with `entities demo`.") from exc
    except duckdb.Error as exc:
        raise DatabaseError(f"The file is not a readable DuckDB database ({str(exc).splitlines()[0]})", path,
                            "Check that ENTITIES_DB points at a database made by `entities demo` or "
                            "`entities import`.") from exc
    queries.run(con, "session_utc")
    if not read_only:
        if (known := known_damage(path)) is not None:
            con.close()
            raise known
        try:
            _migrate(con, path)
        except (duckdb.Error, OSError) as exc:
            con.close()
            problem = fault_of(exc, path)
            if problem is None:
                raise
            raise problem from exc
    return con


def _cannot_write(kind: str, path: str, text: str = "", problem: str | None = None) -> CannotWrite:
    failed_on = disk.path_in(text) or path
    problem = problem or (disk.problem_text(kind, failed_on, path) if kind != "not writable" else
                          f"The database cannot be written (no permission to write {failed_on})")
    return CannotWrite(problem, path, "Free space there (or fix the permissions) and try again. Nothing was lost; "
                       "a running app shows everything read-only meanwhile and returns to normal by itself.",
                       browser_action="Everything is shown, but retries and other changes are disabled. Free space "
                       "there or fix the permissions: the app returns to normal by itself within a minute. "
                       "Nothing was lost.")


def require_writable(path: str | os.PathLike) -> None:
    """Raise CannotWrite when the file or its folder cannot take a write now (for commands that write on a loop,
    whose own writes would fail one by one)."""
    if probe := disk.write_probe(path):
        raise _cannot_write(probe[0], str(path), problem=probe[1])


def fault_of(exc: BaseException, path: str) -> DatabaseError | None:
    """The DatabaseError a DuckDB or OS error means (a damaged block, a refused write), or None for other errors."""
    text = str(exc)
    if isinstance(exc, DatabaseError):
        return exc if isinstance(exc, CannotWrite | Damaged) else None
    if any(marker in text for marker in _DAMAGE_TEXT):
        first = " ".join(text.split())[:200]
        return Damaged(f"A block of the file cannot be read ({first})", path, RESTORE_HINT.format(path=path))
    kind = disk.kind_of(text, getattr(exc, "errno", None))
    if kind:
        return _cannot_write(kind, path, text)
    if _INVALIDATED in text or isinstance(exc, duckdb.FatalException):
        return _cannot_write("full" if "No space" in text else "not writable", path, text)
    return None


def _migrate(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Bring the file to the code's schema version; no DDL at all when it is already there."""
    current, latest = queries.schema_version(con), queries.latest_version()
    if current == latest and not queries.missing_versions(con):
        return
    if current > latest:
        con.close()
        raise DatabaseError(f"The database has schema version {current}, newer than this code's {latest}", path,
                            "Upgrade Junipeer Entities to open it. Nothing was changed.")
    backup = None
    if current >= 1 and path != ":memory:":
        queries.run(con, "demo_checkpoint")
        backup = f"{path}.v{current}.bak"
        try:
            shutil.copyfile(path, backup)
        except OSError:
            Path(backup).unlink(missing_ok=True)
            raise
    missing = queries.missing_versions(con) if current >= 1 else []
    con.begin()
    try:
        queries.migrate(con, current)
        con.commit()
    except BaseException:
        try:
            con.rollback()
        except duckdb.Error:
            pass  # a failed commit has already ended it
        raise
    if backup:
        applied = ", ".join(f"{v:04d}" for v in missing)
        what = f"from schema version {current} to {latest}" if current < latest else "applied migrations it had missed"
        note = f"Migrated {path}: {what} ({applied}); the old file is kept at {backup}"
        migrations_done[str(Path(path).resolve())] = note
        print(note, file=sys.stderr, flush=True)


migrations_done: dict[str, str] = {}  # resolved path -> what the open migrated, for the app's notice


_shared: dict[str, duckdb.DuckDBPyConnection] = {}
_shared_lock = threading.Lock()


def db_key(path: str | os.PathLike | None = None) -> str:
    """The database file's absolute path: one key per file for per-database state in the process."""
    return str(Path(path or db_path()).resolve())


def shared(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """The process's one connection to a database file: the pages, the API and the background jobs all take
    cursors from it, so the process holds the file once. Read-only when the file cannot be written or is damaged
    (read_only_reason() says why); supervise() switches back once writing works again."""
    key = db_key(path)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = _open(key)
        return _shared[key]


def _open(key: str) -> duckdb.DuckDBPyConnection:
    blocked: DatabaseError | None = known_damage(key)
    if blocked is None and Path(key).exists() and (probe := disk.write_probe(key)):
        blocked = _cannot_write(probe[0], key, problem=probe[1])
    if blocked is None:
        try:
            con = connect(key)
            _blocked.pop(key, None)
            return con
        except CannotWrite as exc:
            blocked = exc
    con = connect(key, read_only=True)
    _blocked[key] = blocked
    return con


def close_shared() -> None:
    with _shared_lock:
        for con in _shared.values():
            con.close()
        _shared.clear()


# Why writes to a database are refused now (read-only mode): set on open, by a failed write or a damaged read,
# cleared by supervise(). generation() changes on every reopen, so the lifespan restarts the background jobs.
_blocked: dict[str, DatabaseError] = {}
_generations = itertools.count(1)
_generation = 0


def read_only_reason(path: str | os.PathLike | None = None) -> DatabaseError | None:
    """Why the database is read-only now (its problem and what to do), or None when writes work."""
    return _blocked.get(db_key(path))


def generation() -> int:
    return _generation


def _reopened() -> None:
    global _generation
    _generation = next(_generations)
    bump_version()


def note_fault(exc: BaseException, path: str | os.PathLike | None = None) -> DatabaseError | None:
    """Classify an error met while reading or writing; a damaged block or a refused write switches the shared
    connection to read-only (a fatal DuckDB error has invalidated it anyway). Returns the DatabaseError, or None."""
    key = db_key(path)
    problem = fault_of(exc, key)
    if problem is not None and not isinstance(_blocked.get(key), Damaged):
        degrade(problem, key)
    return problem


def degrade(problem: DatabaseError, path: str | os.PathLike | None = None) -> None:
    key = db_key(path)
    with _WRITE_LOCK, _shared_lock:
        _blocked[key] = problem
        old = _shared.pop(key, None)
        if old is None:
            if isinstance(problem, Damaged):
                _mark_damaged(key, problem)
            return
        _close_when_free(old)
        if isinstance(problem, Damaged):
            _mark_damaged(key, problem)
        try:
            _shared[key] = connect(key, read_only=True)
        except DatabaseError:
            pass  # the next shared() tries again and the pages show its message
        _reopened()


CLOSE_WAIT_SECONDS = 5.0


def _close_when_free(con: duckdb.DuckDBPyConnection) -> None:
    """Closes the shared connection while another thread may be mid-call on it: DuckDB then refuses
    (ResourceInUseException) instead of waiting, so ask again until that call is done. Past the wait it is left to
    the garbage collector, and the read-only reopen says what is wrong."""
    deadline = time.monotonic() + CLOSE_WAIT_SECONDS
    while True:
        try:
            con.close()
            return
        except duckdb.ResourceInUseException:
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
        except duckdb.Error:
            return  # a fatal error has invalidated it already


def supervise(path: str | os.PathLike | None = None) -> None:
    """One check of the shared connection's mode: leave read-only mode when the file can be written again (or a
    damaged file was replaced by a restore); enter it when writing stopped working."""
    key = db_key(path)
    if key not in _shared:
        return
    blocked = _blocked.get(key)
    if isinstance(blocked, Damaged) and known_damage(key) is not None:
        return
    probe = disk.write_probe(key)
    if blocked is None:
        if probe:
            degrade(_cannot_write(probe[0], key, problem=probe[1]), key)
        return
    if probe:
        return
    with _WRITE_LOCK, _shared_lock:
        old = _shared.pop(key, None)
        if old is not None:
            old.close()
        try:
            _shared[key] = connect(key)
            _blocked.pop(key, None)
        except DatabaseError as exc:
            _blocked[key] = exc if isinstance(exc, CannotWrite | Damaged) else blocked
            try:
                _shared[key] = connect(key, read_only=True)
            except DatabaseError:
                pass
        _reopened()


def _damage_file(key: str) -> Path:
    return Path(f"{key}.damaged")


def _mark_damaged(key: str, problem: Damaged) -> None:
    """A note beside the file, so other processes (the CLI) refuse to write it too, until the file is replaced."""
    try:
        st = os.stat(key)
        _damage_file(key).write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns,
                                                 "problem": problem.problem}))
    except OSError:
        pass  # a read-only folder: this process still refuses writes


def known_damage(path: str | os.PathLike) -> Damaged | None:
    """The damage recorded for this exact file (a restored or regenerated file clears it), else None."""
    key = db_key(path)
    note = _damage_file(key)
    if isinstance(_blocked.get(key), Damaged) and not note.exists():
        return _blocked[key]
    try:
        recorded = json.loads(note.read_text())
        st = os.stat(key)
    except (OSError, ValueError):
        return None
    if (recorded.get("size"), recorded.get("mtime_ns")) != (st.st_size, st.st_mtime_ns):
        note.unlink(missing_ok=True)
        return None
    return Damaged(recorded.get("problem", "The database file is damaged"), key, RESTORE_HINT.format(path=key))


def clear_damage(path: str | os.PathLike) -> None:
    key = db_key(path)
    _damage_file(key).unlink(missing_ok=True)
    if isinstance(_blocked.get(key), Damaged):
        _blocked.pop(key)


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
def serialized():
    """The process's write lock without a transaction: for a writer that runs its own transaction (an import) and
    for a backup's final flush, which DuckDB skips while any write transaction is open."""
    with _locked("serialized"):
        yield


def _commit(con: duckdb.DuckDBPyConnection, key: str | None, held: dict) -> None:
    if not trace.ON:
        con.commit()
        return
    wal, began = trace.wal_bytes(key), time.perf_counter()
    con.commit()
    held.update(commit_ms=round((time.perf_counter() - began) * 1000, 2), wal_before=wal,
                wal_after=trace.wal_bytes(key))


_holding = threading.local()


@contextmanager
def _locked(how: str):
    """The write lock; with ENTITIES_WRITE_TRACE set, each outermost hold is traced (entities/trace.py): who held
    it, how long they waited and held it. Yields the trace record (a dict), shared by nested holds."""
    if not trace.ON:
        with _WRITE_LOCK:
            yield {}
        return
    if getattr(_holding, "record", None) is not None:
        with _WRITE_LOCK:
            yield _holding.record
        return
    holder, asked = trace.caller(), time.perf_counter()
    with _WRITE_LOCK:
        waited = round((time.perf_counter() - asked) * 1000, 2)
        try:
            with trace.span("lock", holder=holder, how=how, wait_ms=waited) as record:
                _holding.record = record
                yield record
        finally:
            _holding.record = None


def path_of(con: duckdb.DuckDBPyConnection) -> str | None:
    """The resolved file behind a connection or cursor (None in memory)."""
    found = queries.scalar(con, "database_path")
    return str(Path(found).resolve()) if found else None


@contextmanager
def write(con: duckdb.DuckDBPyConnection, bump: bool = True):
    """One serialized write transaction on con (a cursor of its own): commit on success, roll back on error.
    bump=False for bookkeeping that no cached page query reads (the alert evaluator's states).

    Refused with CannotWrite/Damaged while the database is read-only; a write the disk refuses switches the app to
    read-only mode and raises the same clear error instead of DuckDB's."""
    with _locked("write") as held:
        try:
            key = path_of(con)
        except duckdb.Error as exc:
            raise fault_of(exc, db_path()) or exc from exc
        if key and (blocked := _blocked.get(key) or known_damage(key)):
            raise type(blocked)(blocked.problem, blocked.path, blocked.action, blocked.browser_action)
        con.begin()
        try:
            yield con
            _commit(con, key, held)
        except Unchanged:
            con.rollback()
            return
        except BaseException as exc:
            try:
                con.rollback()
            except duckdb.Error:
                pass  # a failed commit has already ended the transaction
            problem = fault_of(exc, key) if key and isinstance(exc, duckdb.Error | OSError) else None
            if problem is None:
                raise
            note_fault(problem, key)
            raise problem from exc
        if bump:
            bump_version()


@contextmanager
def exclusive():
    """Hold the write lock without opening a transaction: CHECKPOINT cannot run inside one, nor beside writers."""
    with _locked("exclusive"):
        yield
