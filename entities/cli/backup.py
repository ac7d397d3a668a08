"""`entities backup --db PATH --to DEST`: a consistent copy of the database, made by the running app when it holds
the file (through its control channel), else directly. DEST is a new file, or a folder for a timestamped one."""
from __future__ import annotations

import sys

from entities import backup, db
from entities.cli import appclient

EXIT_REFUSED = 2


def configure(parser) -> None:
    parser.add_argument("--db", default=db.db_path(), help="database file (default: ENTITIES_DB or %(default)s)")
    parser.add_argument("--to", required=True, metavar="DEST",
                        help="the backup file to create, or an existing folder for entities-<db>-<UTC time>.duckdb")


def run(args) -> int:
    dest = backup.target(args.to, args.db).resolve()
    if dest.exists():
        print(f"entities backup: {dest} already exists. Nothing was changed. Choose another name or a folder.",
              file=sys.stderr)
        return EXIT_REFUSED
    app = appclient.find_app(args.db)
    if app is not None:
        try:
            made = app.post("/control/backup", {"to": str(dest)})
        except appclient.AppError as exc:
            print(f"entities backup: the running app (process {app.pid}) refused: {exc}", file=sys.stderr)
            return EXIT_REFUSED
        finally:
            app.close()
        _print(made["path"], made["bytes"], made["counts"], f" by the running app (process {app.pid})", args.db)
        return 0
    con = db.connect(args.db, read_only=True)
    try:
        made = backup.make(con, dest)
    finally:
        con.close()
    _print(str(made.path), made.bytes, made.counts, "", args.db)
    return 0


def _print(path: str, size: int, counts: dict, how: str, source: str) -> None:
    rows = ", ".join(f"{table} {n:,}" for table, n in counts.items())
    print(f"Backup written to {path}{how}: {size / 2**20:,.1f} MB ({rows}).")
    print(f"To restore: stop the app, `rm -f {source}.wal`, `cp {path} {source}`, start the app.")
