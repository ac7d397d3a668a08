"""Order totals carry their currency: imported exactly or rejected with a reason, shown as '1,234.50 SEK' in the
list, the detail page and the CSV export, never rounded and never added across currencies."""
from __future__ import annotations

import csv
import html
import io
from pathlib import Path

import pytest
from conftest import open_app
from import_files import FORMATS, write_rows
from test_list_page import open_list

from entities import db
from entities.cli import main
from entities.ingest import importer
from entities.ui import listing

ORDER = {"integration_id": 1, "type": "order", "status": "synced", "retriever_ref": "#7100",
         "last_updated": "2026-11-26T10:00:00Z"}

VALID = [  # (total, currency as sent) -> (total, currency as stored)
    (("1234.5", "SEK"), ("1234.50", "SEK")),
    (("12.340", "EUR"), ("12.34", "EUR")),
    (("-49.90", "NOK"), ("-49.90", "NOK")),  # a credit note
    (("0", "USD"), ("0.00", "USD")),
    (("999999999999.99", "SEK"), ("999999999999.99", "SEK")),
    (("19.90", "sek"), ("19.90", "SEK")),  # codes are upper-cased, as for order lines
    ((None, "EUR"), (None, "EUR")),  # a currency without a total is kept: the order's currency
]

BAD = [  # (fields added to ORDER, the reason's text)
    ({"total": "12.345", "currency": "SEK"}, "total '12.345' has more than 2 decimals (values are never rounded)"),
    ({"total": "1234567890123", "currency": "SEK"}, "total '1234567890123' is out of range (max 999999999999.99)"),
    ({"total": "1e3", "currency": "SEK"}, "total '1e3' is not a number"),
    ({"total": "1 234.50", "currency": "SEK"}, "total '1 234.50' is not a number"),
    ({"total": "100.00", "currency": "kronor"}, "currency 'KRONOR' is not an ISO 4217 code (three letters"),
    ({"total": "100.00", "currency": "€"}, "currency '€' is not an ISO 4217 code"),
    ({"total": "100.00", "currency": "SE1"}, "currency 'SE1' is not an ISO 4217 code"),
    ({"total": "100.00"}, "total '100.00' has no currency (add the currency field"),
]


def stored(path: Path, ref: str = "#7100") -> tuple:
    con = db.connect(path, read_only=True)
    try:
        return con.execute("select total::varchar, currency from entities where retriever_ref = $r",
                           {"r": ref}).fetchone()
    finally:
        con.close()


def load(path: Path, file: Path) -> dict:
    con = db.connect(path)
    try:
        result = importer.import_file(con, importer.Source(file, "entities", importer.format_of(file)))
    finally:
        con.close()
    assert result.error is None, result.error
    return result.counts


