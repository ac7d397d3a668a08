"""The HTTP API under /api/v1/ beside the UI, served by the same process (see asgi.py).

Every endpoint but health and openapi.json needs a bearer token (entities/web/tokens.py) with the scope for what
it does: read (GETs, CSV), retry (retries), ingest (events). /metrics is Prometheus text, also without a token:
like health it says nothing about the records themselves beyond counts. Both listen on 127.0.0.1 unless the
deployment puts them behind its own network policy.
"""
from __future__ import annotations

from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

import queries
from entities import db
from entities.sync import worker as retry_worker
from entities.web import backups, control, ingest, lifespan, metrics, openapi, read, retry_api
from entities.web.http import Json, cursor, endpoint

PREFIX = "/api/v1"


def _age(ts: datetime | None) -> float | None:
    return None if ts is None else round(max(0.0, (datetime.now(UTC) - ts).total_seconds()), 3)


@endpoint
def health(request: Request) -> Json:
    """No token: the database is reachable, the worker is alive, the retry queue and the last ingest. 200 when the
    database answers (status ok, or degraded when the worker should run but does not), else 503."""
    worker = lifespan.running.get("retry_worker")
    enabled = retry_worker.enabled()
    alive = bool(worker and getattr(worker, "alive", False))
    last_ingest = datetime.fromtimestamp(ingest.LAST["at"], UTC) if ingest.LAST["at"] else None
    body: dict = {"status": "ok", "database": {"reachable": True, "problem": None},
                  "worker": {"enabled": enabled, "alive": alive}, "queue": None,
                  "ingest": {"last_ingest_at": last_ingest, "last_ingest_age_seconds": _age(last_ingest),
                             "last_change_at": None}}
    try:
        with cursor() as cur:
            queue = queries.records(cur, "retry_queue_health")[0]
            last_change = queries.scalar(cur, "last_change")
    except Exception as exc:  # noqa: BLE001 - health reports a broken database, it never fails itself
        body["status"] = "down"
        body["database"] = {"reachable": False, "problem": str(exc).splitlines()[0] if str(exc) else repr(exc)}
        return Json(body, status_code=503)
    body["queue"] = {"depth": queue["queued"] + queue["running"], "queued": queue["queued"],
                     "running": queue["running"], "oldest_queued_at": queue["oldest_queued_at"],
                     "oldest_queued_age_seconds": _age(queue["oldest_queued_at"])}
    body["ingest"]["last_change_at"] = last_change
    blocked = db.read_only_reason()
    body["database"]["read_only"] = str(blocked) if blocked else None
    if (enabled and not alive) or blocked:
        body["status"] = "degraded"
    return Json(body)


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
    """Every route of the API; openapi.json describes exactly these (a test checks it)."""
    found = [
        Route(f"{PREFIX}/health", health, methods=["GET"]),
        Route(f"{PREFIX}/entities", read.entities_list, methods=["GET"]),
        Route(f"{PREFIX}/entities.csv", read.entities_csv, methods=["GET"]),
        Route(f"{PREFIX}/entities/{{id}}", read.entity_detail, methods=["GET"]),
        Route(f"{PREFIX}/entities/{{id}}/retry", retry_api.entity_retry, methods=["POST"]),
        Route(f"{PREFIX}/retries", retry_api.retries, methods=["POST"]),
        Route("/metrics", metrics.current().endpoint, methods=["GET"]),
        *ingest.routes(PREFIX),
        *control.routes(PREFIX),
        *backups.routes(PREFIX),
    ]
    spec = f"{PREFIX}/openapi.json"
    described = [*((route.path, route.methods) for route in found), (spec, {"GET"})]
    return [*found, Route(spec, openapi.endpoint(described), methods=["GET"])]
