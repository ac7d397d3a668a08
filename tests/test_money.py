"""Money on the pages: every amount with its currency, mixed currencies never summed, plain quantities."""
from __future__ import annotations

from decimal import Decimal

import pytest
from import_files import FORMATS, write_rows

from entities import db
from entities.cli import main
from entities.ui import money

CHILD = {"integration_id": 1, "entity_type": "order", "entity_ref": "#1003", "line_no": 9, "retriever_ref": "SKU-9",
         "quantity": "1234567.5", "amount": "19.90", "currency": "eur", "status": "pending"}


@pytest.mark.parametrize(("value", "shown"), [(Decimal("1234567.500"), "1234567.5"), (Decimal("2.000"), "2"),
                                              (Decimal("0.125"), "0.125"), (None, "")])
def test_quantities_print_as_plain_decimals(value, shown):
    """A quantity of 1,234,567.5 prints as 1234567.5, never 1.23457e+06."""
    assert money.plain_quantity(value) == shown


@pytest.mark.parametrize(("rows", "caption"), [
    ([{"amount": Decimal("10.00"), "currency": "SEK"}, {"amount": Decimal("5.50"), "currency": "SEK"}],
     "Total 15.50 SEK"),
    ([{"amount": Decimal("10.00"), "currency": "SEK"}, {"amount": Decimal("5.50"), "currency": "EUR"}],
     "Amounts in 2 currencies, not added together: 5.50 EUR · 10.00 SEK"),
    ([{"amount": None, "currency": None}], None),
])
def test_totals_never_add_different_currencies(rows, caption):
    """Order lines in one currency get a total; lines in SEK and EUR get one sum per currency, not one number."""
    assert money.totals(rows) == caption


@pytest.mark.parametrize("fmt", FORMATS)
def test_currency_is_an_import_field(fmt, fixture_db, tmp_path):
    """A line's currency imports (upper-cased) beside its amount; a word that is not a code is rejected."""
    path = write_rows(tmp_path, "children", fmt, [CHILD, {**CHILD, "line_no": 10, "currency": "kronor"}])
    assert main(["import", "--db", str(fixture_db), str(path)]) == 2
    con = db.connect(fixture_db, read_only=True)
    assert con.execute("select amount::varchar, currency from children where line_no = 9").fetchall() == [
        ("19.90", "EUR")]
    con.close()
    assert "currency 'KRONOR' is not an ISO 4217 code" in importer_rejects(path)


def importer_rejects(path) -> str:
    from entities.ingest import importer
    return importer.rejects_path(path).read_text()
