"""API tokens: `entities token` with and without the running app, and what the API answers to each token."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import duckdb
import httpx
import pytest
from conftest import ROOT, Server, build_fixture_db, wait_until

from entities.cli import appclient
from entities.web.control import server_file_path


def entities(*args: str) -> subprocess.CompletedProcess:
    """The real console script in a process of its own, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "entities.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def create_token(db_path, name: str, *scopes: str, extra: tuple = ()) -> str:
    done = entities("token", "create", "--db", str(db_path), "--name", name,
                    *[a for s in scopes for a in ("--scope", s)], *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def token_rows(db_path) -> dict:
    done = entities("token", "list", "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return {line.split()[0]: line for line in lines[1:]}


def get(server, path: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{server.url}/api/v1{path}", headers=headers, timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One served fixture database for the tests that each use tokens of their own names."""
    server = Server(build_fixture_db(tmp_path_factory.mktemp("tokens") / "tokens.duckdb"))
    yield server
    server.stop()


def test_token_create_prints_the_token_last_and_stores_only_its_hash(fixture_db):
    """An admin creates a token without the app running: it is the last line, and the database never holds it."""
    token = create_token(fixture_db, "feed", "ingest", "read")
    assert token.startswith("ent_")
    con = duckdb.connect(str(fixture_db), read_only=True)
    stored = con.execute("select name, scopes, secret_sha256 from api_tokens").fetchall()
    audit = con.execute("select actor, action, target from audit_log").fetchall()
    con.close()
    assert [(name, list(scopes)) for name, scopes, _ in stored] == [("feed", ["ingest", "read"])]
    assert token.split("_", 2)[2] not in stored[0][2]
    assert audit == [("cli (local)", "token.create", "token feed")]


@pytest.mark.parametrize(("args", "problem"), [
    (("--name", "feed", "--scope", "ingest"), "already exists"),
    (("--name", " ", "--scope", "ingest"), "1 to 100 characters"),
])
def test_token_create_refuses_a_bad_request(args, problem, fixture_db):
    """Creating a token under a name in use, or with a blank name, says why and changes nothing."""
    create_token(fixture_db, "feed", "ingest")
    done = entities("token", "create", "--db", str(fixture_db), *args)
    assert done.returncode == 2 and problem in done.stderr and "Traceback" not in done.stderr
    assert list(token_rows(fixture_db)) == ["feed"]


def test_server_file_is_private_while_the_app_runs_and_gone_after(fixture_db, server_factory):
    """The running app announces itself beside the database (mode 0600) and removes the file on shutdown."""
    server = server_factory(fixture_db)
    path = server_file_path(server.db_path)
    info = json.loads(path.read_text())
    assert info["url"] == server.url and info["pid"] != os.getpid()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    server.stop()
    assert not path.exists()


def test_stale_server_file_is_ignored(fixture_db):
    """A server file left by a killed app (its process gone) does not stop token commands working directly."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    server_file_path(fixture_db).write_text(json.dumps({"pid": dead.pid, "url": "http://127.0.0.1:9", "secret": "x"}))
    assert appclient.find_app(fixture_db) is None
    assert create_token(fixture_db, "feed", "ingest").startswith("ent_")


def test_token_commands_work_through_the_running_app(served):
    """With the app running, an admin creates, lists and revokes tokens, and the revoked one is refused at once."""
    token = create_token(served.db_path, "revoked-reader", "read")
    assert get(served, "/tokens", token).status_code == 403  # a token never manages tokens
    assert "active" in token_rows(served.db_path)["revoked-reader"]
    done = entities("token", "revoke", "--db", str(served.db_path), "revoked-reader")
    assert done.returncode == 0, done.stderr
    assert "revoked" in token_rows(served.db_path)["revoked-reader"]
    response = get(served, "/tokens", token)
    assert response.status_code == 401 and "revoked" in response.json()["error"]


def test_token_use_shows_in_token_list(served):
    """After a token is used, `entities token list` shows its last use and count while the app runs."""
    token = create_token(served.db_path, "counted-reader", "read")
    for _ in range(3):
        get(served, "/tokens", token)
    row = token_rows(served.db_path)["counted-reader"].split()
    assert row[-1] == "3" and row[-2] == "UTC"


@pytest.mark.parametrize(("token", "status", "header"), [
    (None, 401, "Bearer"),
    ("not-a-token", 401, 'Bearer error="invalid_token"'),
    ("ent_1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401, 'Bearer error="invalid_token"'),
])
def test_missing_or_unknown_token_gets_401(token, status, header, served):
    """A request without a token, or with a made-up one, is told to authenticate."""
    response = get(served, "/tokens", token)
    assert (response.status_code, response.headers["www-authenticate"]) == (status, header)
    assert "error" in response.json()


def test_expired_token_gets_401(served):
    """A token past its expiry is refused like an unknown one."""
    token = create_token(served.db_path, "brief", "read", extra=("--expires-days", "0.00002"))  # ~2 s
    wait_until(lambda: get(served, "/tokens", token).status_code == 401, 30, "the token to expire")
    assert "expired" in token_rows(served.db_path)["brief"]


def test_ten_bad_tokens_in_a_minute_slow_the_address_down(fixture_db, server_factory):
    """After ten bad tokens from one address, even a good token from it waits (429 with Retry-After)."""
    server = server_factory(fixture_db)
    token = create_token(server.db_path, "reader", "read")
    statuses = [get(server, "/tokens", f"ent_{n}_{'B' * 43}").status_code for n in range(10)]
    assert statuses == [401] * 10
    response = get(server, "/tokens", token)
    assert response.status_code == 429 and 1 <= int(response.headers["retry-after"]) <= 60
