"""The local control channel: how CLI commands on this machine reach the running app, which owns the database.

At start the app writes `<db>.server.json` beside the database (mode 0600): its pid, url and a random control
secret. A command that finds the file (entities/cli/appclient.py) sends the secret as its bearer token and acts
as identity.CLI, a local admin. The file is removed on clean shutdown; a client ignores a stale one.
Anyone who can read the file can already open the database file itself, so it grants nothing new.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path

from entities.web import tokens

log = logging.getLogger("entities")


def server_file_path(db_path: str | os.PathLike) -> Path:
    path = Path(db_path).resolve()
    return path.with_name(path.name + ".server.json")


def _url() -> str:
    from streamlit import config

    address = config.get_option("server.address") or "127.0.0.1"
    if address in ("0.0.0.0", "::", ""):
        address = "127.0.0.1"
    host = f"[{address}]" if ":" in address else address
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"http://{host}:{int(config.get_option('server.port'))}" + (f"/{base}" if base else "")


class ServerFile:
    """Writes the server file and sets the control secret; stop() removes the file if it is still ours."""

    def __init__(self, db_path: str):
        self.path = server_file_path(db_path)
        self.secret = "ctl_" + secrets.token_urlsafe(32)
        tokens.CONTROL["secret"] = self.secret
        body = json.dumps({"pid": os.getpid(), "url": _url(), "secret": self.secret,
                           "db": str(Path(db_path).resolve())})
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(body)
            os.replace(tmp, self.path)
        except OSError as exc:
            # A full disk must not stop the app from serving read-only; the file is written again when the
            # database returns to read-write mode and the jobs restart.
            tmp.unlink(missing_ok=True)
            log.warning("server file %s not written (CLI commands cannot reach this app): %s", self.path, exc)

    def stop(self) -> None:
        tokens.CONTROL["secret"] = None
        try:
            if json.loads(self.path.read_text()).get("pid") == os.getpid():
                self.path.unlink()
        except (OSError, ValueError) as exc:
            log.warning("server file %s not removed: %s", self.path, exc)


def _json_error(status: int, message: str):
    from starlette.responses import JSONResponse

    return JSONResponse({"error": message}, status_code=status)


def require_local(principal) -> None:
    """Commands that name files on this machine are for the local CLI only, never for API tokens."""
    from starlette.exceptions import HTTPException

    if principal.kind != "local":
        raise HTTPException(403, f"{principal.name} may not use the local control channel")


async def ping(request):
    from starlette.responses import JSONResponse

    require_local(tokens.authenticate(request, "read"))
    return JSONResponse({"pid": os.getpid()})


async def token_create(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    principal = tokens.authenticate(request, "tokens")
    body = await _body(request)
    try:
        created = await run_in_threadpool(
            tokens.create, _cursor(), principal, str(body.get("name", "")), list(body.get("scopes") or []),
            body.get("expires_days"), bool(body.get("replace")))
    except tokens.TokenError as exc:
        return _json_error(400, str(exc))
    return JSONResponse(created, status_code=201)


async def token_list(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    tokens.authenticate(request, "tokens")
    return JSONResponse({"tokens": await run_in_threadpool(tokens.listing, _cursor())})


async def token_revoke(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    principal = tokens.authenticate(request, "tokens")
    name = request.path_params["name"]
    try:
        await run_in_threadpool(tokens.revoke, _cursor(), principal, name)
    except tokens.TokenError as exc:
        return _json_error(404, str(exc))
    return JSONResponse({"revoked": name})


async def _body(request) -> dict:
    from starlette.exceptions import HTTPException

    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise HTTPException(400, f"the body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return body


def _cursor():
    from entities import db

    return db.shared().cursor()


def routes(prefix: str) -> list:
    from starlette.routing import Route

    return [
        Route(f"{prefix}/control/ping", ping, methods=["GET"]),
        Route(f"{prefix}/tokens", token_create, methods=["POST"]),
        Route(f"{prefix}/tokens", token_list, methods=["GET"]),
        Route(f"{prefix}/tokens/{{name}}/revoke", token_revoke, methods=["POST"]),
    ]
