"""`entities serve` is secure by default: no sign-in means loopback only, unless --allow-anonymous (read-only)."""
import subprocess
import sys

import pytest
from conftest import ROOT

from entities.cli import serve

OIDC = {"ENTITIES_OIDC_METADATA_URL": "http://localhost:9/.well-known/openid-configuration",
        "ENTITIES_OIDC_CLIENT_ID": "entities", "ENTITIES_OIDC_CLIENT_SECRET": "s3cret",
        "ENTITIES_COOKIE_SECRET": "c" * 40}


def test_non_loopback_without_sign_in_is_refused(fixture_db):
    """Someone runs `entities serve --server.address 0.0.0.0` without sign-in: it refuses and names the fix."""
    run = subprocess.run([sys.executable, "-m", "entities.cli", "serve", "--db", str(fixture_db),
                          "--server.address", "0.0.0.0"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(fixture_db.parent)})
    assert run.returncode == 2
    assert "refusing to serve" in run.stderr and "--allow-anonymous" in run.stderr and "ENTITIES_OIDC_" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("address", ["192.168.1.20", "::", "example.org", ""])
def test_every_non_loopback_address_is_refused(address, tmp_path, monkeypatch):
    """Any address but loopback, including all interfaces (empty), is refused without sign-in."""
    monkeypatch.chdir(tmp_path)
    problems, _ = serve.check([*serve.DEFAULTS, "--server.address", address], False, {})
    assert len(problems) == 1 and "refusing to serve" in problems[0]


@pytest.mark.parametrize(("argv", "allow_anonymous", "env", "problem", "added"), [
    ([*serve.DEFAULTS], False, {}, None, {"ENTITIES_ANONYMOUS": ""}),  # local mode on 127.0.0.1
    ([*serve.DEFAULTS, "--server.address=localhost"], False, {}, None, {"ENTITIES_ANONYMOUS": ""}),
    ([*serve.DEFAULTS, "--server.address", "0.0.0.0"], True, {}, None, {"ENTITIES_ANONYMOUS": "1"}),
    ([*serve.DEFAULTS, "--server.address", "0.0.0.0"], False, OIDC, None,
     {"STREAMLIT_SERVER_COOKIE_SECRET": "c" * 40}),
    ([*serve.DEFAULTS], False, {**OIDC, "ENTITIES_COOKIE_SECRET": ""}, "cookie_secret is missing", None),
    ([*serve.DEFAULTS], False, {**OIDC, "ENTITIES_COOKIE_SECRET": "short"}, "at least 32", None),
    ([*serve.DEFAULTS], False, {**OIDC, "ENTITIES_OIDC_CLIENT_ID": ""}, "client_id is missing", None),
])
def test_serve_checks(argv, allow_anonymous, env, problem, added, tmp_path, monkeypatch):
    """The address and sign-in settings decide whether the server starts and in which mode."""
    monkeypatch.chdir(tmp_path)  # no project secrets.toml
    monkeypatch.setenv("HOME", str(tmp_path))
    problems, extra = serve.check(argv, allow_anonymous, env)
    if problem:
        assert len(problems) == 1 and problem in problems[0]
    else:
        assert problems == [] and extra == added
