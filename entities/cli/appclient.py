"""Reaching the running app from a CLI command: find it by the server file beside the database (see
entities/web/control.py) and talk JSON to it with the control secret, acting as identity.CLI."""
from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from entities.disk import pid_alive
from entities.web.control import server_file_path

API = "/api/v1"


class AppError(Exception):
    """The app answered with an error; status and message are what it said."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class AppClient:
    def __init__(self, url: str, secret: str, pid: int, timeout: float = 600.0):
        self.url, self.pid = url.rstrip("/"), pid
        self._http = httpx.Client(base_url=self.url + API, timeout=timeout,
                                  headers={"Authorization": f"Bearer {secret}"})

    def request(self, method: str, path: str, body=None, timeout: float | None = None) -> dict:
        try:
            response = self._http.request(method, path, json=body,
                                          **({"timeout": timeout} if timeout is not None else {}))
        except httpx.HTTPError as exc:
            raise AppError(0, f"the running app at {self.url} did not answer: {exc}") from exc
        try:
            data = response.json()
        except ValueError:
            data = {"error": response.text.strip()[:500]}
        if response.status_code >= 400:
            raise AppError(response.status_code, data.get("error") or data.get("detail") or str(data))
        return data

    def get(self, path: str, timeout: float | None = None) -> dict:
        return self.request("GET", path, timeout=timeout)

    def post(self, path: str, body=None) -> dict:
        return self.request("POST", path, body if body is not None else {})

    def close(self) -> None:
        self._http.close()


def find_app(db_path: str | os.PathLike) -> AppClient | None:
    """A client for the app running on this database, or None when none is (no file, or a stale one: its
    process is gone or its url does not answer)."""
    path = server_file_path(db_path)
    try:
        info = json.loads(Path(path).read_text())
        pid, url, secret = int(info["pid"]), str(info["url"]), str(info["secret"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not pid_alive(pid):
        return None
    client = AppClient(url, secret, pid)
    try:
        if client.get("/control/ping", timeout=5).get("pid") == pid:
            return client
    except AppError:
        pass
    client.close()
    return None
