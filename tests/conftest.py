"""Shared test harness: the literal fixture database, AppTest helpers and a real streamlit server + Chromium."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import streamlit as st

import queries
from entities import db, hourly, ui

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SQL = Path(__file__).with_name("fixture.sql")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def build_fixture_db(path: Path) -> Path:
    con = db.connect(path, create=True)
    queries.execute_file(con, FIXTURE_SQL)
    queries.run(con, "sequences_advance")
    hourly.recount(con)
    con.close()
    return path


@pytest.fixture(scope="session")
def fixture_db_template(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("fixture") / "fixture.duckdb")


@pytest.fixture
def fixture_db(fixture_db_template, tmp_path) -> Path:
    """A private, writable copy of the literal fixture database."""
    path = tmp_path / "fixture.duckdb"
    shutil.copy(fixture_db_template, path)
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A generated 2,000-entity demo database (seed 7), built once per test session; copy it before writing."""
    from entities.cli import main

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    assert main(["demo", "--db", str(path), "--entities", "2000", "--seed", "7"]) == 0
    return path


@pytest.fixture
def con(fixture_db):
    connection = db.connect(fixture_db)
    yield connection
    connection.close()


@pytest.fixture
def app_env(fixture_db, monkeypatch):
    """Point the app at a fresh fixture DB and start with empty Streamlit caches."""
    monkeypatch.setenv("ENTITIES_DB", str(fixture_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    ui.clear_cache()
    yield fixture_db
    st.cache_data.clear()
    st.cache_resource.clear()
    ui.clear_cache()


def open_app(page: str | None = None, /, **query_params):
    """Run app.py in AppTest, optionally switched to pages/<page>.py with URL parameters."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for key, value in query_params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py")
        for key, value in query_params.items():
            at.query_params[key] = value
        at.run()
    return at


@contextlib.contextmanager
def held_database(path: Path):
    """Another real process holds the DuckDB file open (as the running app would); yields that process's pid."""
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); sys.stdin.read()", str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield holder.pid
    finally:
        holder.stdin.close()
        holder.wait(30)


def rerun(at):
    """Rerun after an interaction. AppTest 1.67 would rerun the finished page's file on its own, without app.py
    (no sidebar), because it re-detects the pages/ folder each run; an empty page hash runs the whole app."""
    at._finished_page_script_hash = ""
    return at.run()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def settled(page) -> None:
    """Wait until the script run has finished, so the next interaction does not interrupt it halfway."""
    page.locator("[data-testid=stApp][data-test-script-state=notRunning]").wait_for()


def tick_row(page, row: int, shows, grid_test_id: str = "stDataFrame") -> None:
    """Tick a row of the last st.dataframe (a canvas grid: click its row-selection cell) once the app is idle, until
    `shows` (a locator) appears. A click that lands while a rerun redraws the grid is lost, so it is tried again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):
        settled(page)
        grid = page.get_by_test_id(grid_test_id).last
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17 + 35 * row)
        try:
            shows.wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    shows.wait_for()


class Server:
    """A real `entities serve` (streamlit run app.py) on a free 127.0.0.1 port against a database file."""

    def __init__(self, db_path: Path, env: dict | None = None, log: Path | None = None):
        self.db_path = db_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log or db_path.with_suffix(".server.log")
        cmd = [sys.executable, "-m", "entities.cli", "serve", "--db", str(db_path), "--server.port", str(self.port),
               "--server.fileWatcherType", "none"]
        # The fixture's transient errors would be auto-retried as the server starts and take the Retry button away
        # from the page under test; the auto-retry policy is tested by driving the worker directly.
        full_env = dict(os.environ, ENTITIES_DB=str(db_path), ENTITIES_WORKER_AUTO_RETRY="off", **(env or {}))
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=self.log.open("w"),
                                     stderr=subprocess.STDOUT)
        wait_until(self._healthy, 180, f"streamlit to serve {self.url} (log: {self.log})")

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"streamlit exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: browser tests cannot run. "
                    "Install it with `apt-get install -y chromium` (.ci/run does this).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def target():
    """A real local webhook receiver (entities.cli.webhook_target) for the retry worker, closed after the test."""
    from entities.cli.webhook_target import WebhookTarget

    with WebhookTarget() as server:
        yield server


@pytest.fixture
def server_factory(tmp_path):
    """Start servers on copies of database files; every server is stopped after the test."""
    started = []

    def start(source_db: Path, env: dict | None = None) -> Server:
        copy = tmp_path / f"served-{len(started)}.duckdb"
        shutil.copy(source_db, copy)
        server = Server(copy, env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, timezone_id="Europe/Stockholm",
                                  accept_downloads=True)
    context.set_default_timeout(20_000)
    opened = context.new_page()
    yield opened
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _keep_failure_evidence(opened, request.node.name, tmp_path)
    context.close()


def _keep_failure_evidence(page, name: str, tmp_path: Path) -> None:
    """A failed browser test leaves what the user saw: a screenshot and the page's text, path in the report."""
    with contextlib.suppress(Exception):
        shot = tmp_path / f"{name}.png"
        page.screenshot(path=shot, full_page=True)
        (tmp_path / f"{name}.txt").write_text(f"{page.url}\n\n{page.inner_text('body')}")
        print(f"\nbrowser evidence: {shot} and {shot.with_suffix('.txt')}\n{page.inner_text('body')[:3000]}")
