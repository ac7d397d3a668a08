"""`entities serve [--db PATH] [--allow-anonymous] [streamlit args…]`: run the app (UI and API, entities/web/asgi.py).

Secure by default: without sign-in configured it binds 127.0.0.1 only and refuses any other address, unless
--allow-anonymous, which serves read-only viewers. With sign-in configured it refuses to start on an unsafe
configuration (no cookie secret, a short one), so cookies never depend on a secret generated per process.
"""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from entities.db import db_path
from entities.web import signin

ASGI = Path(__file__).resolve().parents[1] / "web" / "asgi.py"
# Streamlit's post-script GC is a full gc.collect(2) after every script run: with pandas, plotly and duckdb loaded it
# was ~60 % of the server's CPU per action (0.13 → 0.05 CPU-s); Python's own generational GC still runs. No page
# uses magic, whose AST rewrite is redone for every page each time the last session closes.
BASE = ["--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1"]
RUNNER = ["--runner.postScriptGC", "false", "--runner.magicEnabled", "false"]
DEFAULTS = [*BASE, *RUNNER]


def configure(parser) -> None:
    parser.add_argument("--db", default=None, help="database file (default: $ENTITIES_DB or data/demo.duckdb)")
    parser.add_argument("--allow-anonymous", action="store_true",
                        help="without sign-in, serve read-only viewers (needed to bind an address other than "
                             "127.0.0.1 without sign-in)")
    parser.set_defaults(accepts_extra=True)


def bound_address(argv: list[str]) -> str:
    """The --server.address the last occurrence in argv sets (streamlit takes the last one)."""
    address = ""
    for i, arg in enumerate(argv):
        if arg == "--server.address" and i + 1 < len(argv):
            address = argv[i + 1]
        elif arg.startswith("--server.address="):
            address = arg.split("=", 1)[1]
    return address


def check(argv: list[str], allow_anonymous: bool, env=None) -> tuple[list[str], dict]:
    """(problems that stop the server, environment to add); empty problems means it may start."""
    env = os.environ if env is None else env
    try:
        auth = signin.auth_config(env, signin.secrets_files(ASGI))
    except signin.ConfigError as exc:
        return [str(exc)], {}
    address = bound_address(argv)
    if auth:
        found = signin.problems(auth)
        # Streamlit signs its session and XSRF cookies with server.cookieSecret: the same configured secret
        return [f"sign-in is configured but {p}" for p in found], {"STREAMLIT_SERVER_COOKIE_SECRET":
                                                                   str(auth.get("cookie_secret", ""))}
    if allow_anonymous:
        return [], {signin.ANONYMOUS_VARIABLE: "1"}
    if not signin.is_loopback(address):
        return [f"refusing to serve on {address or 'every address'} without sign-in: anyone who can reach it "
                "would be a local admin. Configure sign-in (ENTITIES_OIDC_* or .streamlit/secrets.toml [auth]; "
                "see README, Sign-in), pass --allow-anonymous to serve read-only viewers, or bind 127.0.0.1."], {}
    return [], {signin.ANONYMOUS_VARIABLE: ""}


def run(args) -> int:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    argv = [*DEFAULTS, *args.extra]
    problems, extra_env = check(argv, args.allow_anonymous)
    if problems:
        for problem in problems:
            print(f"entities serve: {problem}", file=sys.stderr)
        return 2
    os.environ.update(extra_env)
    os.environ["ENTITIES_DB"] = str(Path(args.db or db_path()).resolve())
    # app.py routes with st.navigation. Until that has run once, Streamlit treats a `pages/` folder as legacy
    # routing, so the first visit to a fresh server at /entity would run that page without app.py's frame.
    PagesManager.uses_pages_directory = False
    _no_delay()
    _keep_compiled_scripts()
    sys.argv = ["streamlit", "run", str(ASGI), *argv]
    return streamlit_cli.main(standalone_mode=False) or 0


def _keep_compiled_scripts() -> None:
    """Streamlit empties its compiled-script cache whenever the last session disconnects, so with one viewer every
    reload compiled app.py and the page again (3-4 ms of CPU per load, ~5 % of a detail page's). Entries are
    kept instead and checked against the file's mtime and size, which also covers the file watcher's clear."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    if getattr(ScriptCache, "kept", False):
        return
    compile_script = ScriptCache.get_bytecode

    def get_bytecode(self, script_path: str):
        path = os.path.abspath(script_path)
        found = os.stat(path)
        stamp = (found.st_mtime_ns, found.st_size)
        stamps = self.__dict__.setdefault("_stamps", {})
        if stamps.get(path) != stamp:
            with self._lock:
                self._cache.pop(path, None)
                stamps[path] = stamp
        return compile_script(self, script_path)

    ScriptCache.get_bytecode = get_bytecode
    ScriptCache.clear = lambda self: None
    ScriptCache.kept = True


def _no_delay() -> None:
    """Streamlit binds its listening socket with socket.socket(family) (proto 0), so asyncio's own TCP_NODELAY skips
    the connections it accepts: on a keep-alive connection each response's body then waits for the client's
    delayed ACK, ~40 ms per API request (and per websocket message written right after another). Accepted
    sockets inherit the option from the listener."""
    from streamlit.web.server.starlette import starlette_server

    bind = getattr(starlette_server, "_bind_socket", None)
    if bind is None or getattr(bind, "no_delay", False):
        return

    def bind_no_delay(address: str, port: int, backlog: int) -> socket.socket:
        sock = bind(address, port, backlog)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    bind_no_delay.no_delay = True
    starlette_server._bind_socket = bind_no_delay
