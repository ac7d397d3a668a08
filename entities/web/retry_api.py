"""The retry API: one entity, or many by ids or by the list's filter, with the buttons' DB rules (entities.sync.retry
and bulk: one transaction per request set, at most one open request per entity, the bulk cap), requested by the
token's principal ("token:<name>"), which retry_requests.requested_by and the retry transaction's actor record.

Single retry: 202 queued, 409 when a retry is already queued or running (nothing is requested again), 404 unknown.
Bulk retry: 200 with what happened to each id (queued, already_open, missing): partial refusals are normal there.
Over the cap a bulk retry is refused whole with 400, as the button refuses it.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request

import queries
from entities.identity import Principal
from entities.listfilter import BadParameter
from entities.sync import bulk, retry
from entities.web import read, tokens
from entities.web.http import Json, cursor, endpoint, entity_id, json_body

BODY_LIMIT = 2_000_000
FILTER_PARAMETERS = ("integration", "type", "status", "q", "from", "to", "group", "tz")


def _no_query(request: Request) -> None:
    if request.query_params:
        name = next(iter(request.query_params))
        raise BadParameter(name, "unknown parameter; this endpoint takes none")


def retry_one(principal: Principal, wanted: int) -> Json:
    with cursor() as cur:
        result = retry.request(cur, [wanted], principal)
        if result.missing:
            raise HTTPException(404, f"No entity with id {wanted}.")
        found = queries.records(cur, "entity_detail", entity_id=wanted)
        storer_ref = found[0]["storer_ref"] if found else None
        open_request = retry.open_request(cur, wanted)
    if not result.queued:
        since = f" since {open_request['requested_at']:%Y-%m-%d %H:%M:%S} UTC by {open_request['requested_by']}" \
            if open_request else ""
        return Json({"error": f"A retry of entity {wanted} is already queued or running{since}; it was not "
                              "requested again.", "entity_id": wanted, "open_retry": open_request}, status_code=409)
    effect = (f"The retry updates the existing target record {storer_ref}." if storer_ref
              else "The retry creates the record in the target.")
    return Json({"entity_id": wanted, "queued": True, "requested_by": principal.name, "retry": open_request,
                 "updates_existing_record": storer_ref is not None, "note": effect}, status_code=202)


@endpoint
async def entity_retry(request: Request) -> Json:
    principal = await run_in_threadpool(tokens.authenticate, request, "retry")
    wanted = entity_id(request.path_params["id"])
    _no_query(request)
    body = await request.body()
    if body.strip() not in (b"", b"{}"):
        raise BadParameter("body", "this endpoint takes no body; to retry several records use POST /api/v1/retries")
    return await run_in_threadpool(retry_one, principal, wanted)


def _ids(value: object) -> list[int]:
    if not isinstance(value, list) or not value:
        raise BadParameter("ids", "give a non-empty JSON array of entity ids")
    ids = []
    for item in value:
        text = str(item) if isinstance(item, int) and not isinstance(item, bool) else item
        if not isinstance(text, str) or not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**63:
            raise BadParameter("ids", f"{item!r} is not an entity id (a whole number, or its digits as a string)")
        ids.append(int(text))
    return sorted(set(ids))


def _filter_query(value: object) -> dict[str, list[str]]:
    """The filter object as URL-style values, so it is parsed exactly as GET /api/v1/entities parses its query."""
    if not isinstance(value, dict):
        raise BadParameter("filter", "give a JSON object of list parameters, e.g. {\"type\": \"order\", "
                                     "\"status\": [\"error\"]}")
    query: dict[str, list[str]] = {}
    for name, given in value.items():
        items = given if isinstance(given, list) else [given]
        if any(isinstance(i, (dict, list, float, bool)) for i in items):
            raise BadParameter(name, f"{given!r} is not a text, a whole number or a list of them")
        query[name] = [str(i) for i in items if i is not None]
    return query


def retry_many(principal: Principal, body: object) -> Json:
    if not isinstance(body, dict) or len(set(body) & {"ids", "filter"}) != 1 or set(body) - {"ids", "filter"}:
        raise BadParameter("body", "give exactly one of {\"ids\": [...]} or {\"filter\": {...}}")
    limit = bulk.cap()
    with cursor() as cur:
        if "ids" in body:
            given = _ids(body["ids"])
            if len(given) > limit:
                raise HTTPException(400, f"{len(given):,} ids given; the cap is {limit:,}. Send fewer or raise "
                                         f"{bulk.CAP_VARIABLE}.")
            scope, echo = bulk.selection(given), None
        else:
            wanted = read.list_request(cur, _filter_query(body["filter"]), allowed=FILTER_PARAMETERS)
            if wanted.type is None:
                raise BadParameter("type", f"integration {wanted.integration} has no enabled flow")
            scope, echo, given = bulk.list_filter(wanted.filter_params()), wanted.echo(), None
            for key in ("sort", "page", "size"):
                echo.pop(key)
        matched = bulk.summary(cur, scope).matched
        over = bulk.over_cap_message(scope, matched, limit)
        if over:
            return Json({"error": over, "matched": matched, "cap": limit}, status_code=400)
        existing = bulk.ids(cur, scope, limit)
        result = retry.request(cur, existing, principal)
    missing = sorted(set(given) - set(existing)) if given is not None else []
    return Json({"requested_by": principal.name, "filter": echo, "matched": matched, "cap": limit,
                 "queued": result.queued, "already_open": result.already_open, "missing": missing})


@endpoint
async def retries(request: Request) -> Json:
    principal = await run_in_threadpool(tokens.authenticate, request, "retry")
    _no_query(request)
    body = await json_body(request, BODY_LIMIT)
    return await run_in_threadpool(retry_many, principal, body)
