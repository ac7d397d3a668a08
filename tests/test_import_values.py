"""Values outside the contract are rejected with a reason, never rounded or shifted; empty child references load."""
from __future__ import annotations

import csv

import pytest
from import_files import FORMATS, write_rows

from entities import db
from entities.cli import main
from entities.ingest import importer

ENTITY = {"integration_id": 1, "type": "order", "status": "synced", "retriever_ref": "#7001",
          "last_updated": "2026-11-26T10:05:00+01:00"}
CHILD = {"integration_id": 1, "entity_type": "order", "entity_ref": "#1003", "line_no": 9,
         "retriever_ref": "SKU-9", "quantity": "2", "amount": "19.90", "status": "pending"}
KINDS = {"entities": ENTITY, "children": CHILD}

BAD_VALUES = [
    ("entities", "children", "2.5", "children '2.5' is not a whole number >= 0"),
    ("entities", "children", "99999999999", "children '99999999999' is out of range (max 2147483647)"),
    ("entities", "integration_id", "1e3", "integration_id '1e3' is not a whole number"),
    ("children", "quantity", "1.2345", "quantity '1.2345' has more than 3 decimals (values are never rounded)"),
    ("children", "amount", "12.345", "amount '12.345' has more than 2 decimals (values are never rounded)"),
    ("children", "amount", "1234567890123", "amount '1234567890123' is out of range (max 999999999999.99)"),
    ("children", "line_no", "3.5", "line_no '3.5' is not a whole number"),
    ("entities", "last_updated", "2026-11-26T12:00:00+25:00", "has an impossible UTC offset"),
    ("entities", "last_updated", "2026-11-26T12:00:00+05:75", "has an impossible UTC offset"),
    ("entities", "created_at", "2026-11-26T12:00:00-14:30", "created_at '2026-11-26T12:00:00-14:30' has an "
                                                           "impossible UTC offset"),
]


def rejected(path) -> list[dict]:
    with importer.rejects_path(path).open(newline="") as f:
        return list(csv.DictReader(f))


def scalar(path, sql: str):
    con = db.connect(path, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("kind", "field", "value", "reason"), BAD_VALUES, ids=[f"{b[1]}={b[2]}" for b in BAD_VALUES])
def test_out_of_contract_value_is_rejected_not_changed(kind, field, value, reason, fmt, fixture_db, tmp_path):
    """A user imports a row with a value the contract cannot hold exactly: it is rejected, saying why."""
    path = write_rows(tmp_path, kind, fmt, [{**KINDS[kind], field: value}])

    assert main(["import", "--db", str(fixture_db), str(path)]) == 2

    assert reason in rejected(path)[0]["reason"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("field", "value", "stored"), [
    ("quantity", "1.234", "1.234"), ("quantity", "1234567.5", "1234567.500"), ("amount", "12.340", "12.34"),
])
def test_values_within_the_contract_load_exactly(field, value, stored, fmt, fixture_db, tmp_path):
    """Up to 3 decimals of quantity and 2 of amount load as written."""
    path = write_rows(tmp_path, "children", fmt, [{**CHILD, field: value}])
    assert main(["import", "--db", str(fixture_db), str(path)]) == 0
    row = scalar(fixture_db, "select quantity::varchar, amount::varchar from children where line_no = 9")[0]
    assert row[("quantity", "amount").index(field)] == stored


@pytest.mark.parametrize("fmt", FORMATS)
def test_fourteen_hour_offset_is_a_real_zone(fmt, fixture_db, tmp_path):
    """Kiribati's +14:00 is accepted and stored as the UTC instant it names."""
    path = write_rows(tmp_path, "entities", fmt, [{**ENTITY, "last_updated": "2026-11-27T02:00:00+14:00"}])
    assert main(["import", "--db", str(fixture_db), str(path)]) == 0
    assert scalar(fixture_db, "select last_updated::varchar from entities where retriever_ref = '#7001'") == [
        ("2026-11-26 12:00:00+00",)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_lines_with_empty_skus_all_load(fmt, fixture_db, tmp_path):
    """A Shopify order whose line items have empty SKUs: every line loads, keyed by line_no, the SKU kept empty."""
    lines = [{**CHILD, "line_no": n, "retriever_ref": ref} for n, ref in [(1, ""), (2, ""), (3, "SKU-3")]]
    path = write_rows(tmp_path, "children", fmt, lines)

    assert main(["import", "--db", str(fixture_db), str(path)]) == 0

    assert scalar(fixture_db, "select c.line_no, c.retriever_ref from children c join entities e on e.id = c.entity_id "
                              "where e.retriever_ref = '#1003' and c.line_no <= 3 order by 1") == [
        (1, ""), (2, ""), (3, "SKU-3")]


def test_null_sku_is_empty_but_a_missing_field_is_rejected(fixture_db, tmp_path):
    """JSON null is an empty reference; a line with no retriever_ref field at all is rejected as missing it."""
    no_field = {k: v for k, v in CHILD.items() if k != "retriever_ref"}
    path = write_rows(tmp_path, "children", "jsonl", [{**CHILD, "retriever_ref": None}, {**no_field, "line_no": 10}])

    assert main(["import", "--db", str(fixture_db), str(path)]) == 2

    assert [r["reason"] for r in rejected(path)] == ["missing required field retriever_ref"]
    assert scalar(fixture_db, "select c.retriever_ref from children c join entities e on e.id = c.entity_id "
                              "where e.retriever_ref = '#1003' and line_no = 9") == [("",)]
