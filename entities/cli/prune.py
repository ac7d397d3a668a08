"""`entities prune --db PATH [--dry-run] [--compact]`: apply the retention policy (entities/retention.py)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

import queries
from entities import db, retention


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=db.db_path(), help="database file (default: ENTITIES_DB or %(default)s)")
    parser.add_argument("--dry-run", action="store_true", help="show what would be removed; change nothing")
    parser.add_argument("--compact", action="store_true",
                        help="after pruning, rewrite the file densely so it shrinks (needs the app stopped)")


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def run(args) -> int:
    try:
        defaults = retention.Defaults.from_env()
    except ValueError as exc:
        print(f"entities prune: {exc}", file=sys.stderr)
        return 2
    path = Path(args.db)
    con = db.connect(path, read_only=args.dry_run)
    rows = retention.plan(con, defaults=defaults)
    print(f"{'integration':<28} {'keep':>6} {'payloads':>9} {'delete rows':>12} {'drop payloads':>14} "
          f"{'MiB freed':>10}")
    for row in rows:
        print(f"{row['name'][:28]:<28} {row['keep_days']:>5}d {row['payload_days']:>8}d {row['transactions']:>12,} "
              f"{row['payloads']:>14,} {row['payload_bytes'] / 2**20:>10,.1f}")
    if args.dry_run:
        print("dry run: nothing was changed")
        return 0
    before = path.stat().st_size
    result = retention.prune(con, defaults=defaults)
    blocks = retention.size(con)
    con.close()
    print(f"deleted {result.deleted:,} transactions and dropped {result.payloads_dropped:,} payloads in "
          f"{result.batches} batches, {result.seconds:.1f} s (longest step {max(result.step_ms, default=0):.0f} ms, "
          f"longest checkpoint {max(result.checkpoint_ms, default=0):.0f} ms)")
    print(f"file {_mib(before)}; {blocks['free_blocks']:,} of {blocks['total_blocks']:,} blocks now free for reuse")
    if args.compact:
        compact(path)
        print(f"compacted: {_mib(before)} -> {_mib(path.stat().st_size)}")
    return 0


def compact(path: Path) -> None:
    """Rewrite the database densely into a new file, then swap it in atomically (the old file is replaced)."""
    tmp = path.with_name(path.name + ".compact.tmp")
    tmp.unlink(missing_ok=True)
    work = duckdb.connect()
    try:
        queries.run(work, "compact_attach", {"alias": "compact_source"}, path=str(path))
        queries.run(work, "compact_attach", {"alias": "compact_target"}, path=str(tmp))
        queries.run(work, "compact_copy")
    finally:
        work.close()
    con = db.connect(tmp)
    queries.run(con, "sequences_advance")
    queries.run(con, "demo_checkpoint")
    con.close()
    os.replace(tmp, path)
    Path(f"{path}.wal").unlink(missing_ok=True)
