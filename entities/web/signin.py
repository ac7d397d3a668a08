"""Sign-in configuration: OIDC through Streamlit's st.login, set in .streamlit/secrets.toml [auth] or ENTITIES_OIDC_*.

Without it the app is in local mode: it serves on 127.0.0.1 only, as a local admin (or, with --allow-anonymous,
to read-only viewers on any address). With it, everyone signs in and gets the role the rules in roles.py give.
"""
from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

ENV = {  # environment variable -> [auth] key
    "ENTITIES_OIDC_METADATA_URL": "server_metadata_url",
    "ENTITIES_OIDC_CLIENT_ID": "client_id",
    "ENTITIES_OIDC_CLIENT_SECRET": "client_secret",
    "ENTITIES_OIDC_REDIRECT_URI": "redirect_uri",
    "ENTITIES_COOKIE_SECRET": "cookie_secret",
}
REQUIRED = ("server_metadata_url", "client_id", "client_secret", "redirect_uri", "cookie_secret")
DEFAULT_REDIRECT_URI = "http://localhost:{port}/oauth2callback"  # Streamlit fills in {port}
MIN_COOKIE_SECRET = 32
ANONYMOUS_VARIABLE = "ENTITIES_ANONYMOUS"


class ConfigError(Exception):
    """Sign-in is configured incompletely or unsafely; the message names the setting to fix."""


def auth_from_env(env: Mapping[str, str] | None = None) -> dict | None:
    """The [auth] section built from ENTITIES_OIDC_* / ENTITIES_COOKIE_SECRET, or None when none of them is set."""
    env = os.environ if env is None else env
    found = {key: env[name].strip() for name, key in ENV.items() if env.get(name, "").strip()}
    if not found:
        return None
    found.setdefault("redirect_uri", DEFAULT_REDIRECT_URI)
    return found


def secrets_files(script: Path | None = None) -> list[Path]:
    """Where Streamlit looks for secrets.toml: the user's ~/.streamlit, the working directory's, the script's."""
    files = [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]
    if script is not None:
        files.append(script.parent / ".streamlit" / "secrets.toml")
    return files


def auth_from_files(files: list[Path]) -> dict | None:
    section: dict = {}
    for path in files:
        if not path.is_file():
            continue
        try:
            section.update(tomllib.loads(path.read_text(encoding="utf-8")).get("auth") or {})
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} cannot be read: {exc}") from None
    return section or None


def auth_config(env: Mapping[str, str] | None = None, files: list[Path] | None = None) -> dict | None:
    """The effective [auth] section (environment overrides the files, as st.App(secrets=…) does), or None."""
    from_env = auth_from_env(env)
    return from_env if from_env is not None else auth_from_files(files or [])


def problems(auth: Mapping) -> list[str]:
    """What keeps this [auth] section from being safe to serve with; empty when it is fine."""
    found = []
    providers = [value for value in auth.values() if isinstance(value, Mapping)]
    flat = {key for key in REQUIRED if auth.get(key)}
    needed = {"redirect_uri", "cookie_secret"} if providers else set(REQUIRED)
    for key in sorted(needed - flat):
        variable = next(name for name, k in ENV.items() if k == key)
        found.append(f"[auth] {key} is missing (secrets.toml) / {variable} is not set")
    secret = str(auth.get("cookie_secret") or "")
    if secret and len(secret) < MIN_COOKIE_SECRET:
        found.append(f"the cookie secret has {len(secret)} characters; use at least {MIN_COOKIE_SECRET} random ones "
                     "(python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return found


def is_loopback(address: str) -> bool:
    address = address.strip().strip("[]")
    if address in ("localhost", ""):
        return address == "localhost"
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def anonymous(env: Mapping[str, str] | None = None) -> bool:
    return ((os.environ if env is None else env).get(ANONYMOUS_VARIABLE) or "") == "1"