def reasons(path: Path) -> list[str]:
    with importer.rejects_path(path).open(newline="") as f:
        return [row["reason"] for row in csv.DictReader(f)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_order_totals_load_exactly_with_their_currency(fmt, fixture_db, tmp_path):
    """A user imports orders with totals and currencies (one per row of VALID): each is stored exactly as written."""
    rows = [{**ORDER, "retriever_ref": f"#T{i}", **({"total": total} if total is not None else {}),
             "currency": currency} for i, ((total, currency), _) in enumerate(VALID)]
    path = write_rows(tmp_path, "entities", fmt, rows)
    assert main(["import", "--db", str(fixture_db), str(path)]) == 0
    assert [stored(fixture_db, f"#T{i}") for i in range(len(VALID))] == [kept for _, kept in VALID]


JSON_NUMBERS = [  # a total written as a JSON number is checked as written, not as the double it parses to
    ("1234.50", "1234.50", None),
    ("-0.5", "-0.50", None),
    ("12.3400000000000001", None, "total '12.3400000000000001' has more than 2 decimals"),
    ("1e3", None, "total '1e3' is not a number"),
    ("1e-400", None, "total '1e-400' is not a number"),
]


@pytest.mark.parametrize(("number", "kept", "reason"), JSON_NUMBERS, ids=[n[0] for n in JSON_NUMBERS])
def test_json_number_total_is_checked_as_written(number, kept, reason, fixture_db, tmp_path):
    """A JSON-lines export writes the total as a number: it loads exactly, or is rejected as written, never rounded."""
    path = tmp_path / "entities.jsonl"
    path.write_text('{"integration_id": 1, "type": "order", "status": "synced", "retriever_ref": "#7100", '
                    f'"last_updated": "2026-11-26T10:00:00Z", "total": {number}, "currency": "SEK"}}\n')
    assert main(["import", "--db", str(fixture_db), str(path)]) == (2 if reason else 0)
    if reason:
        assert reason in reasons(path)[0]
        assert stored(fixture_db) is None
    else:
        assert stored(fixture_db) == (kept, "SEK")


@pytest.mark.parametrize("fmt", FORMATS)
def test_out_of_contract_totals_and_currencies_are_rejected(fmt, fixture_db, tmp_path):
    """Totals the contract cannot hold exactly, currencies that are no code, a total without one (the rows of BAD):
    each row is rejected with its reason and nothing of it is stored."""
    rows = [{**ORDER, "retriever_ref": f"#B{i}", **fields} for i, (fields, _) in enumerate(BAD)]
    path = write_rows(tmp_path, "entities", fmt, rows)
    assert main(["import", "--db", str(fixture_db), str(path)]) == 2
    for (_, reason), got in zip(BAD, reasons(path), strict=True):
        assert reason in got
    assert [stored(fixture_db, f"#B{i}") for i in range(len(BAD))] == [None] * len(BAD)


def test_semicolon_csv_with_a_decimal_comma_total_loads(fixture_db, tmp_path):
    """A Nordic ERP's semicolon CSV writes the total 1234,50: it loads as 1,234.50 SEK."""
    path = tmp_path / "entities.csv"
    path.write_text("integration_id;type;status;retriever_ref;last_updated;total;currency\n"
                    "1;order;synced;#7100;2026-11-26T10:00:00Z;1234,50;SEK\n")
    assert main(["import", "--db", str(fixture_db), str(path)]) == 0
    assert stored(fixture_db) == ("1234.50", "SEK")


def test_reimport_is_unchanged_and_a_changed_total_is_updated(fixture_db, tmp_path):
    """Re-importing an order with the same total changes nothing; a corrected total at the same time updates it,
    and a later export without totals does not erase it."""
    def counts(name: str, **fields) -> tuple:
        path = write_rows(tmp_path, name, "jsonl", [{**ORDER, **fields}])
        c = load(fixture_db, path)
        return c["inserted"], c["updated"], c["unchanged"]

    assert counts("entities-1", total="100.00", currency="SEK") == (1, 0, 0)
    assert counts("entities-2", total="100.00", currency="SEK") == (0, 0, 1)
    assert counts("entities-3", total="120.00", currency="SEK") == (0, 1, 0)
    assert stored(fixture_db) == ("120.00", "SEK")
    assert counts("entities-4") == (0, 0, 1)  # an export from before totals, same last_updated
    assert stored(fixture_db) == ("120.00", "SEK")
    assert counts("entities-5", total="95.00", currency="EUR", last_updated="2026-11-26T11:00:00Z") == (0, 1, 0)
    assert stored(fixture_db) == ("95.00", "EUR")


def test_csv_export_has_the_total_and_its_currency(fixture_db):
    """Download CSV of the orders has total and currency columns with the exact decimal."""
    con = db.connect(fixture_db, read_only=True)
    try:
        text = listing.export_csv(con, listing.filter_params(1, "order", []), "retriever_ref").decode()
    finally:
        con.close()
    rows = {r["retriever_ref"]: (r["total"], r["currency"]) for r in csv.DictReader(io.StringIO(text))}
    assert (rows["#1001"], rows["#1004"], rows["#1003"]) == (("4097.00", "SEK"), ("104.70", "EUR"), ("", ""))


def import_order(path: Path, tmp_path: Path, **fields) -> int:
    file = write_rows(tmp_path, "entities", "jsonl", [{**ORDER, **fields}])
    assert main(["import", "--db", str(path), str(file)]) == 0
    con = db.connect(path, read_only=True)
    try:
        return con.execute("select id from entities where retriever_ref = '#7100'").fetchone()[0]
    finally:
        con.close()


def test_detail_page_header_shows_the_total_with_its_currency(app_env, tmp_path):
    """Opening an order imported with total 1234.5 SEK shows '1,234.50 SEK' in its header."""
    entity = import_order(app_env, tmp_path, total="1234.5", currency="SEK")
    at = open_app("entity", id=str(entity))
    assert not at.exception
    assert "**1,234.50 SEK**" in [html.unescape(m.value) for m in at.markdown]


def test_orders_list_shows_each_total_in_its_own_currency(app_env):
    """The Orders tab has a Total column: SEK and EUR orders each in their own currency, never added up."""
    at = open_list(integration="1", type="order", sort="retriever_ref")
    assert not at.exception
    table = at.dataframe[0].value
    totals = dict(zip(table["Retriever Reference"].str.split("#").str[-1], table["Total"], strict=True))
    assert (totals["%231001"], totals["%231004"], totals["%231003"]) == ("4,097.00 SEK", "104.70 EUR", "")


def test_order_lines_show_quantities_as_plain_decimals(app_env, tmp_path):
    """An order line of 1,234,567.5 units shows 1234567.5 in the children table, never 1.23457e+06."""
    child = {"integration_id": 1, "entity_type": "order", "entity_ref": "#1003", "line_no": 9, "retriever_ref": "S-9",
             "quantity": "1234567.5", "amount": "1234.50", "currency": "SEK", "status": "pending"}
    assert main(["import", "--db", str(app_env), str(write_rows(tmp_path, "children", "jsonl", [child]))]) == 0
    at = open_app("entity", id="3")
    lines = next(d.value for d in at.dataframe if "Quantity" in d.value.columns)
    assert list(lines["Quantity"]) == ["1", "1234567.5"]
    assert "1,234.50 SEK" in list(lines["Amount"])
