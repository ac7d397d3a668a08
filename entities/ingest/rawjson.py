"""Source text of JSON values, for storing payloads byte for byte.

DuckDB's JSON functions re-serialize what they extract (1.50 -> 1.5, 1e-400 -> 0.0, whitespace dropped), so the
payload fields of a JSON-lines transaction are cut out of the line as written instead. Python's decoder is used
only to find where each value ends, never to produce the stored text.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from json.decoder import scanstring

PAYLOAD_FIELDS = ("request_payload", "response_payload")
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def top_level_values(line: str, keys: tuple[str, ...]) -> dict[str, str]:
    """The source text of each of `keys` in a JSON object line, for values that are not strings or null (a JSON
    string is stored as its value). Empty when the line is not an object; the last of duplicate keys wins."""
    found: dict[str, str] = {}
    i = _WS.match(line, 0).end()
    if line[i:i + 1] != "{":
        return found
    i = _WS.match(line, i + 1).end()
    try:
        while line[i:i + 1] == '"':
            key, i = scanstring(line, i + 1)
            i = _WS.match(line, i).end()
            if line[i:i + 1] != ":":
                return found
            i = _WS.match(line, i + 1).end()
            _, end = _DECODER.raw_decode(line, i)
            if key in keys:
                text = line[i:end]
                if text[:1] == '"' or text == "null":
                    found.pop(key, None)
                else:
                    found[key] = text
            i = _WS.match(line, end).end()
            if line[i:i + 1] != ",":
                break
            i = _WS.match(line, i + 1).end()
    except ValueError:
        return {}
    return found


def payload_rows(records) -> Iterator[str]:
    """JSON lines {"row_no", "request_payload", "response_payload"} for each staged (row_no, record) whose payload
    is an object, array, number or boolean: the source text of that value, exactly."""
    for row_no, record in records:
        if '_payload"' not in record:
            continue
        values = top_level_values(record, PAYLOAD_FIELDS)
        if values:
            yield json.dumps({"row_no": row_no, **values}, ensure_ascii=False) + "\n"
