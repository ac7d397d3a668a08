"""GET /metrics: Prometheus text for the served app, from a registry of its own (never the global one).

Families:
- entities_records{integration,integration_name,type,status}: records per integration, type and status; one
  aggregate query per scrape, reused while no write has happened since (db.data_version);
- entities_ingest_rows_total{kind,result}: rows received by POST /api/v1/events (kind: an import kind, or
  "invalid" for a missing or unknown one; result: inserted, updated, unchanged, rejected), counted by the ingest
  writer with current().record_ingest(answer);
  entities_ingest_last_timestamp_seconds: when the last batch was stored (since the app started);
  entities_ingest_batches_per_load: how many posted batches each load merged into one transaction;
- entities_retry_queue_depth{state}, entities_retry_worker_lag_seconds (age of the oldest queued request),
  entities_retry_worker_up, entities_database_up;
- entities_http_request_duration_seconds{method,route,status}: latency by route template (RequestTimer).
"""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from starlette.requests import Request
from starlette.responses import Response

import queries
from entities import db
from entities.ingest.importer import KINDS

API_PREFIX = "/api/v1"
INGEST_RESULTS = ("inserted", "updated", "unchanged", "rejected")
INVALID_KIND = "invalid"
MERGE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class DatabaseCollector:
    """Reads the counts at scrape time, so /metrics costs nothing between scrapes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._records: tuple[int, list[dict]] | None = None  # (data version, rows)

    def _record_counts(self, cur) -> list[dict]:
        version = db.data_version()
        with self._lock:
            if self._records is None or self._records[0] != version:
                self._records = (version, queries.records(cur, "metrics_entity_counts"))
            return self._records[1]

    def collect(self):
        from entities.web import lifespan  # imported here: lifespan imports ingest, which counts into metrics

        up = GaugeMetricFamily("entities_database_up", "1 when the app can read its database, else 0.")
        worker = lifespan.running.get("retry_worker")
        alive = GaugeMetricFamily("entities_retry_worker_up", "1 while the app's retry worker thread runs, else 0.")
        alive.add_metric([], 1 if worker is not None and getattr(worker, "alive", False) else 0)
        try:
            cur = db.shared().cursor()
            try:
                counts = self._record_counts(cur)
                queue = queries.records(cur, "retry_queue_health")[0]
            finally:
                cur.close()
        except Exception:  # noqa: BLE001 - a scrape reports the database as down instead of failing
            up.add_metric([], 0)
            yield from (up, alive)
            return
        up.add_metric([], 1)
        records = GaugeMetricFamily("entities_records", "Synced records by integration, type and status.",
                                    labels=["integration", "integration_name", "type", "status"])
        for row in counts:
            records.add_metric([str(row["integration_id"]), str(row["integration"]), row["type"], row["status"]],
                               row["n"])
        depth = GaugeMetricFamily("entities_retry_queue_depth", "Retry requests waiting (queued) or being handled "
                                  "(running).", labels=["state"])
        depth.add_metric(["queued"], queue["queued"])
        depth.add_metric(["running"], queue["running"])
        oldest = queue["oldest_queued_at"]
        lag = GaugeMetricFamily("entities_retry_worker_lag_seconds", "Age of the oldest queued retry request; 0 "
                                "when none is queued.")
        lag.add_metric([], max(0.0, (datetime.now(UTC) - oldest).total_seconds()) if oldest else 0.0)
        yield from (up, alive, records, depth, lag, _last_ingest())


def _last_ingest() -> GaugeMetricFamily:
    from entities.web import ingest

    last = GaugeMetricFamily("entities_ingest_last_timestamp_seconds", "Unix time the last ingest batch was stored "
                             "since the app started; 0 before the first.")
    last.add_metric([], ingest.LAST["at"] or 0)
    return last


def kind_label(kind) -> str:
    """The kind label of an ingested row: one of the import kinds, else "invalid" (a missing or made-up kind), so
    senders cannot add label values (each is a time series kept for the life of the app)."""
    return kind if kind in KINDS else INVALID_KIND


class Metrics:
    """The app's metrics in a registry of its own, so several apps (or tests) in one process never clash."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self.ingest_rows = Counter("entities_ingest_rows", "Rows received by POST /api/v1/events, by import kind "
                                   "and result (inserted, updated, unchanged, rejected).", ["kind", "result"],
                                   registry=self.registry)
        self.ingest_merged = Histogram("entities_ingest_batches_per_load", "POST /api/v1/events batches the ingest "
                                       "writer loaded together in one transaction (concurrent small posts merge).",
                                       buckets=MERGE_BUCKETS, registry=self.registry)
        self.http_duration = Histogram("entities_http_request_duration_seconds", "HTTP request latency until the "
                                       "response is complete, by method, route template and status.",
                                       ["method", "route", "status"], buckets=LATENCY_BUCKETS,
                                       registry=self.registry)
        self.registry.register(DatabaseCollector())

    def record_ingest(self, result: dict) -> None:
        """Count one ingested batch's rows (its POST /api/v1/events answer) by kind and result."""
        for kind, counts in result.get("kinds", {}).items():
            for outcome in INGEST_RESULTS[:-1]:
                if counts.get(outcome):
                    self.ingest_rows.labels(kind=kind_label(kind), result=outcome).inc(counts[outcome])
        for reject in result.get("rejects", []):
            self.ingest_rows.labels(kind=kind_label(reject.get("kind")), result="rejected").inc()

    def endpoint(self, request: Request) -> Response:
        """GET /metrics (a plain function: Starlette runs it in its thread pool, away from the event loop)."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


_current: Metrics | None = None
_current_lock = threading.Lock()


def current() -> Metrics:
    """The served app's metrics."""
    global _current
    with _current_lock:
        if _current is None:
            _current = Metrics()
        return _current


class RequestTimer:
    """ASGI middleware: every HTTP request's latency into the histogram, labelled with the matched route's
    template (/api/v1/entities/{id}, not each id); API responses also carry Server-Timing: app;dur=<ms> up to
    the start of the response, which `entities bench` reads as the server's time."""

    def __init__(self, app, metrics: Metrics | None = None):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        metrics = self.metrics or current()
        started = time.perf_counter()
        status = 500
        api = scope["path"].startswith(API_PREFIX)

        async def timed_send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if api:
                    took = (time.perf_counter() - started) * 1000
                    message = {**message, "headers": [*message.get("headers", []),
                                                      (b"server-timing", f"app;dur={took:.3f}".encode())]}
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            metrics.http_duration.labels(method=scope["method"], route=route, status=str(status)).observe(
                time.perf_counter() - started)
