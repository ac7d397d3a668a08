"""`entities serve [--db PATH] [streamlit args…]`: run the app on a database."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from entities.db import db_path

APP = Path(__file__).resolve().parent.parent / "app.py"
DEFAULTS = ["--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1"]


def configure(parser) -> None:
    parser.add_argument("--db", default=None, help="database file (default: $ENTITIES_DB or data/demo.duckdb)")
    parser.set_defaults(accepts_extra=True)


def run(args) -> int:
    env = dict(os.environ, ENTITIES_DB=str(Path(args.db or db_path()).resolve()))
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), *DEFAULTS, *args.extra]
    os.execvpe(cmd[0], cmd, env)
