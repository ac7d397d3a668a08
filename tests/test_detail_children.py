"""The detail page's children tab explains when the record's count and the listed lines differ."""
from __future__ import annotations

import json

from conftest import open_app

from entities.cli import main


def test_count_above_listed_lines_is_explained(app_env, tmp_path, monkeypatch):
    """An ops lead opens an order the engine says has 4 lines, of which 2 were imported: the page says why."""
    monkeypatch.setenv("ENTITIES_WORKER", "off")
    row = {"integration_id": 1, "type": "order", "status": "synced", "retriever_ref": "#1001", "storer_ref": "F-5001",
           "children": 4, "last_updated": "2026-11-29T10:00:00Z"}
    path = tmp_path / "entities.jsonl"
    path.write_text(json.dumps(row) + "\n")
    assert main(["import", "--db", str(app_env), str(path)]) == 0

    at = open_app("entity", id="1")

    assert not at.exception
    notes = [element.value for element in at.info]
    assert any("reports 4 order lines; 2 are listed here" in note for note in notes), notes
