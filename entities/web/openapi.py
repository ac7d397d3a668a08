"""GET /api/v1/openapi.json: a hand-written OpenAPI 3.1 description of every route api.routes() registers.

Written by hand so each parameter says what the list page means by it; tests/test_api_openapi.py fails when a
registered route is missing here, or described but not registered.
"""
from __future__ import annotations

from starlette.requests import Request

from entities.listfilter import PAGE_SIZES, Q_LIMIT, SORT_OPTIONS
from entities.model import STATUS_KEYS, TYPE_KEYS
from entities.web.http import Json

VERSION = "1"


def _param(name: str, description: str, schema: dict, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


LIST_PARAMS = [
    _param("integration", "Integration id. Default: the first integration by name, as on the page.",
           {"type": "integer"}),
    _param("type", "Entity type (a tab). Default: the integration's first enabled type. A type without an enabled "
           "flow is a 400.", {"type": "string", "enum": list(TYPE_KEYS)}),
    _param("status", "Statuses to keep; repeat it or separate with commas. Default: every status.",
           {"type": "array", "items": {"type": "string", "enum": list(STATUS_KEYS)}}),
    _param("q", "Reference search: retriever or storer reference contains this text (case-insensitive, literal); "
           "exact matches first.", {"type": "string", "maxLength": Q_LIMIT}),
    _param("from", "Last updated on or after this day (in tz).", {"type": "string", "format": "date"}),
    _param("to", "Last updated on or before this day (in tz), the whole day included.",
           {"type": "string", "format": "date"}),
    _param("group", "Error group (as /overview names it).", {"type": "string", "maxLength": 1000}),
    _param("gave_up", "1: only records the auto-retry policy gave up on (their last automatic attempt failed with "
           "a transient error). Default 0.", {"type": "string", "enum": ["0", "1"]}),
    _param("tz", "Time zone for from/to (the page uses the browser's). Default UTC.", {"type": "string"}),
]
SORT_PARAM = _param("sort", "Sort column, '-' for descending. Default -last_updated.",
                    {"type": "string", "enum": list(SORT_OPTIONS)})
PAGING = [_param("page", "Page number from 1; a page past the end is empty.", {"type": "integer", "minimum": 1}),
          _param("size", "Rows per page. Default 50.", {"type": "integer", "enum": list(PAGE_SIZES)})]
ID_PARAM = _param("id", "Entity id.", {"type": "integer", "minimum": 1}, where="path", required=True)
BEARER = [{"bearer": []}]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    reasons = {400: "Bad parameter or body; `error` says which and why.", 401: "No, unknown, expired or revoked "
               "token.", 403: "The token lacks the scope.", 404: "No entity with this id.",
               409: "A retry of this entity is already queued or running.", 413: "Body too large.",
               415: "Wrong content type.", 429: "Too many bad tokens from this address.",
               503: "The database cannot be opened."}
    return {str(code): _json(_ref("Error"), reasons[code]) for code in codes}


AUTH_ERRORS = (401, 403, 429)
SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string"}, "parameter": {"type": "string", "description": "the bad parameter"}}},
    "EntityRow": {"type": "object", "properties": {
        "id": {"type": "integer"}, "status": {"type": "string", "enum": list(STATUS_KEYS)},
        "retriever_ref": {"type": "string"}, "storer_ref": {"type": ["string", "null"]},
        "children": {"type": "integer"},
        "total": {"type": ["string", "null"], "description": "the order's total as an exact decimal string, e.g. "
                                                             "\"1234.50\" (null when not given)"},
        "currency": {"type": ["string", "null"], "description": "the total's ISO 4217 code, e.g. SEK"},
        "last_updated": {"type": "string", "format": "date-time"},
        "error_code": {"type": ["string", "null"]}, "error_message": {"type": ["string", "null"]},
        "exact_match": {"type": "boolean"}, "url": {"type": "string", "description": "the detail page"}}},
    "EntityList": {"type": "object", "properties": {
        "query": {"type": "object", "description": "the effective parameters, defaults applied"},
        "total": {"type": "integer"}, "pages": {"type": "integer"},
        "rows": {"type": "array", "items": _ref("EntityRow")}}},
    "Transaction": {"type": "object", "properties": {
        "id": {"type": "integer"}, "occurred_at": {"type": "string", "format": "date-time"},
        "operation": {"type": "string"}, "outcome": {"type": "string"}, "error_code": {"type": ["string", "null"]},
        "message": {"type": ["string", "null"]}, "duration_ms": {"type": ["integer", "null"]},
        "actor": {"type": "string"},
        "request_payload": {"type": ["string", "null"], "description": "the JSON sent, as stored, as a string"},
        "response_payload": {"type": ["string", "null"], "description": "the JSON received, as stored"}}},
    "EntityDetail": {"type": "object", "properties": {
        "entity": {"type": "object", "description": "total (exact decimal string) and currency as in EntityRow"},
        "children": {"type": "array", "items": {"type": "object"},
                                                   "description": "quantity and amount as decimal strings"},
        "history": {"type": "object", "properties": {
            "page": {"type": "integer"}, "size": {"type": "integer"}, "total": {"type": "integer"},
            "pages": {"type": "integer"}, "transactions": {"type": "array", "items": _ref("Transaction")}}},
        "open_retry": {"type": ["object", "null"]}}},
    "RetryQueued": {"type": "object", "properties": {
        "entity_id": {"type": "integer"}, "queued": {"type": "boolean"}, "requested_by": {"type": "string"},
        "retry": {"type": "object"}, "updates_existing_record": {"type": "boolean"}, "note": {"type": "string"}}},
    "RetriesRequest": {"type": "object", "description": "exactly one of ids or filter", "properties": {
        "ids": {"type": "array", "items": {"type": ["integer", "string"]}, "description": "entity ids (digits "
                "as strings keep 18-digit ids exact in JavaScript)"},
        "filter": {"type": "object", "description": "GET /api/v1/entities parameters except sort, page and size",
                   "additionalProperties": True}}},
    "RetriesResult": {"type": "object", "properties": {
        "requested_by": {"type": "string"}, "filter": {"type": ["object", "null"]}, "matched": {"type": "integer"},
        "cap": {"type": "integer"}, "queued": {"type": "array", "items": {"type": "integer"}},
        "already_open": {"type": "array", "items": {"type": "integer"}, "description": "refused: a retry was "
                         "already queued or running"},
        "missing": {"type": "array", "items": {"type": "integer"}, "description": "ids that are not entities"}}},
    "Health": {"type": "object", "properties": {
        "status": {"type": "string", "enum": ["ok", "degraded", "down"]}, "database": {"type": "object"},
        "worker": {"type": "object"}, "queue": {"type": ["object", "null"]}, "ingest": {"type": "object"}}},
}

