"""The `entities` console script. Each subcommand lives in its own module with configure(parser) and run(args)."""
from __future__ import annotations

import argparse
import importlib
import signal
import sys

import duckdb

from entities import db
from entities.db import DatabaseError

EXIT_DATABASE = 3
EXIT_BUG = 70  # sysexits EX_SOFTWARE: an unexpected error, reported in one line

# name -> (module, help). A module provides configure(parser) and run(args) -> exit code.
COMMANDS = {
    "demo": ("entities.cli.demo", "generate a deterministic demo database"),
    "serve": ("entities.cli.serve", "run the app on a database"),
    "import": ("entities.ingest.importer", "load sync data from JSONL, CSV or Parquet"),
    "retry": ("entities.cli.retry", "queue a retry of one or more entities"),
    "worker": ("entities.sync.worker", "process queued retries without the app"),
    "feed": ("entities.cli.feed", "simulate a sync engine posting live records to the running app"),
    "policy": ("entities.cli.policy", "show or change each integration's retry limits and auto-retry policy"),
    "prune": ("entities.cli.prune", "apply the retention policy: delete old transactions and payloads"),
    "token": ("entities.cli.token", "create, list or revoke API tokens"),
    "bench": ("entities.cli.bench", "measure query speed at scale against pandas and SQLite baselines"),
    "check": ("entities.cli.check", "read every block of a database and report damage"),
    "backup": ("entities.cli.backup", "make a consistent copy of a database, also while the app runs"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="entities", description="Junipeer Entities: synced records dashboard.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    argv = sys.argv[1:] if argv is None else list(argv)
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name in argv[:1]:  # import only the chosen command: the others pull in Streamlit and pandas
            mod = importlib.import_module(module)
            mod.configure(command)
            command.set_defaults(run=mod.run)
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "accepts_extra", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    # a terminated command unwinds like Ctrl-C, so temp folders and half-built files are removed on the way out
    signal.signal(signal.SIGTERM, _terminated)
    try:
        return args.run(args) or 0
    except DatabaseError as exc:
        print(f"entities {args.command}: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except (duckdb.Error, OSError) as exc:
        problem = db.fault_of(exc, str(getattr(args, "db", None) or db.db_path()))
        if problem is None and isinstance(exc, OSError):
            print(f"entities {args.command}: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
            return 1
        text = problem or f"the database failed: {' '.join(str(exc).split())[:300]}"
        print(f"entities {args.command}: {text}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a message and a code, never a traceback
        if isinstance(exc, RuntimeError) and "interrupted" in str(exc):
            print("interrupted", file=sys.stderr)  # DuckDB ends a running query this way on Ctrl-C or kill
            return 130
        detail = " ".join(str(exc).split())[:500] or type(exc).__name__
        print(f"entities {args.command}: stopped by an unexpected error: {detail}", file=sys.stderr)
        return EXIT_BUG


def _terminated(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
