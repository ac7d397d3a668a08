"""Writing the same import rows as JSON lines, CSV or Parquet, for the table-driven import tests."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("jsonl", "csv", "parquet")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value if isinstance(value, str) else json.dumps(value)


def write_rows(folder: Path, name: str, fmt: str, rows: list[dict]) -> Path:
    """rows as <folder>/<name>.<fmt>; JSON lines keeps JSON values typed, CSV and Parquet hold text."""
    path = Path(folder) / f"{name}.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
        return path
    columns = list(dict.fromkeys(key for row in rows for key in row))
    if fmt == "csv":
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows([_text(row.get(c)) or "" for c in columns] for row in rows)
        return path
    table = pa.table({c: pa.array([_text(row.get(c)) for row in rows], pa.string()) for c in columns})
    pq.write_table(table, path)
    return path
