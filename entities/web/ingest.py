"""POST /api/v1/events: one batch of records of any import kind (JSON lines or a JSON array, gzip accepted),
checked and written by the import code (entities/ingest/batch.py). A token with the ingest scope is needed."""
from __future__ import annotations

import os
import threading
import time
import zlib

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from entities import db
from entities.ingest import batch
from entities.web import tokens

DEFAULT_MAX_BODY = 64 * 2**20
CONTENT_TYPES = {"application/x-ndjson": "jsonl", "application/jsonl": "jsonl", "application/json": "array"}
# The last successful ingest (time.time()), for /health and /metrics.
LAST = {"at": None, "rows": 0}


def max_body() -> int:
    """ENTITIES_API_MAX_BODY in bytes (default 64 MiB); it bounds both the body and its decompressed size."""
    try:
        return max(1, int(os.environ.get("ENTITIES_API_MAX_BODY", DEFAULT_MAX_BODY)))
    except ValueError:
        return DEFAULT_MAX_BODY


def _too_large(limit: int, what: str) -> HTTPException:
    return HTTPException(413, f"{what} is larger than the limit of {limit:,} bytes (ENTITIES_API_MAX_BODY); "
                              "send smaller batches")


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, "the body")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit, "the body")
        chunks.append(chunk)
    return b"".join(chunks)


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
        if len(out) > limit or inflater.unconsumed_tail:
            raise _too_large(limit, "the decompressed body")
        if not inflater.eof:
            raise HTTPException(400, "the gzip body is cut off (no gzip end marker)")
    except zlib.error as exc:
        raise HTTPException(400, f"the body is not valid gzip: {exc}") from exc
    return out


def _format(request: Request) -> str:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in CONTENT_TYPES:
        raise HTTPException(415, f"content type {media or '(none)'!r} is not accepted; send "
                                 "application/x-ndjson (JSON lines) or application/json (an array of records)")
    return CONTENT_TYPES[media]


_THREAD = threading.local()


def _cursor():
    con = db.shared()
    if getattr(_THREAD, "owner", None) is not con:
        _THREAD.cursor, _THREAD.owner = con.cursor(), con
    return _THREAD.cursor


def _load(data: bytes, fmt: str) -> dict:
    result = batch.load(_cursor(), data, fmt)
    LAST.update(at=time.time(), rows=result["received"])
    return result


async def events(request: Request) -> JSONResponse:
    tokens.authenticate(request, "ingest")
    fmt = _format(request)
    limit = max_body()
    data = await _read_body(request, limit)
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding == "gzip":
        data = _gunzip(data, limit)
    elif encoding not in ("identity", ""):
        raise HTTPException(415, f"content encoding {encoding!r} is not accepted; send gzip or none")
    if fmt == "array" and not data.lstrip().startswith(b"["):
        raise HTTPException(400, "an application/json body must be a JSON array of records ('[{…}, {…}]'); "
                                 "send one object per line as application/x-ndjson instead")
    try:
        result = await run_in_threadpool(_load, data, fmt)
    except batch.Malformed as exc:
        raise HTTPException(400, f"{exc}; nothing from this batch was stored") from exc
    return JSONResponse(result)


def routes(prefix: str) -> list[Route]:
    return [Route(f"{prefix}/events", events, methods=["POST"])]
