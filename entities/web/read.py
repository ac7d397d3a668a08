"""The read API: the entity list (the list page's URL parameters and SQL), one entity with its children and a page
of its history with payloads, and the list's CSV export."""
from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse

import queries
from entities import db, listfilter
from entities.listfilter import BadParameter
from entities.sync import retry
from entities.web import tokens
from entities.web.http import Json, cursor, endpoint, entity_id, query_lists

MAX_EAGER_PAGE = 100_000
_COUNTS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="api-list-count")
HISTORY_PAGE_SIZE = 25
HISTORY_MAX_SIZE = 100
DETAIL_PARAMETERS = ("history_page", "history_size")


def entity_url(entity_id: int) -> str:
    return f"/entity?id={int(entity_id)}"


_integrations: tuple[int, list[dict]] | None = None  # (data version, integrations_list rows)


def integrations(cur) -> list[dict]:
    """integrations_list, reused until the next write: every list request needs it, and at 1M entities it costs
    several ms (its small tables sit in big blocks of the file)."""
    global _integrations
    version = db.data_version()  # read before the query: a write committed meanwhile only makes this one refetch
    cached = _integrations
    if cached is None or cached[0] != version:
        cached = _integrations = (version, queries.records(cur, "integrations_list"))
    return cached[1]


def list_request(cur, query: dict[str, list[str]], **options) -> listfilter.ListRequest:
    return listfilter.parse_list_request(query, integrations(cur), **options)


def money(row: dict) -> dict:
    """The total as an exact decimal string ("1234.50", never a JSON number a client would read as a double) and
    its currency; both null when not given."""
    return {"total": None if row["total"] is None else str(row["total"]), "currency": row["currency"]}


def list_row(row: dict) -> dict:
    return {"id": row["id"], "status": row["status"], "retriever_ref": row["retriever_ref"],
            "storer_ref": row["storer_ref"], "children": row["children"], **money(row),
            "last_updated": row["last_updated"], "error_code": row["error_code"], "error_message": row["error_message"],
            "exact_match": row["match_rank"] == 0, "url": entity_url(row["id"])}


def _count(params: dict) -> int:
    with cursor() as cur:
        return int(queries.scalar(cur, "entity_count", **params))


def _page(cur, wanted: listfilter.ListRequest, params: dict) -> list[dict]:
    return queries.records(cur, "entity_page", listfilter.sort_idents(wanted.sort), **params, limit=wanted.size,
                           offset=wanted.offset)


@endpoint
def entities_list(request: Request) -> Json:
    """The count runs on a second thread while the page query runs, as the list page does with its breakdown:
    a search waits for the slower of the two scans, not their sum."""
    tokens.authenticate(request, "read")
    with cursor() as cur:
        wanted = list_request(cur, query_lists(request))
        total, rows = 0, []
        if wanted.type is not None:
            params = wanted.filter_params()
            counting = _COUNTS.submit(_count, params)
            # absurd page numbers wait for the count: their offset may not even fit a bigint
            rows = _page(cur, wanted, params) if wanted.page <= MAX_EAGER_PAGE else None
            total = counting.result()
            if wanted.offset >= total:
                rows = []
            elif rows is None:
                rows = _page(cur, wanted, params)
    return Json({"query": wanted.echo(), "total": total, "pages": max(1, -(-total // wanted.size)),
                 "rows": [list_row(r) for r in rows]})


def history_paging(query: dict[str, list[str]]) -> tuple[int, int]:
    unknown = sorted(set(query) - set(DETAIL_PARAMETERS))
    if unknown:
        raise BadParameter(unknown[0], f"unknown parameter; an entity takes {', '.join(DETAIL_PARAMETERS)}")
    values = {}
    for name, default in (("history_page", 1), ("history_size", HISTORY_PAGE_SIZE)):
        raw = listfilter.single(query, name)
        try:
            values[name] = listfilter.positive_int(raw) if raw else default
        except ValueError as exc:
            raise BadParameter(name, str(exc)) from None
    if values["history_size"] > HISTORY_MAX_SIZE:
        raise BadParameter("history_size", f"at most {HISTORY_MAX_SIZE} transactions per page")
    return values["history_page"], values["history_size"]


def entity_record(e: dict) -> dict:
    error = None
    if e["error_code"] or e["error_message"]:
        error = {"code": e["error_code"], "message": e["error_message"], "title": e["error_title"],
                 "severity": e["severity"], "transient": e["transient"], "cause": e["error_cause"],
                 "fix": e["error_fix"]}
    return {"id": e["id"], "integration": {"id": e["integration_id"], "name": e["integration"],
                                           "retriever": e["retriever"], "storer": e["storer"]},
            "type": e["type"], "status": e["status"], "retriever_ref": e["retriever_ref"],
            "storer_ref": e["storer_ref"], "children": e["children"], **money(e), "created_at": e["created_at"],
            "last_updated": e["last_updated"], "error": error, "url": entity_url(e["id"])}


def history(cur, entity: int, page: int, size: int) -> dict:
    rows = queries.records(cur, "entity_history_payloads", entity_id=entity, page_size=size, offset=(page - 1) * size)
    if rows:
        total = rows[0]["total"]
    else:
        first = queries.records(cur, "entity_history", entity_id=entity, page_size=1, offset=0)
        total = first[0]["total"] if first else 0
    return {"page": page, "size": size, "total": total, "pages": max(1, -(-total // size)),
            "transactions": [{k: v for k, v in r.items() if k != "total"} for r in rows]}


@endpoint
def entity_detail(request: Request) -> Json:
    tokens.authenticate(request, "read")
    wanted = entity_id(request.path_params["id"])
    page, size = history_paging(query_lists(request))
    with cursor() as cur:
        found = queries.records(cur, "entity_detail", entity_id=wanted)
        if not found:
            raise HTTPException(404, f"No entity with id {wanted}.")
        body = {"entity": entity_record(found[0]),
                "children": queries.records(cur, "entity_children", entity_id=wanted),
                "history": history(cur, wanted, page, size),
                "open_retry": retry.open_request(cur, wanted)}
    return Json(body)


@endpoint
def entities_csv(request: Request) -> FileResponse:
    tokens.authenticate(request, "export")
    query = query_lists(request)
    for name in ("page", "size"):
        if name in query:
            raise BadParameter(name, "does not apply to the CSV export, which has every matching row")
    with cursor() as cur:
        wanted = list_request(cur, query)
        if wanted.type is None:
            raise BadParameter("type", f"integration {wanted.integration} has no enabled flow, so its list is empty")
        folder = Path(tempfile.mkdtemp(prefix="entities-api-export-"))
        try:
            path = folder / "export.csv"
            rows = listfilter.write_csv(cur, wanted.filter_params(), wanted.sort, path)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    name = listfilter.export_filename(wanted.integration_name, wanted.type, datetime.now(wanted.tz).date())
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=name, headers={"X-Rows": str(rows)},
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))