OPERATIONS: dict[tuple[str, str], dict] = {
    ("/api/v1/health", "get"): {
        "summary": "Service health (no token)", "security": [],
        "description": "Database reachable, retry worker alive, queue depth and oldest queued age, last ingest. "
                       "200 unless the database cannot be read (503).",
        "responses": {"200": _json(_ref("Health"), "Healthy or degraded."),
                      "503": _json(_ref("Health"), "The database cannot be read.")}},
    ("/api/v1/entities", "get"): {
        "summary": "The entity list, as the list page shows it (scope read)",
        "description": "Takes the list page's URL parameters, with its defaults and the same SQL. Unknown "
                       "parameters and invalid values are refused with 400, never ignored.",
        "parameters": [*LIST_PARAMS, SORT_PARAM, *PAGING],
        "responses": {"200": _json(_ref("EntityList"), "Rows of the page and the total."), **_errors(400),
                      **_errors(*AUTH_ERRORS)}},
    ("/api/v1/entities.csv", "get"): {
        "summary": "The list's CSV export, every matching row (scope read)",
        "description": "The same file as the list page's Download CSV button; page and size do not apply.",
        "parameters": [*LIST_PARAMS, SORT_PARAM],
        "responses": {"200": {"description": "CSV with a header row; X-Rows has the row count.",
                              "content": {"text/csv": {"schema": {"type": "string"}}}},
                      **_errors(400), **_errors(*AUTH_ERRORS)}},
    ("/api/v1/entities/{id}", "get"): {
        "summary": "One entity with its children and a page of its history with payloads (scope read)",
        "parameters": [ID_PARAM,
                       _param("history_page", "History page from 1, newest first.", {"type": "integer"}),
                       _param("history_size", "Transactions per history page, at most 100. Default 25.",
                              {"type": "integer", "maximum": 100})],
        "responses": {"200": _json(_ref("EntityDetail"), "The entity."), **_errors(400, 404),
                      **_errors(*AUTH_ERRORS)}},
    ("/api/v1/entities/{id}/retry", "post"): {
        "summary": "Retry one entity (scope retry)",
        "description": "Same rules as the Retry button: one request per entity while one is queued or running. "
                       "Recorded as requested by token:<name>. No body.",
        "parameters": [ID_PARAM],
        "responses": {"202": _json(_ref("RetryQueued"), "Queued."), **_errors(400, 404, 409),
                      **_errors(*AUTH_ERRORS)}},
    ("/api/v1/retries", "post"): {
        "summary": "Retry many entities by ids or by the list filter (scope retry)",
        "description": "Same rules and cap (ENTITIES_BULK_RETRY_CAP) as the bulk retry buttons. 200 with what "
                       "happened to each id; over the cap the whole request is refused with 400.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("RetriesRequest")}}},
        "responses": {"200": _json(_ref("RetriesResult"), "Queued, already open and missing ids."),
                      **_errors(400, 413, 415), **_errors(*AUTH_ERRORS)}},
    ("/api/v1/events", "post"): {
        "summary": "Ingest a batch of records of any import kind (scope ingest)",
        "description": "JSON lines (application/x-ndjson) or a JSON array (application/json), optionally gzip "
                       "(Content-Encoding: gzip). Each record is an object with a `kind` (integrations, flows, "
                       "error_codes, entities, children, transactions) beside that kind's fields in docs/IMPORT.md. "
                       "Valid rows land in one transaction; rejected rows come back with their index and reason. "
                       "Re-sending the same batch changes nothing.",
        "requestBody": {"required": True, "content": {
            "application/x-ndjson": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}},
        "responses": {"200": {"description": "Counts per kind and the rejected rows with index and reason."},
                      **_errors(400, 413, 415), **_errors(*AUTH_ERRORS)}},
    ("/api/v1/control/ping", "get"): {
        "summary": "The local CLI finds the running app (local control secret only)",
        "responses": {"200": {"description": "The app's process id."}, **_errors(401, 403)}},
    ("/api/v1/tokens", "post"): {
        "summary": "Create a token: `entities token create` while the app runs (local control secret only)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
            "name": {"type": "string"}, "scopes": {"type": "array", "items": {"type": "string"}},
            "expires_days": {"type": ["number", "null"]}, "replace": {"type": "boolean"}}}}}},
        "responses": {"201": {"description": "The token, shown this once."}, **_errors(400, 401, 403)}},
    ("/api/v1/tokens", "get"): {
        "summary": "List tokens, never their secrets: `entities token list` (local control secret only)",
        "responses": {"200": {"description": "Name, scopes, created, expires, revoked and last use."},
                      **_errors(401, 403)}},
    ("/api/v1/tokens/{name}/revoke", "post"): {
        "summary": "Revoke a token: `entities token revoke NAME` (local control secret only)",
        "parameters": [_param("name", "Token name.", {"type": "string"}, where="path", required=True)],
        "responses": {"200": {"description": "Revoked."}, **_errors(401, 403, 404)}},
    ("/api/v1/control/import", "post"): {
        "summary": "`entities import` while the app runs: files on this machine (local control secret only)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
            "sources": {"type": "array", "items": {"type": "object", "properties": {
                "path": {"type": "string"}, "kind": {"type": "string"}, "format": {"type": "string"}}}}}}}}},
        "responses": {"200": {"description": "Per file: counts, error, whether a rejects file was written."},
                      **_errors(400, 401, 403)}},
    ("/api/v1/control/backup", "post"): {
        "summary": "A consistent copy of the database: `entities backup` while the app runs (local control secret "
                   "only; the backup action)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
            "to": {"type": "string", "description": "Absolute path of the new file, or an existing folder."}}}}}},
        "responses": {"201": {"description": "The backup's path, size in bytes and row counts."},
                      **_errors(400, 401, 403), "409": {"description": "A file already exists there."},
                      "507": {"description": "No space left where the backup was to be written."}}},
    ("/api/v1/openapi.json", "get"): {
        "summary": "This description (no token)", "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1 JSON."}}},
    ("/metrics", "get"): {
        "summary": "Prometheus metrics (no token)", "security": [],
        "description": "entities_records, entities_ingest_rows_total, entities_ingest_last_timestamp_seconds, "
                       "entities_retry_queue_depth, "
                       "entities_retry_worker_lag_seconds, entities_retry_worker_up, entities_database_up, "
                       "entities_http_request_duration_seconds.",
        "responses": {"200": {"description": "Prometheus text exposition format.",
                              "content": {"text/plain": {"schema": {"type": "string"}}}}}},
}


def document(routes: list[tuple[str, set[str]]]) -> dict:
    """The description of exactly these (path, methods); a route without an entry in OPERATIONS gets an empty
    summary, which the test reports."""
    paths: dict[str, dict] = {}
    for path, methods in routes:
        for method in sorted(set(methods) - {"HEAD"}):
            key = (path, method.lower())
            paths.setdefault(path, {})[method.lower()] = OPERATIONS.get(key, {"summary": "", "responses": {}})
    return {"openapi": "3.1.0",
            "info": {"title": "Junipeer Entities API", "version": VERSION,
                     "description": "Read, retry and ingest synced records. Send 'Authorization: Bearer <token>' "
                                    "(`entities token create --scope read|retry|ingest`)."},
            "servers": [{"url": "/"}], "security": BEARER, "paths": paths,
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                           "schemas": SCHEMAS}}


def endpoint(routes: list[tuple[str, set[str]]]):
    body = document(routes)

    def openapi(request: Request) -> Json:
        return Json(body)

    return openapi
