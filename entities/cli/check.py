"""`entities check --db PATH`: read every block of a database and report damage: tables and row ranges affected.

Exit 0 when every row reads back, 2 when damage is found (the file is then marked damaged, so writers refuse it),
3 when the file cannot be opened. Runs read-only; while the app holds the file, stop it or check a backup.
"""
from __future__ import annotations

import sys
import time

from entities import check, db

EXIT_CLEAN, EXIT_DAMAGED = 0, 2


def configure(parser) -> None:
    parser.add_argument("--db", default=db.db_path(), help="database file (default: ENTITIES_DB or %(default)s)")


def run(args) -> int:
    started = time.perf_counter()
    con = db.connect(args.db, read_only=True)
    try:
        report = check.scan(con)
    finally:
        con.close()
    rows = sum(report.tables.values())
    print(f"{args.db}: read {rows:,} rows in {len(report.tables)} tables in {time.perf_counter() - started:.1f} s")
    for table in report.unchecked:
        print(f"  {table}: not part of this version's schema, not checked")
    if not report.damage:
        db.clear_damage(args.db)
        print("No damage found.")
        return EXIT_CLEAN
    for damage in report.damage:
        print(f"  DAMAGED {damage.line()}")
    problem = db.Damaged(f"Damaged blocks ({report.damage[0].line()})", args.db,
                         db.RESTORE_HINT.format(path=args.db))
    db.degrade(problem, args.db)  # records the damage beside the file: writers refuse it until it is replaced
    print(f"Damage found in {len({d.table for d in report.damage})} table(s). Restore the latest backup "
          "(README: Backups and restore); writes to this file are refused until it is replaced.", file=sys.stderr)
    return EXIT_DAMAGED
