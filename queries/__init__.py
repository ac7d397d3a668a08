"""The one runner: loads named .sql files from this folder and executes them with $name parameters.

Nothing else in the project calls ``execute``. Values are always bound as parameters; the only text ever
substituted into SQL is an identifier from IDENTIFIERS (an allowlist in code): ORDER BY columns, and the list
filter macro in the {{filter}} slot, which the runner fills itself from $error_group (see filter_macro); a table
of our own schema in the {{table}} slot (entities check); and the database's own catalog name, quoted, in the
{{catalog}} slot (backups copy it by name).
"""
from __future__ import annotations

import logging
import os
import re
import time
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from entities import trace
from entities.model import SORTS

QUERY_DIR = Path(__file__).parent
SCHEMA_DIR = QUERY_DIR / "schema"
MIGRATIONS_DIR = QUERY_DIR / "migrations"
FILTER_MACROS = ("entity_filter", "entity_filter_group", "entity_filter_gave_up")
STORED_LOOKUPS = ("entities", "staged_entities")  # the entities check's {{lookup}}: a scan, or the indexed lookup
IDENTIFIERS = (frozenset(SORTS.values()) | {"asc", "desc"} | set(FILTER_MACROS) | {"compact_source", "compact_target"}
               | set(STORED_LOOKUPS))
_SLOT = re.compile(r"\{\{(\w+)\}\}")
_CREATE_TABLE = re.compile(r"create\s+table\s+(?:if\s+not\s+exists\s+)?(\w+)", re.IGNORECASE)
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_log = logging.getLogger("entities.queries")


def _slow_ms() -> float | None:
    try:
        return float(os.environ["ENTITIES_SLOW_QUERY_MS"])
    except (KeyError, ValueError):
        return None


SLOW_MS = _slow_ms()


@cache
def sql(name: str) -> str:
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} in {QUERY_DIR}")
    return path.read_text()


def names() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.sql"))


def filter_macro(params: dict) -> str:
    """entity_filter unless an error group is filtered: binding error_group()'s regexes costs ~0.8 ms a query.
    The list's gave-up flag (not a SQL parameter of its own) picks entity_filter_gave_up, which takes a group too."""
    if params.get("gave_up"):
        return FILTER_MACROS[2]
    return FILTER_MACROS[params.get("error_group") is not None]


def _render(name: str, idents: dict[str, str] | None, params: dict) -> str:
    text = sql(name)
    if not idents and "{{" not in text:
        return text
    if "{{filter}}" in text and "filter" not in (idents or {}):
        idents = {**(idents or {}), "filter": filter_macro(params)}

    def fill(match: re.Match) -> str:
        value = (idents or {}).get(match.group(1))
        if match.group(1) == "catalog" and isinstance(value, str) and value:
            return '"' + value.replace('"', '""') + '"'
        if match.group(1) == "table" and value in schema_tables():
            return value
        if value not in IDENTIFIERS:
            raise ValueError(f"{name}: identifier slot {match.group(1)!r} got {value!r}, not in the allowlist")
        return value

    return _SLOT.sub(fill, text)


def run(con: duckdb.DuckDBPyConnection, name: str, idents: dict[str, str] | None = None, **params):
    """Execute the named query; returns the cursor so callers pick fetchall/fetchone/df/arrow."""
    text = _render(name, idents, params)
    wanted = declared(text)
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"{name}: missing parameters {sorted(missing)}")
    if SLOW_MS is None and not trace.ON:
        return con.execute(text, {k: params[k] for k in wanted} or None)
    started, cpu = time.perf_counter(), time.thread_time()
    cursor = con.execute(text, {k: params[k] for k in wanted} or None)
    took = (time.perf_counter() - started) * 1000
    trace.statement(name, took / 1000, time.thread_time() - cpu)
    if SLOW_MS is not None and took >= SLOW_MS:
        _log.warning("slow query %s: %.1f ms", name, took)
    return cursor


def declared(text: str) -> set[str]:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return set(_PARAM.findall(body))


def rows(con, name: str, idents=None, **params) -> list[tuple]:
    return run(con, name, idents, **params).fetchall()


def one(con, name: str, idents=None, **params) -> tuple | None:
    return run(con, name, idents, **params).fetchone()


def scalar(con, name: str, idents=None, **params):
    row = one(con, name, idents, **params)
    return None if row is None else row[0]


def df(con, name: str, idents=None, **params):
    return run(con, name, idents, **params).df()


def frame(con, name: str, idents=None, **params) -> pd.DataFrame:
    """A small result (a page, a breakdown) as a DataFrame built from its rows: .df() costs 1-2 ms more."""
    cur = run(con, name, idents, **params)
    return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])


def records(con, name: str, idents=None, **params) -> list[dict]:
    cur = run(con, name, idents, **params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def execute_file(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Run a trusted multi-statement script from the repository (DDL, test fixtures); never user input."""
    con.execute(Path(path).read_text())


@cache
def schema_tables() -> tuple[str, ...]:
    """Every table our schema files create, in creation order (the allowlist of the {{table}} slot)."""
    files = [*sorted(SCHEMA_DIR.glob("*.sql")), *migrations().values()]
    found = [m.group(1).lower() for f in files for m in _CREATE_TABLE.finditer(f.read_text())]
    return tuple(dict.fromkeys(found))


def migrations() -> dict[int, Path]:
    """Schema versions after 1 (queries/schema/) and the file that brings a database to each."""
    return {int(p.name.split("_", 1)[0]): p for p in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))}


def latest_version() -> int:
    return max(migrations(), default=1)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """0 for an empty database, 1 for one made before versioning, else the highest applied migration."""
    tables = {row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()}
    if "schema_version" in tables:
        return con.execute("select coalesce(max(version), 1) from schema_version").fetchone()[0]
    return 1 if "entities" in tables else 0


def missing_versions(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Migrations the database has not had. Each helper numbers in its own range, so a database made before a
    lower-numbered migration landed can be at a higher version and still miss it."""
    tables = {row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()}
    applied = ({row[0] for row in con.execute("select version from schema_version").fetchall()}
               if "schema_version" in tables else set())
    return [version for version in migrations() if version not in applied]


def migrate(con: duckdb.DuckDBPyConnection, current: int) -> None:
    """Bring a database from version `current` to latest_version(), applying every migration it misses; the
    caller owns the transaction."""
    if current == 0:
        for path in sorted(SCHEMA_DIR.glob("*.sql")):
            execute_file(con, path)
    missing = set(missing_versions(con))
    for version, path in migrations().items():
        if version in missing:
            execute_file(con, path)
            con.execute("insert into schema_version (version) values ($v)", {"v": version})


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The latest schema on an empty database (an in-memory one in tests, a new file in demo/import)."""
    con.begin()
    migrate(con, schema_version(con))
    con.commit()
