"""`entities import`: load sync data from JSONL, CSV or Parquet files, validated, idempotent, with a quarantine.

Each file goes through three steps, all in SQL (queries/import_*.sql): stage (DuckDB's reader, every row kept as
read), check (one set-based query computing a reject reason and an action per row) and write (insert / update by
natural key). Each file is one database transaction. The data contract is docs/IMPORT.md.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

import queries
from entities import db, disk, model
from entities.cli import appclient
from entities.ingest import rawjson, textfile

KINDS = ("error_codes", "integrations", "flows", "entities", "children", "transactions")  # also the load order
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}
WRITES = {
    "error_codes": ("import_error_codes_insert", "import_error_codes_update"),
    "integrations": ("import_integrations_insert", "import_integrations_update"),
    "flows": ("import_flows_insert", "import_flows_update"),
    "entities": ("import_entities_insert", "import_entities_update"),
    "children": ("import_children_insert", "import_children_update"),
    "transactions": ("import_transactions_insert",),
}
CHECK_PARAMS = {
    "error_codes": {"severities": list(model.SEVERITIES)},
    "integrations": {},
    "flows": {"types": list(model.TYPE_KEYS)},
    "entities": {"types": list(model.TYPE_KEYS), "statuses": list(model.STATUS_KEYS)},
    "children": {"types": list(model.TYPE_KEYS), "statuses": list(model.STATUS_KEYS)},
    "transactions": {"types": list(model.TYPE_KEYS), "operations": list(model.OPERATIONS),
                     "outcomes": list(model.OUTCOMES)},
}
FORMAT_NAMES = {"jsonl": "JSON lines", "csv": "CSV (comma-separated, double quotes, header row)", "parquet": "Parquet"}
_JSON_LINE = re.compile(r"in line (\d+): (.*)$")
PROGRESS_MIN_BYTES = 5_000_000
EXIT_OK, EXIT_UNREADABLE, EXIT_REJECTED = 0, 1, 2
STAGING_PREFIX = "entities-import-"  # TMPDIR/entities-import-<pid>-*: a killed run's leftovers are found by pid
FEW_ROWS = 500  # up to this many staged rows, stored entities are looked up through the index (check_and_write)


@dataclass
class Source:
    path: Path
    kind: str
    format: str


@dataclass
class Result:
    source: Source
    counts: dict = field(default_factory=dict)
    error: str | None = None
    rejects: Path | None = None
    seconds: float = 0.0


def configure(parser) -> None:
    parser.add_argument("--db", required=True, help="database file; created with the schema if missing")
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="files named <kind>*.<ext>, e.g. entities.jsonl, entities-2026-11.csv, "
                             "transactions_part1.parquet (kinds: " + ", ".join(KINDS) + ")")
    parser.add_argument("--kind", choices=KINDS, help="the record kind of every FILE (overrides the file names)")
    parser.add_argument("--format", choices=sorted(set(FORMATS.values())),
                        help="the format of every FILE (overrides the extensions)")


def kind_of(path: Path) -> str | None:
    """The kind a file name starts with; the longest match wins (none of the kinds is a prefix of another)."""
    name = path.name.lower().replace("-", "_")
    return next((kind for kind in KINDS if name.startswith(kind)), None)


def format_of(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def plan(files: list[str], kind: str | None, fmt: str | None) -> tuple[list[Source], list[str]]:
    """Sources in load order (kind order, then as given), and a problem line for every file that cannot be planned."""
    sources, problems = [], []
    for name in files:
        path = Path(name)
        source = Source(path, kind or kind_of(path), fmt or format_of(path))
        if path.is_dir():
            problems.append(f"{name}: is a folder; give its files instead, e.g. {path / '*.jsonl'}")
        elif not path.exists():
            problems.append(f"{name}: no such file")
        elif not path.is_file() or not os.access(path, os.R_OK):
            problems.append(f"{name}: cannot be read (not a regular file, or no read permission)")
        elif source.kind is None:
            problems.append(f"{name}: cannot tell the record kind from the name; name it <kind>….<ext> "
                            f"({', '.join(KINDS)}) or pass --kind")
        elif source.format is None:
            problems.append(f"{name}: unknown extension {path.suffix!r}; use .jsonl, .csv or .parquet, "
                            "or pass --format")
        else:
            sources.append(source)
    sources.sort(key=lambda s: KINDS.index(s.kind))
    return sources, problems


class Progress:
    """A one-line progress bar on stderr, per file and stage; silent for small files."""

    def __init__(self, source: Source, steps: int):
        self.label, self.steps, self.done, self.partial = source.path.name, steps, 0, False
        self.on = source.path.stat().st_size >= PROGRESS_MIN_BYTES

    def step(self, stage: str) -> None:
        if self.on:
            width = 20
            filled = width * self.done // self.steps
            print(f"\r{self.label}: [{'#' * filled}{'.' * (width - filled)}] {stage:<12}", end="", file=sys.stderr,
                  flush=True)
            self.partial = True
        self.done += 1

    def close(self) -> None:
        if self.partial:
            print(f"\r{self.label}: [{'#' * 20}] done        ", file=sys.stderr, flush=True)
            self.partial = False

    def interrupt(self) -> None:
        """Ends the bar's line so that an error printed next starts a line of its own."""
        if self.partial:
            print(file=sys.stderr, flush=True)
            self.partial = False


