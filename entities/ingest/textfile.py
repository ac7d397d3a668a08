"""An independent look at a CSV or JSON-lines file before DuckDB reads it: the delimiter and header of a CSV file,
the physical line every record starts on, the number of records, and structural problems (non-UTF-8 bytes, ragged
rows, an unterminated quote, a line that is not JSON) with the physical line and a fix.

The record count is the import's invariant: rows read must equal it, or the file is refused (nothing silently
dropped). Line numbers here count every physical line, blank ones too, as an editor shows them.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
SAVE_AS_UTF8 = "save the file as UTF-8 (in Excel: Save As → CSV UTF-8)"


class Unreadable(Exception):
    """The file's structure is broken; the message names the physical line and what to do."""


@dataclass
class Layout:
    records: int = 0
    delimiter: str = ","
    header: list[str] = field(default_factory=list)
    # (record number, physical line minus record number) wherever that offset changes: blank lines, a header,
    # quoted fields spanning lines. A record's line is its number plus the offset of the last jump at or before it.
    jumps: list[tuple[int, int]] = field(default_factory=list)

    def line_of(self, record: int) -> int:
        offset = 0
        for at, value in self.jumps:
            if at > record:
                break
            offset = value
        return record + offset


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(physical line number, decoded line with its ending); raises Unreadable at the first non-UTF-8 line."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise Unreadable(f"line {number} is not UTF-8 (byte 0x{raw[exc.start]:02x} at column "
                                 f"{exc.start + 1}): {SAVE_AS_UTF8}") from None
            yield number, text.removeprefix("\ufeff") if number == 1 else text


def _record_jumps(starts: Iterator[tuple[int, int]]) -> tuple[int, list[tuple[int, int]]]:
    records, jumps, offset = 0, [], 0
    for record, line in starts:
        records = record
        if line - record != offset:
            offset = line - record
            jumps.append((record, offset))
    return records, jumps


def scan_jsonl(path: Path) -> Layout:
    """Records are the non-blank lines; only their count and starting lines are taken here (DuckDB parses)."""
    def starts():
        record = 0
        for number, text in _lines(path):
            if text.strip():
                record += 1
                yield record, number
    records, jumps = _record_jumps(starts())
    return Layout(records=records, jumps=jumps)


def first_bad_json_line(path: Path) -> str | None:
    """'line 5, column 7: Expecting value' for the first non-blank line that is not JSON (only on a failed read)."""
    for number, text in _lines(path):
        if not text.strip():
            continue
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.pos >= len(text.rstrip("\r\n")) or exc.msg.startswith("Unterminated string"):
                return f"line {number}: unexpected end of data (the line is cut off)"
            return f"line {number}, column {exc.colno}: {exc.msg}"
    return None


def sniff_delimiter(header_line: str) -> str:
    """The delimiter the header uses most (outside quotes): comma, semicolon or tab."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def scan_csv(path: Path) -> Layout:
    """The header is always the first line; every record must have as many fields as the header."""
    lines = _lines(path)
    first = next(lines, None)
    if first is None:
        raise Unreadable("the file is empty: a CSV file needs a header line with the field names")
    delimiter = sniff_delimiter(first[1])
    consumed = [first[0]]

    def source():
        yield first[1]
        for number, text in lines:
            consumed[0] = number
            yield text

    reader = csv.reader(source(), delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    header = None
    layout = Layout(delimiter=delimiter)

    def starts():
        nonlocal header
        record, previous_end = 0, 0
        try:
            for row in reader:
                start = previous_end + 1
                previous_end = reader.line_num
                if header is None:
                    header = row
                    continue
                if not row:
                    continue  # a blank line
                if len(row) != len(header):
                    raise Unreadable(
                        f"line {start} has {len(row)} fields but the header has {len(header)} "
                        f"({DELIMITERS[delimiter]}-separated): a stray {DELIMITERS[delimiter]}, a missing one, or a "
                        "field holding the delimiter without quotes; fix that line, then import again")
                record += 1
                yield record, start
        except csv.Error as exc:
            raise Unreadable(f"line {previous_end + 1}: {exc} (a quote that is never closed?); close the quote "
                             "or double a quote inside a quoted field (\"\"), then import again") from None

    layout.records, layout.jumps = _record_jumps(starts())
    layout.header = header or []
    duplicates = sorted({name for name in layout.header if layout.header.count(name) > 1})
    if duplicates:
        raise Unreadable(f"line 1: the header names {', '.join(map(repr, duplicates))} more than once")
    if any(not name.strip() for name in layout.header):
        raise Unreadable("line 1: the header has an empty field name")
    return layout
