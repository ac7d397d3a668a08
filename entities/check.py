"""Reading every block of a database: each table of our schema in row-id ranges, narrowing a failing range down to
the rows it holds. `entities check` prints the result; the app marks the file damaged on the first bad read."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

import queries

ROW_GROUP = 122_880  # DuckDB's row group: one range read touches one group's blocks
NARROW = 2_048  # a failing group is re-read in ranges this size to say which rows are affected


@dataclass(frozen=True)
class Damage:
    table: str
    first_row: int  # row ids, inclusive
    last_row: int
    problem: str

    def line(self) -> str:
        return f"{self.table}: rows {self.first_row:,}–{self.last_row:,} (row ids) cannot be read: {self.problem}"


@dataclass
class Report:
    tables: dict[str, int]  # table -> rows read
    damage: list[Damage]
    unchecked: list[str]  # tables outside our schema, or whose extent cannot be read

    @property
    def clean(self) -> bool:
        return not self.damage and not self.unchecked


def _problem(exc: duckdb.Error) -> str:
    return " ".join(str(exc).split())[:200]


def _read(con, table: str, lo: int, hi: int) -> tuple[int, str | None]:
    try:
        rows = queries.scalar(con, "check_table_range", {"table": table}, lo=lo, hi=hi)
        return rows, None
    except duckdb.Error as exc:
        return 0, _problem(exc)


def scan(con: duckdb.DuckDBPyConnection, progress=None) -> Report:
    report = Report({}, [], [])
    ours = set(queries.schema_tables())
    for table, _size in queries.rows(con, "check_tables"):
        if table not in ours:
            report.unchecked.append(table)
            continue
        try:
            top = queries.scalar(con, "check_table_extent", {"table": table})
        except duckdb.Error as exc:
            report.damage.append(Damage(table, 0, 0, _problem(exc)))
            continue
        read = 0
        for lo in range(0, (top or -1) + 1, ROW_GROUP):
            rows, problem = _read(con, table, lo, lo + ROW_GROUP)
            read += _narrow(con, table, lo, min(lo + ROW_GROUP, top + 1), report) if problem else rows
            if progress:
                progress(table, lo, top)
        report.tables[table] = read
    return report


def _narrow(con, table: str, lo: int, hi: int, report: Report) -> int:
    """Re-read [lo, hi) in small ranges; consecutive failing ranges become one Damage. Returns the rows read."""
    read = 0
    for start in range(lo, hi, NARROW):
        rows, problem = _read(con, table, start, min(start + NARROW, hi))
        read += rows
        if not problem:
            continue
        last = report.damage[-1] if report.damage else None
        if last and last.table == table and last.last_row == start - 1:
            report.damage[-1] = Damage(table, last.first_row, min(start + NARROW, hi) - 1, last.problem)
        else:
            report.damage.append(Damage(table, start, min(start + NARROW, hi) - 1, problem))
    return read
