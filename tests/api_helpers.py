"""Helpers for the API tests: real tokens made by the token code, and HTTP calls with them."""
from __future__ import annotations

from pathlib import Path

import httpx

from entities import db, identity
from entities.web import tokens


def make_tokens(db_path: Path, wanted: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """name -> token text for each name -> scopes, created on the database file before the app serves it."""
    con = db.connect(db_path)
    try:
        return {name: tokens.create(con, identity.CLI, name, list(scopes))["token"] for name, scopes in wanted.items()}
    finally:
        con.close()


class Api:
    def __init__(self, url: str, token: str | None = None):
        self.url, self.token = url, token

    def headers(self, token: str | None, extra: dict | None = None) -> dict:
        token = self.token if token is None else token
        return {**({"Authorization": f"Bearer {token}"} if token else {}), **(extra or {})}

    def get(self, path: str, params=None, token: str | None = None) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", params=params, headers=self.headers(token), timeout=30)

    def post(self, path: str, token: str | None = None, headers: dict | None = None, **kwargs) -> httpx.Response:
        return httpx.post(f"{self.url}{path}", headers=self.headers(token, headers), timeout=30, **kwargs)
