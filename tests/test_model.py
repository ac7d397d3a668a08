"""Statuses, types and other enumerations are defined once in code and agree with the schema's checks."""
import re

import pytest

from entities import model

CHECK = re.compile(r"\"?(\w+)\"? IN \(([^)]*)\)", re.IGNORECASE)


def check_values(con, table: str, column: str) -> set[str]:
    texts = [r[0] for r in con.execute(
        "select constraint_text from duckdb_constraints() where table_name = $t and constraint_type = 'CHECK'",
        {"t": table}).fetchall()]
    for text in texts:
        for col, values in CHECK.findall(text):
            if col.lower() == column:
                return {v.strip().strip("'") for v in values.split(",")}
    raise AssertionError(f"no IN check on {table}.{column}")


@pytest.mark.parametrize(("table", "column", "values"), [
    ("entities", "status", model.STATUS_KEYS),
    ("entities", "type", model.TYPE_KEYS),
    ("flows", "type", model.TYPE_KEYS),
    ("children", "status", model.STATUS_KEYS),
    ("transactions", "outcome", model.OUTCOMES),
    ("transactions", "operation", model.OPERATIONS),
    ("retry_requests", "state", model.RETRY_STATES),
    ("error_codes", "severity", model.SEVERITIES),
])
def test_schema_checks_match_code(con, table, column, values):
    """The database accepts exactly the values the code defines for each enumerated column."""
    assert check_values(con, table, column) == set(values)


def test_every_status_has_label_and_colour():
    """Each status shows with a label and a distinct colour."""
    colours = [s.color for s in model.STATUSES]
    assert len(set(colours)) == len(colours) and all(s.label for s in model.STATUSES)


def test_fixture_data_uses_only_known_values(con):
    """Every status and type present in the data is one the code knows."""
    statuses = {r[0] for r in con.execute("select distinct status from entities").fetchall()}
    types = {r[0] for r in con.execute("select distinct type from entities").fetchall()}
    assert statuses <= set(model.STATUS_KEYS) and types <= set(model.TYPE_KEYS)
