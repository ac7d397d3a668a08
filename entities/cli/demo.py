"""`entities demo`: a deterministic, realistic demo database, generated set-based in DuckDB.

Every value derives from hash(key, seed) and an anchor time, so the same --entities, --seed and --anchor
always give the same data. The anchor defaults to the current UTC minute so the data looks fresh
("3 h ago"); pass --anchor to reproduce a database exactly.

The database is built at PATH.tmp and renamed to PATH only when complete, so a crash or Ctrl-C never
leaves a half-written database at PATH.
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
import time
from pathlib import Path

import queries
from entities import db, hourly

DEFAULT_ENTITIES = 50_000
DEFAULT_SEED = 42
# Entities per transactions statement: moves the progress bar and bounds memory (~1M transactions each).
CHUNK_ENTITIES = 100_000
# Rough share of the run time per step, so the bar moves evenly.
STEPS = {
    "setup": 1,
    "integrations": 1,
    "entities": 12,
    "children": 10,
    "transactions": 62,
    "retry requests": 2,
    "checkpoint": 12,
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, metavar="PATH", help="database file to create")
    parser.add_argument("--entities", type=_positive, default=DEFAULT_ENTITIES, metavar="N",
                        help=f"number of entities (default {DEFAULT_ENTITIES:,}; ~10 transactions each)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S",
                        help=f"pseudo-random seed (default {DEFAULT_SEED})")
    parser.add_argument("--anchor", type=_anchor, default=None, metavar="TIME",
                        help="UTC time the data ends at, ISO 8601 (default: the current minute). "
                             "The same N, seed and anchor give identical data.")
    parser.add_argument("--force", action="store_true", help="replace an existing database at PATH")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _anchor(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from exc
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def current_minute() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


class Progress:
    """A one-line text bar on stderr: weighted steps, percentage and elapsed time."""

    def __init__(self, steps: dict[str, int], stream=None, width: int = 30):
        # sys.stderr is looked up per bar: a default bound at import keeps a stream that may since be closed.
        self.steps, self.stream, self.width = steps, stream or sys.stderr, width
        self.total = sum(steps.values())
        self.done = 0.0
        self.started = time.monotonic()
        self.live = self.stream.isatty()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def show(self, step: str, fraction: float = 0.0) -> None:
        share = min(1.0, (self.done + self.steps[step] * fraction) / self.total)
        filled = round(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        line = f"[{bar}] {share:4.0%}  {step + '…':<16} {self.elapsed():6.1f} s"
        if self.live:
            self.stream.write("\r" + line)
            self.stream.flush()
        elif fraction == 0.0:
            print(line, file=self.stream)

    def finish(self, step: str) -> None:
        self.done += self.steps[step]

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()


def run(args: argparse.Namespace) -> int:
    path = Path(args.db)
    if path.is_dir():
        print(f"entities demo: {path} is a folder; give a file path such as {path / 'demo.duckdb'}. "
              "Nothing was changed.", file=sys.stderr)
        return 2
    if path.exists() and path.stat().st_size > 0 and not args.force:
        print(f"entities demo: {path} already exists and is not empty. Nothing was changed. "
              "Use --force to replace it, or choose another --db path.", file=sys.stderr)
        return 2
    path.parent.mkdir(parents=True, exist_ok=True)
    anchor = args.anchor or current_minute()
    tmp = path.with_name(path.name + ".tmp")
    if tmp.exists():
        print(f"entities demo: removing {tmp} ({tmp.stat().st_size / 2**20:,.1f} MB), left by an interrupted run",
              file=sys.stderr)
    _remove(tmp)
    progress = Progress(STEPS)
    try:
        con = db.connect(tmp, create=True)
        try:
            counts = generate(con, args.entities, args.seed, anchor, progress)
        finally:
            con.close()
    except BaseException:
        progress.close()
        _remove(tmp)
        raise
    progress.close()
    _remove(path, only_wal=True)  # a stale WAL of the replaced file would be replayed onto the new one
    os.replace(tmp, path)
    size_mb = path.stat().st_size / 2**20
    print(f"Demo database {path} (seed {args.seed}, anchor {anchor:%Y-%m-%d %H:%M} UTC)")
    for table, count in counts:
        print(f"  {table:<15} {count:>12,}")
    print(f"  {size_mb:,.1f} MB in {progress.elapsed():.1f} s")
    return 0


def generate(con, n: int, seed: int, anchor: dt.datetime, progress: Progress) -> list[tuple[str, int]]:
    """Fill an empty database; returns (table, row count) pairs."""
    progress.show("setup")
    progress.finish("setup")

    progress.show("integrations")
    queries.run(con, "demo_integrations")
    queries.run(con, "demo_flows", anchor=anchor)
    progress.finish("integrations")

    progress.show("entities")
    queries.run(con, "demo_entities", n=n, seed=seed, anchor=anchor)
    progress.finish("entities")

    progress.show("children")
    queries.run(con, "demo_children", lo=1, hi=n, seed=seed)
    progress.finish("children")

    chunks = math.ceil(n / CHUNK_ENTITIES)
    next_id = 1
    for chunk in range(chunks):
        progress.show("transactions", chunk / chunks)
        lo = chunk * CHUNK_ENTITIES + 1
        hi = min(n, lo + CHUNK_ENTITIES - 1)
        inserted = queries.scalar(con, "demo_transactions", lo=lo, hi=hi, first_id=next_id, seed=seed, anchor=anchor)
        next_id += inserted
    progress.finish("transactions")

    progress.show("retry requests")
    queries.run(con, "demo_retry_requests", seed=seed)
    queries.run(con, "sequences_advance")
    hourly.recount(con)
    progress.finish("retry requests")

    progress.show("checkpoint")
    queries.run(con, "demo_checkpoint")
    progress.finish("checkpoint")
    progress.show("checkpoint", 1.0)
    return queries.rows(con, "demo_table_counts")


def _remove(path: Path, only_wal: bool = False) -> None:
    targets = [path.with_name(path.name + ".wal")] + ([] if only_wal else [path])
    for target in targets:
        target.unlink(missing_ok=True)