def read_problem(source: Source, exc: duckdb.Error) -> str:
    """The reader's complaint in one line, e.g. 'cannot be read as JSON lines: line 3: unexpected end of data'."""
    return f"cannot be read as {FORMAT_NAMES[source.format]}: {reader_complaint(exc)}"


def reader_complaint(exc: duckdb.Error) -> str:
    """DuckDB's read error in one line, with the line number it names corrected."""
    lines = [" ".join(line.split()) for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    for prefix in ("Invalid Input Error: ", "IO Error: ", "Conversion Error: ", "Binder Error: "):
        text = text.removeprefix(prefix)
    if match := _JSON_LINE.search(text):
        # DuckDB counts one line too many here (checked with 2.0: a bad 3rd line is reported as line 4);
        # tests/test_import.py pins this so an upgrade that fixes it is noticed.
        text = f"line {int(match.group(1)) - 1}: {match.group(2).rstrip('. ')}"
    elif text.startswith("Error when sniffing") and len(lines) > 1:
        text = lines[1] + " (a broken quote or a row with too many or too few fields?)"
    return text


def rejects_path(path: Path) -> Path:
    return path.with_name(path.name + ".rejects.csv")


def import_file(con: duckdb.DuckDBPyConnection, source: Source, keep_checked: Path | None = None) -> Result:
    """Load one file in one transaction; on any error nothing from it stays in the database.

    keep_checked: a folder to keep the checked rows in as <kind>.parquet (the example inputs of the SQL files).
    """
    result = Result(source)
    started = time.perf_counter()
    writes = WRITES[source.kind]
    progress = Progress(source, 3 + len(writes))
    try:
        _import_into(con, source, result, writes, progress, keep_checked)
    except BaseException:
        progress.interrupt()
        raise
    result.seconds = time.perf_counter() - started
    return result


def _import_into(con, source: Source, result: Result, writes, progress: Progress, keep_checked: Path | None) -> None:
    with disk.staging_dir(STAGING_PREFIX) as tmp, db.serialized():
        staged, checked = str(Path(tmp) / "staged.parquet"), str(Path(tmp) / "checked.parquet")
        try:
            with db.write(con):
                progress.step("reading")
                layout = stage(con, source, staged)
                result.counts = check_and_write(con, source.kind, staged, checked, progress.step)
                check_invariant(source, layout, result.counts)
        except (ReadFailed, duckdb.Error) as exc:
            with contextlib.suppress(duckdb.Error):
                con.rollback()  # a failed write may have ended the transaction already
            progress.interrupt()
            if (fault := storage_fault(con, source, exc.__cause__ or exc)) is not None:
                raise fault from exc  # a full disk or TMPDIR is not the input file's fault: stop, one line
            result.error = str(exc) if isinstance(exc, ReadFailed) else " ".join(str(exc).split())
            result.counts = {}
            return
        if keep_checked:
            shutil.copy(checked, Path(keep_checked) / f"{source.kind}.parquet")
        progress.step("quarantine")
        old_rejects = rejects_path(source.path)
        if result.counts["rejected"]:
            result.rejects = old_rejects
            queries.run(con, "import_rejects", checked=checked, rejects=str(old_rejects))
        elif old_rejects.exists():
            old_rejects.unlink()  # a stale quarantine from an earlier run would be misleading
        progress.close()


def stage(con: duckdb.DuckDBPyConnection, source: Source, staged: str) -> textfile.Layout | None:
    """Read the file into the staging parquet file, rows numbered by the physical line they start on (CSV, JSON
    lines). Returns the independent layout (record count) of text files; raises ReadFailed with the line and fix."""
    try:
        layout = {"csv": textfile.scan_csv, "jsonl": textfile.scan_jsonl}.get(source.format, lambda _: None)(
            source.path)
    except textfile.Unreadable as exc:
        raise ReadFailed(f"cannot be read as {FORMAT_NAMES[source.format]}: {exc}") from None
    params = {}
    if source.format == "csv":
        params = {"delim": layout.delimiter, "columns": dict.fromkeys(layout.header, "VARCHAR"),
                  "decimal_comma": layout.delimiter == ";"}
    numbered = staged if layout is None or not layout.jumps else staged + ".records.parquet"
    try:
        queries.run(con, f"import_stage_{source.format}", path=str(source.path), staged=numbered, **params)
    except duckdb.Error as exc:
        bad_line = textfile.first_bad_json_line(source.path) if source.format == "jsonl" else None
        raise ReadFailed(f"cannot be read as {FORMAT_NAMES[source.format]}: {bad_line}" if bad_line
                         else read_problem(source, exc)) from exc
    if numbered != staged:
        rows, offsets = zip(*layout.jumps, strict=True)
        queries.run(con, "import_stage_lines", staged=numbered, jump_rows=list(rows), jump_offsets=list(offsets),
                    target=staged)
    return layout


def check_invariant(source: Source, layout: textfile.Layout | None, counts: dict) -> None:
    """Every record is accounted for: read = loaded + updated + unchanged + rejected, and read equals the records
    counted independently in the file. A difference is a bug, and it stops the file rather than lose rows."""
    accounted = counts["inserted"] + counts["updated"] + counts["unchanged"] + counts["rejected"]
    expected = layout.records if layout is not None else counts["read"]
    if counts["read"] != accounted or counts["read"] != expected:
        raise ReadFailed(f"the file has {expected} records but {counts['read']} were read and {accounted} "
                         "accounted for (loaded, updated, unchanged or rejected); refusing to load a file that would "
                         "lose rows. Please report this file")


def check_and_write(con: duckdb.DuckDBPyConnection, kind: str, staged: str, checked: str,
                    step=lambda stage: None, ids_ahead: bool = False, few: bool = False) -> dict:
    """Check staged rows (row_no, record) of one kind into $checked and write the good ones, inside the caller's
    transaction; returns the counts. The one implementation of the contract: `entities import` stages a file,
    POST /api/v1/events (entities/ingest/batch.py) stages a batch, and both call this.

    ids_ahead: the caller knows entity_ids is already past every entity id (an earlier load it committed advanced
    it, and every insert since took its id from it), so the scan that checks it is skipped (the ingest writer).
    few: at most FEW_ROWS rows are staged (an API post), so the entities check looks the stored rows up through the
    retriever_ref index instead of joining every entity."""
    step("validating")
    queries.run(con, f"import_check_{kind}", {"lookup": queries.STORED_LOOKUPS[few]} if kind == "entities" else None,
                staged=staged, checked=checked, **CHECK_PARAMS[kind], **check_inputs(con, kind, staged, Path(checked)))
    counts = queries.records(con, "import_counts", checked=checked)[0]
    if kind == "entities" and counts["inserted"] and not ids_ahead:  # the one write taking ids from entity_ids
        queries.run(con, "sequence_advance_entity_ids")
    counted = kind == "entities" and (counts["inserted"] or counts["updated"])
    if counted and counts["updated"]:
        queries.run(con, "entity_hourly_remove_updated", checked=checked)
    for name in WRITES[kind]:
        step("writing")
        if name.endswith("_update") and not counts["updated"] or name.endswith("_insert") and not counts["inserted"]:
            continue  # nothing to write: skip the pass over the checked rows
        queries.run(con, name, checked=checked)
    if counted:
        queries.run(con, "entity_hourly_add_checked", checked=checked)
    if kind == "transactions" and counts["inserted"]:  # the only other kind whose ids a sequence must stay beyond
        advance_sequences(con)
    return counts


def check_inputs(con: duckdb.DuckDBPyConnection, kind: str, staged: str, checked: Path) -> dict:
    """The check query's inputs beyond the staged rows: for transactions, the payloads' source text (beside
    the checked file)."""
    if kind != "transactions":
        return {}
    payloads = checked.with_name(checked.stem + ".payloads.jsonl")
    stage_payloads(con, staged, payloads)
    return {"payloads": str(payloads)}


def stage_payloads(con: duckdb.DuckDBPyConnection, staged: str, target: Path) -> None:
    """Write the source text of every payload sent as a JSON value (byte for byte, see rawjson) to target."""
    cursor = queries.run(con, "import_stage_payloads", staged=staged)
    with target.open("w", encoding="utf-8") as out:
        while batch := cursor.fetchmany(10_000):
            out.writelines(rawjson.payload_rows(batch))


def advance_sequences(con: duckdb.DuckDBPyConnection) -> None:
    """After loading transactions, so the app's own transaction ids (negative) move past any app-made rows loaded
    from an export, and transaction_ids past the engine's. A no-op import moves nothing. (Each call scans the
    transactions' ids: the API, loading small batches many times a second, calls it only when rows were added.)"""
    queries.run(con, "sequences_advance")


def through_app(app, sources: list[Source]) -> list[Result]:
    """Load the files through the app running on the database (it owns the file): the app reads them from
    this machine's disk and writes the rejects files beside them, exactly as a direct import does."""
    body = {"sources": [{"path": str(s.path.resolve()), "kind": s.kind, "format": s.format} for s in sources]}
    answers = app.post("/control/import", body)["results"]
    return [Result(source, counts=a["counts"], error=a["error"], seconds=a["seconds"],
                   rejects=rejects_path(source.path) if a["rejects"] else None)
            for source, a in zip(sources, answers, strict=True)]


def import_many(con: duckdb.DuckDBPyConnection, sources: list[dict]) -> list[dict]:
    """The app's side of through_app: each file in its own transaction, as `entities import` runs them."""
    results = [import_file(con, Source(Path(s["path"]), s["kind"], s["format"])) for s in sources]
    return [{"counts": r.counts, "error": r.error, "rejects": r.rejects is not None, "seconds": r.seconds}
            for r in results]


def storage_fault(con, source: Source, exc: BaseException) -> db.DatabaseError | None:
    """A refused write to the database or the staging folder (not a problem reading the input file)."""
    failed_on = disk.path_in(str(exc))
    if failed_on and Path(failed_on).resolve() == source.path.resolve():
        return None
    return db.fault_of(exc, db.path_of(con) or "")


class ReadFailed(Exception):
    """The file could not be read as the given format (truncated, broken quoting, corrupt)."""


def summary(results: list[Result]) -> list[str]:
    header = ("kind", "file", "read", "loaded", "updated", "unchanged", "rejected")
    table = [header]
    for r in results:
        c = r.counts
        values = ("failed",) * 5 if r.error else (c["read"], c["inserted"], c["updated"], c["unchanged"],
                                                  c["rejected"])
        table.append((r.source.kind, r.source.path.name, *map(str, values)))
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) if i < 2 else str(v).rjust(w)
                       for i, (v, w) in enumerate(zip(row, widths, strict=True)))
             for row in table]
    for r in results:
        name = r.source.path.name
        if r.error:
            lines.append(f"{name}: {r.error} — nothing from this file was loaded")
            continue
        if r.rejects:
            n = r.counts["rejected"]
            lines.append(f"{name}: {n} row{'s' if n != 1 else ''} rejected, see {r.rejects}")
        if r.counts.get("payload_invalid"):
            n = r.counts["payload_invalid"]
            lines.append(f"{name}: {n} payload{'s are' if n != 1 else ' is'} not valid JSON (kept as text)")
        if r.source.kind == "entities" and r.counts["read"] >= 10_000 and r.seconds:
            lines.append(f"{name}: {r.counts['read'] / r.seconds:,.0f} rows/s")
    return lines


def run(args) -> int:
    sources, problems = plan(args.files, args.kind, args.format)
    if problems:  # every argument is checked before anything loads: a typo never half-imports an export
        for problem in problems:
            print(f"entities import: {problem}", file=sys.stderr)
        print(f"entities import: nothing was loaded; fix the argument{'s' if len(problems) > 1 else ''} above "
              "and run the command again.", file=sys.stderr)
        return EXIT_UNREADABLE
    removed, size = disk.remove_stale(STAGING_PREFIX)
    if removed:
        print(f"Removed {removed} staging folder(s) ({size / 2**20:,.1f} MB) left in TMPDIR by interrupted imports.",
              file=sys.stderr)
    app = appclient.find_app(args.db) if Path(args.db).exists() else None
    if app:
        try:
            results = through_app(app, sources)
        finally:
            app.close()
    else:
        con = db.connect(args.db, create=True)
        try:
            results = [import_file(con, source) for source in sources]
        finally:
            con.close()
    print("\n".join(summary(results)))
    if problems or any(r.error for r in results):
        return EXIT_UNREADABLE
    if any(r.counts["rejected"] for r in results):
        return EXIT_REJECTED
    return EXIT_OK
