"""The HTTP API under /api/v1/ beside the UI, served by the same process (see asgi.py)."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

import queries
from entities import db
from entities.web import control, ingest, lifespan

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


async def http_error(request: Request, exc: HTTPException) -> Response:
    """API errors as JSON {"error": message}, keeping the status and headers (WWW-Authenticate, Retry-After);
    other paths as Starlette answers them."""
    if not request.url.path.startswith(PREFIX + "/"):
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=exc.headers)
        return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


EXCEPTION_HANDLERS = {HTTPException: http_error}


def routes() -> list[Route]:
    return [Route(f"{PREFIX}/health", health, methods=["GET"]), *ingest.routes(PREFIX), *control.routes(PREFIX)]
