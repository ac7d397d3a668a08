"""The HTTP API under /api/v1/ beside the UI, served by the same process (see asgi.py)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import queries
from entities import db
from entities.web import lifespan

PREFIX = "/api/v1"


async def health(request: Request) -> JSONResponse:
    worker = lifespan.running.get("retry_worker")
    try:
        queue = queries.records(db.shared().cursor(), "retry_queue_summary")
        reachable, problem = True, None
    except (db.DatabaseError, Exception) as exc:  # noqa: BLE001 - health reports, it never fails
        queue, reachable, problem = [], False, str(exc).splitlines()[0]
    body = {"database": {"reachable": reachable, "problem": problem},
            "worker": {"alive": bool(worker and worker.alive)}, "queue": queue}
    return JSONResponse(body, status_code=200 if reachable else 503)


def routes() -> list[Route]:
    return [Route(f"{PREFIX}/health", health, methods=["GET"])]
