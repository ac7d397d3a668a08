"""Every named query runs with its declared example parameters against the fixture database."""
import os
import re
import subprocess
import sys

import duckdb
import pytest

import queries

PARAM_LINE = re.compile(r"^--\s*@param\s+(\w+)\s+([\w\[\]() ,]+?)\s*=\s*(.+?)\s*$")
IDENT_LINE = re.compile(r"^--\s*@ident\s+(\w+)\s*=\s*(\w+)\s*$")
NEEDS_LINE = re.compile(r"^--\s*@needs\s+(\w+)\s*$")  # a query that must run first (e.g. backup_attach)
SETUP_LINE = re.compile(r"^--\s*@test-setup\s+(.+)$")  # SQL the fixture needs first, e.g. an ATTACH


def header(name: str) -> list[str]:
    lines = queries.sql(name).splitlines()
    return [line for line in lines[: next((i for i, line in enumerate(lines) if not line.startswith("--")),
                                              len(lines))]]


def example_params(name: str, con) -> tuple[dict, dict]:
    params, idents = {}, {}
    for line in header(name):
        if m := PARAM_LINE.match(line):
            params[m.group(1)] = duckdb.execute(f"select cast({m.group(3)} as {m.group(2)})").fetchone()[0]
        elif m := IDENT_LINE.match(line):
            idents[m.group(1)] = m.group(2)
    return params, idents


@pytest.mark.parametrize("name", queries.names())
def test_query_has_header(name):
    """Each .sql file starts with a comment saying what it returns and declares every $parameter it uses."""
    head = header(name)
    assert head, f"{name}.sql has no header comment"
    declared = {PARAM_LINE.match(line).group(1) for line in head if PARAM_LINE.match(line)}
    assert declared == queries.declared(queries.sql(name)), f"{name}.sql: @param lines do not match its $names"


@pytest.mark.parametrize("name", queries.names())
def test_query_runs_on_fixture(name, con):
    """Each named query executes with its example parameters on the fixture DB."""
    for line in header(name):
        if m := NEEDS_LINE.match(line):
            queries.run(con, m.group(1), **example_params(m.group(1), con)[0])
    params, idents = example_params(name, con)
    for line in header(name):
        if m := SETUP_LINE.match(line):
            con.execute(m.group(1))
    cursor = queries.run(con, name, idents or None, **params)
    if cursor.description:
        cursor.fetchall()


@pytest.mark.parametrize("bad", ["last_updated; drop table entities", "id) --", "DESC"])
def test_identifier_slots_only_take_allowlisted_names(bad, con, tmp_path, monkeypatch):
    """An ORDER BY identifier outside the allowlist is refused before any SQL runs."""
    monkeypatch.setattr(queries, "QUERY_DIR", tmp_path)
    queries.sql.cache_clear()
    (tmp_path / "probe.sql").write_text("-- probe\nselect id from entities order by {{col}};\n")
    try:
        with pytest.raises(ValueError, match="allowlist"):
            queries.run(con, "probe", {"col": bad})
    finally:
        queries.sql.cache_clear()


def test_missing_parameter_is_named(con, tmp_path, monkeypatch):
    """Calling a query without one of its parameters names the missing one."""
    monkeypatch.setattr(queries, "QUERY_DIR", tmp_path)
    queries.sql.cache_clear()
    probe = "-- probe\n-- @param ref varchar = 'x'\nselect id from entities where retriever_ref = $ref;\n"
    (tmp_path / "probe.sql").write_text(probe)
    try:
        with pytest.raises(TypeError, match=r"missing parameters \['ref'\]"):
            queries.run(con, "probe")
    finally:
        queries.sql.cache_clear()


@pytest.mark.parametrize(("env", "logged"), [("0", True), ("60000", False), ("", False)])
def test_slow_queries_are_logged_by_name_when_asked(env, logged, fixture_db):
    """An operator sets ENTITIES_SLOW_QUERY_MS and reads which named query was slow on the command's stderr."""
    done = subprocess.run([sys.executable, "-m", "entities.cli", "token", "list", "--db", str(fixture_db)],
                          capture_output=True, text=True, env={**os.environ, "ENTITIES_SLOW_QUERY_MS": env})
    assert done.returncode == 0, done.stderr
    assert bool(re.search(r"slow query api_tokens_list: [\d.]+ ms", done.stderr)) is logged
