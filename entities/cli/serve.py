"""`entities serve [--db PATH] [streamlit args…]`: run the app (UI and API, entities/web/asgi.py) on a database."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from entities.db import db_path

ASGI = Path(__file__).resolve().parents[1] / "web" / "asgi.py"
DEFAULTS = ["--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1"]


def configure(parser) -> None:
    parser.add_argument("--db", default=None, help="database file (default: $ENTITIES_DB or data/demo.duckdb)")
    parser.set_defaults(accepts_extra=True)


def run(args) -> int:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    os.environ["ENTITIES_DB"] = str(Path(args.db or db_path()).resolve())
    # app.py routes with st.navigation. Until that has run once, Streamlit treats a `pages/` folder as legacy
    # routing, so the first visit to a fresh server at /entity would run that page without app.py's frame.
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(ASGI), *DEFAULTS, *args.extra]
    return streamlit_cli.main(standalone_mode=False) or 0
