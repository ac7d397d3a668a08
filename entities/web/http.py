"""What every API endpoint shares: exact JSON (ids as written, payload text untouched, decimals as strings, UTC
times), errors as {"error": reason, …} with the right status, the request's cursor, and no tracebacks ever."""
from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from contextlib import closing
from datetime import UTC, date, datetime
from decimal import Decimal

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from entities import db
from entities.identity import Forbidden
from entities.listfilter import BadParameter

log = logging.getLogger("entities.api")


def iso(value: datetime | None) -> str | None:
    """UTC ISO-8601 with a Z, as the CSV export writes it."""
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _default(value):
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # 12.500 stays 12.500: never through a float
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


class Json(JSONResponse):
    def render(self, content) -> bytes:
        return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                          default=_default).encode("utf-8")


def error(status: int, message: str, headers: dict | None = None, **details) -> Json:
    return Json({"error": message, **details}, status_code=status, headers=headers)


def endpoint(handler: Callable[[Request], Response | Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint whose refusals become JSON errors: 400 for a bad parameter, the HTTPException's own status (401,
    403, 404, …), 503 when the database cannot be opened and 500 without a traceback for anything else. A plain
    function runs in the thread pool, so DuckDB never blocks the event loop; a coroutine must do the same itself."""
    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            if inspect.iscoroutinefunction(handler):
                return await handler(request)
            return await run_in_threadpool(handler, request)
        except BadParameter as exc:
            return error(400, str(exc), parameter=exc.name)
        except HTTPException as exc:
            return error(exc.status_code, exc.detail, headers=exc.headers)
        except Forbidden as exc:  # the domain's own check (identity.require), behind the token's scopes
            return error(403, str(exc))
        except db.DatabaseError as exc:
            return error(503, str(exc))
        except Exception:  # noqa: BLE001 - the server log has the traceback, the client gets a reason
            log.exception("%s %s failed", request.method, request.url.path)
            return error(500, "The server failed to answer this request; the app's log has the details.")

    return wrapped


def query_lists(request: Request) -> dict[str, list[str]]:
    """The query string as name -> every value given, in order."""
    found: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        found.setdefault(name, []).append(value)
    return found


def cursor():
    """A cursor of the app's one connection for this request's thread, closed when the block ends."""
    return closing(db.shared().cursor())


def entity_id(raw: str) -> int:
    """A path's entity id: a whole number that fits a bigint, else 400."""
    if not raw.isascii() or not raw.isdigit():
        raise BadParameter("id", f"{raw!r} is not an entity id (a whole number)")
    value = int(raw)
    if not 0 < value < 2**63:
        raise BadParameter("id", f"{raw} is out of range: entity ids are 1 to {2**63 - 1}")
    return value


async def json_body(request: Request, limit: int) -> object:
    """The request's JSON body: 415 unless it is application/json, 413 over limit bytes, 400 where it is malformed."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise HTTPException(415, f"Send the body as application/json (got {kind or 'no content type'}).")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"The body is {int(declared):,} bytes; at most {limit:,} are accepted.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"The body is over {limit:,} bytes, the most accepted.")
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise HTTPException(400, "The body is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") \
            from None
