"""Opening the database file, with clear errors for missing, unreadable or locked files."""
from __future__ import annotations

import os
import re
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
        queries.create_schema(con)
    return con
