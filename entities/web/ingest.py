"""POST /api/v1/events: one batch of records of any import kind (JSON lines or a JSON array, gzip accepted),
checked and written by the import code (entities/ingest/batch.py). A token with the ingest scope is needed."""
from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
import time
import zlib
from concurrent.futures import Future
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from entities import db, disk, trace
from entities.ingest import batch, importer
from entities.web import control, metrics, tokens

log = logging.getLogger("entities")
# The last successful ingest (time.time()), for /health and /metrics.
LAST = {"at": None, "rows": 0}
DEFAULT_MAX_BODY = 64 * 2**20
MERGE_BYTES = 32 * 2**20  # the writer merges waiting batches up to this many bytes into one transaction
LINGER_SHARE = 0.5  # a merge waits for the last round's senders at most this share of the last load's time…
MAX_LINGER = 0.05  # …and never longer than this (seconds), and only after a round of small batches:
LINGER_BYTES = 2**20  # a large batch costs more than a wait saves
CONTENT_TYPES = {"application/x-ndjson": "jsonl", "application/jsonl": "jsonl", "application/json": "array"}


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


class IngestWriter:
    """The one thread that writes ingest batches. Batches that arrive while it writes wait and are then loaded
    together (batch.load_many): one transaction and one pass of the check queries for all of them.

    A load costs about the same for 1 or 30 small batches, so after a load that merged several small ones, the writer
    waits briefly (at most LINGER_SHARE of that load's time) for as many posts as took part in the last round: the
    senders just answered post again within a few ms, and merging them into this load instead of the next one
    about doubles the posts per second from many concurrent senders. A lone sender never waits."""

    def __init__(self, con):
        self.con = con
        self._staging = disk.staging_dir(batch.STAGING_PREFIX)  # reused by every load: no folder made per load
        self._ids_ahead = False  # a committed load advanced entity_ids past every id; each insert since took its own
        self._queue: queue.Queue = queue.Queue()
        self._senders = 1  # posts that took part in the last round: merged, plus those that arrived meanwhile
        self._took = 0.0  # seconds the last load took
        self._small = True  # the last round's batches were LINGER_BYTES or less together
        self._thread = threading.Thread(target=self._loop, name="ingest-writer", daemon=True)
        self._thread.start()

    def submit(self, data: bytes, fmt: str) -> Future:
        future: Future = Future()
        self._queue.put((data, fmt, future))
        return future

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            gathering = time.monotonic()
            waiting = self._gather(item)
            if waiting[-1] is None:
                waiting.pop()
                self._queue.put(None)
            began = time.monotonic()
            for fmt in {fmt for _, fmt, _ in waiting}:
                with trace.span("ingest_load", posts=len(waiting), linger_ms=round((began - gathering) * 1000, 2),
                                queued=self._queue.qsize()):
                    self._write([(data, future) for data, f, future in waiting if f == fmt], fmt)
            self._took = time.monotonic() - began
            self._senders = len(waiting) + self._queue.qsize()
            self._small = sum(len(data) for data, _, _ in waiting) <= LINGER_BYTES

    def _gather(self, first: tuple) -> list:
        """The waiting batches to load together, up to MERGE_BYTES; ends with None when the writer is stopping."""
        waiting, size = [first], len(first[0])
        lingers = self._senders > 1 and self._small
        until = time.monotonic() + min(MAX_LINGER, LINGER_SHARE * self._took) if lingers else 0.0
        while size < MERGE_BYTES:
            wait = until - time.monotonic() if len(waiting) < self._senders else 0.0
            try:
                item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                if wait > 0:
                    continue  # the timeout ran out: the next round of the loop sees it and stops
                break
            waiting.append(item)
            if item is None:
                break
            size += len(item[0])
        return waiting

    def _write(self, items: list, fmt: str) -> None:
        metrics.current().ingest_merged.observe(len(items))
        try:
            results = batch.load_many(self.con, [data for data, _ in items], fmt, Path(self._staging.name),
                                      ids_ahead=self._ids_ahead)
            self._ids_ahead = self._ids_ahead or any(
                isinstance(r, dict) and r["kinds"].get("entities", {}).get("inserted") for r in results)
        except Exception as exc:  # noqa: BLE001 - every waiting sender gets the error, the writer goes on
            log.exception("ingest batch failed")
            results = [exc] * len(items)
        for (_, future), result in zip(items, results, strict=True):
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                LAST.update(at=time.time(), rows=result["received"])
                metrics.current().record_ingest(result)
                future.set_result(result)

    def stop(self) -> None:
        WRITER["writer"] = None
        self._queue.put(None)
        self._thread.join(120)
        if not self._thread.is_alive():
            self._staging.cleanup()


WRITER: dict[str, IngestWriter | None] = {"writer": None}


def ingest_writer(con):
    """The lifespan job (lifespan.JOBS)."""
    WRITER["writer"] = IngestWriter(con.cursor())
    return WRITER["writer"]


async def _load(data: bytes, fmt: str) -> dict:
    writer = WRITER["writer"]
    if writer is None:
        blocked = db.read_only_reason()
        raise HTTPException(503, f"the database is read-only now, nothing was stored: {blocked}" if blocked else
                            "the ingest writer is not running (the database could not be opened?)")
    return await asyncio.wrap_future(writer.submit(data, fmt))


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
        result = await _load(data, fmt)
    except batch.Malformed as exc:
        raise HTTPException(400, f"{exc}; nothing from this batch was stored") from exc
    return JSONResponse(result)


async def import_files(request: Request) -> JSONResponse:
    """`entities import` while the app runs (entities/cli/appclient.py): files on this machine, local CLI only."""
    principal = tokens.authenticate(request, "ingest")
    control.require_local(principal)
    try:
        sources = (await request.json())["sources"]
        checked = [{"path": str(s["path"]), "kind": s["kind"], "format": s["format"]} for s in sources]
    except (ValueError, KeyError, TypeError) as exc:
        raise HTTPException(400, f"expected {{'sources': [{{'path', 'kind', 'format'}}, …]}}: {exc}") from exc
    if any(s["kind"] not in importer.KINDS or s["format"] not in set(importer.FORMATS.values()) for s in checked):
        raise HTTPException(400, "unknown kind or format")
    results = await run_in_threadpool(importer.import_many, db.shared().cursor(), checked)
    return JSONResponse({"results": results})


def routes(prefix: str) -> list[Route]:
    return [Route(f"{prefix}/events", events, methods=["POST"]),
            Route(f"{prefix}/control/import", import_files, methods=["POST"])]
