"""POST /api/v1/control/backup: the running app copies its database (entities/backup.py) for `entities backup`.

Local CLI only (it names a file on this machine) and needs the "backup" action (entities.identity)."""
from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from entities import backup, db
from entities.web import control, tokens


async def make_backup(request: Request) -> JSONResponse:
    control.require_local(tokens.authenticate(request, "backup"))
    body = await control._body(request)
    to = str(body.get("to") or "").strip()
    if not to.startswith("/"):
        return JSONResponse({"error": "'to' must be an absolute path for the new backup file"}, status_code=400)
    try:
        made = await run_in_threadpool(backup.make, db.shared(), backup.target(to, db.db_path()))
    except FileExistsError as exc:
        return JSONResponse({"error": f"{exc.filename} already exists; nothing was changed"}, status_code=409)
    except (db.DatabaseError, OSError) as exc:
        problem = db.fault_of(exc, str(Path(to).parent)) or exc
        return JSONResponse({"error": str(problem)}, status_code=507 if "No space" in str(problem) else 500)
    return JSONResponse({"path": str(made.path), "bytes": made.bytes, "counts": made.counts}, status_code=201)


def routes(prefix: str) -> list[Route]:
    return [Route(f"{prefix}/control/backup", make_backup, methods=["POST"])]
