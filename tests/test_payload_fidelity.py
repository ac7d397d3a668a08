"""Payloads are stored byte for byte as received, in every format; validity is a flag, never a transformation."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from import_files import FORMATS, write_rows

from entities import db
from entities.cli import main
from entities.ingest import rawjson

# 18-digit Shopify ids, a price with a trailing zero, a number below double range, spacing and an escape
PAYLOAD = ('{ "order": {"id": 820982911946154508, "total_price": 1.50, "tiny": 1e-400,\t'
           '  "big": 123456789012345678901234567890, "name": "\\u00e9t\\u00e9", "lines": [ ] } }')
ROW = {"id": 777, "integration_id": 1, "entity_type": "order", "entity_ref": "#1001",
       "occurred_at": "2026-11-26T10:00:00Z", "operation": "update", "outcome": "success", "actor": "sync-engine"}


def stored(path: Path, tx_id: int) -> tuple:
    con = db.connect(path, read_only=True)
    try:
        return con.execute("select request_payload, response_payload from transactions where id = $i",
                           {"i": tx_id}).fetchone()
    finally:
        con.close()


def jsonl_with_payload_object(folder: Path) -> Path:
    """A JSON-lines row whose payload is a JSON object written inline, exactly as PAYLOAD."""
    head = json.dumps(ROW)[:-1]
    path = folder / "transactions.jsonl"
    path.write_text(f'{head}, "request_payload":  {PAYLOAD} , "response_payload": [1.0, 2.50]}}\n')
    return path


@pytest.mark.parametrize("fmt", ["jsonl-object", *FORMATS])
def test_payload_round_trips_byte_for_byte(fmt, fixture_db, tmp_path):
    """A user imports a payload with 18-digit ids, 1.50 and 1e-400: the stored text is exactly the text sent."""
    if fmt == "jsonl-object":
        path, expected_response = jsonl_with_payload_object(tmp_path), "[1.0, 2.50]"
    else:
        row = {**ROW, "request_payload": PAYLOAD, "response_payload": "[1.0, 2.50]"}
        path, expected_response = write_rows(tmp_path, "transactions", fmt, [row]), "[1.0, 2.50]"

    assert main(["import", "--db", str(fixture_db), str(path)]) == 0

    assert stored(fixture_db, 777) == (PAYLOAD, expected_response)


def test_reimporting_a_payload_object_is_unchanged(fixture_db, tmp_path, capsys):
    """Importing the same JSON-lines payload object twice: the second run finds it unchanged, not different."""
    path = jsonl_with_payload_object(tmp_path)
    assert main(["import", "--db", str(fixture_db), str(path)]) == 0
    capsys.readouterr()
    assert main(["import", "--db", str(fixture_db), str(path)]) == 0
    assert "1       0        0          1         0" in capsys.readouterr().out


@pytest.mark.parametrize(("line", "expected"), [
    ('{"request_payload": {"a": 1.50}}', {"request_payload": '{"a": 1.50}'}),
    ('{"request_payload": "text", "response_payload": [ 1 ]}', {"response_payload": "[ 1 ]"}),
    ('{"x": "\\"request_payload\\"", "request_payload": 12.0}', {"request_payload": "12.0"}),
    ('{"request_payload": null}', {}),
    ("[1, 2]", {}),
])
def test_payload_source_text_is_cut_from_the_line(line, expected):
    """The payload fields' source text is found in the line, strings and nulls excepted."""
    assert rawjson.top_level_values(line, rawjson.PAYLOAD_FIELDS) == expected
