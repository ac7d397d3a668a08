"""`entities bench`: times every operation the app performs at several scales, against pandas and SQLite.

Each operation goes through the same query functions the pages call (queries.df/frame/records, entities.ui.listing,
entities.sync.retry), never the Streamlit cache. The same operations run on two baselines built from the same data in
the same run (entities/bench_baselines.py), so ratios survive a noisy, shared machine. Demo databases are built
with `entities demo` at a fixed anchor and reused, keyed by size and seed (data/bench/entities-N-sS.duckdb).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

import queries
from entities import db
from entities.cli import offruntime  # noqa: F401 - before entities.ui, whose import warns
from entities.identity import Principal
from entities.model import ALERT_KINDS, STATUS_KEYS
from entities.sync import handlers, retry
from entities.sync.worker import Worker
from entities.ui import listing
from entities.watch import evaluator, groups
from entities.watch import rules as alert_rules

SCALES = (10_000, 100_000, 1_000_000)
DEFAULT_RUNS = 20
DEFAULT_SEED = 42
ANCHOR = "2026-11-26T12:00:00+00:00"
WARMUP = 2
PAGE_SIZE = listing.DEFAULT_PAGE_SIZE
HISTORY_PAGE_SIZE = 25
EXPORT_SHARE = 0.07  # ~70k rows at 1M entities
SAMPLES = 400
ALERT_RULES = 50
BENCH = Principal("bench", kind="local", role="operator")


@dataclass(frozen=True)
class Operation:
    key: str
    label: str
    target_ms: float | None
    baselines: bool = True
    compared: bool = False  # baselines must return the same result as DuckDB


OPERATIONS = (
    Operation("floor", "select 1 (per-query floor)", None, baselines=False),
    # Cold: breakdown + page, as on opening the list or a new search. The page caches the breakdown per
    # integration, search, dates and group, so a status, type or page change costs only page_only.
    Operation("list_selective", "List page cold: status=error in one type", 5, compared=True),
    Operation("list_broad", "List page cold: all statuses, biggest type", 5, compared=True),
    Operation("page_only", "List page, breakdown cached: status=error", None, compared=True),
    Operation("search_retriever", "Search box, full retriever ref", None, compared=True),
    Operation("search_storer", "Search box, full storer ref", None, compared=True),
    Operation("lookup_retriever", "Exact lookup, retriever ref (indexed)", 2, compared=True),
    Operation("lookup_storer", "Exact lookup, storer ref (indexed)", 2, compared=True),
    Operation("substring", "Substring reference search (list page)", 40, compared=True),
    Operation("history", "One entity's history (first page)", 2, compared=True),
    Operation("breakdown", "Status breakdown (one integration)", 15, compared=True),
    Operation("trend_30d", "30-day error trend (all integrations)", 30, compared=True),
    Operation("error_groups", "Error groups recounted from entities (all integrations)", None),
    Operation("headline", "Overview headline (all integrations)", None, baselines=False),
    Operation("group_table", "Overview error-group table (lifecycle states)", None, baselines=False),
    Operation("group_refresh", "Error-group refresh (background job, per data change)", None, baselines=False),
    Operation("export", "CSV export (~70k rows at 1M)", 150),
    Operation("retry", "Retry request (one entity)", None),
    Operation("worker", "Worker: one queued retry handled and recorded", None, baselines=False),
    Operation("alerts", f"Alert evaluator: {ALERT_RULES} rules of every kind, states recorded", 1000, baselines=False),
    # The same rounds as the evaluator ran them before it kept the 7-day baselines: the ratio in the same run.
    Operation("alerts_before", f"Alert evaluator before (7-day parts every round), {ALERT_RULES} rules", None,
              baselines=False),
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--entities", type=_positive, nargs="+", default=list(SCALES), metavar="N",
                        help="scales to measure (default: 10000 100000 1000000)")
    parser.add_argument("--runs", type=_positive, default=DEFAULT_RUNS, metavar="R",
                        help=f"timed runs per operation after {WARMUP} warm-up runs (default {DEFAULT_RUNS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S", help="demo data seed")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="also write the results as JSON")
    parser.add_argument("--dir", type=Path, default=Path("data/bench"), metavar="DIR",
                        help="where benchmark databases are built and reused (default data/bench)")
    parser.add_argument("--browser", action=argparse.BooleanOptionalAction, default=None,
                        help="measure filter-change repaint and app RSS in Chromium at the largest scale "
                             "(default: on when /usr/bin/chromium exists)")
    parser.add_argument("--only", nargs="+", choices=[op.key for op in OPERATIONS], default=None, metavar="OP",
                        help="measure only these operations, e.g. --only alerts (default: all)")
    parser.add_argument("--retention", action=argparse.BooleanOptionalAction, default=True,
                        help="prune a copy of the largest database beside list-page readers (default on)")
    parser.add_argument("--api", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the read API over HTTP against `entities serve` at the largest scale "
                             "(default on)")
    parser.add_argument("--ingest", action=argparse.BooleanOptionalAction, default=True,
                        help="also time ingest at the largest scale: `entities import` against batched and "
                             "single-record POST /api/v1/events to a served copy (default on)")
    parser.add_argument("--feed-browser", action=argparse.BooleanOptionalAction, default=None,
                        help="in the ingest step, also click through the list page in Chromium idle and while "
                             "`entities feed` posts 1,000 records/s (default: as --browser)")
    parser.add_argument("--ingest-rows", type=_positive, default=100_000, metavar="N",
                        help="new entity rows for the ingest step (default 100000)")
    parser.add_argument("--worker", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure the retry worker against a local 200 ms webhook (default on)")
    parser.add_argument("--worker-records", type=_positive, default=10_000, metavar="N",
                        help="records in the worker's bulk retry (default 10000)")
    parser.add_argument("--sessions", type=_positive, default=None, metavar="N",
                        help="also drive N concurrent protocol-level sessions (one action each every 5 s) against "
                             "`entities serve` at the largest scale: p50/p95 latency, errors, server CPU and RSS")
    parser.add_argument("--sessions-seconds", type=_positive, default=120, metavar="S",
                        help="how long the concurrent sessions run (default 120)")
    parser.add_argument("--baselines", action=argparse.BooleanOptionalAction, default=True,
                        help="also run the pandas and SQLite baselines (default on)")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run(args: argparse.Namespace) -> int:
    anchor = dt.datetime.fromisoformat(ANCHOR)
    report: dict[str, Any] = {
        "meta": {"started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "runs": args.runs,
                 "warmup": WARMUP, "seed": args.seed, "anchor": ANCHOR, "cpus": os.cpu_count(),
                 "python": platform.python_version(), "duckdb": duckdb.__version__,
                 "load_average": list(os.getloadavg())},
        "scales": {},
    }
    args.dir.mkdir(parents=True, exist_ok=True)
    for n in sorted(args.entities):
        path, built = ensure_db(args.dir, n, args.seed)
        log(f"scale {n:,}: {path} ({f'built in {built:.1f} s' if built is not None else 'reused'})")
        result = bench_scale(path, n, args, anchor)
        result["demo_build_seconds"] = built
        report["scales"][str(n)] = result
    if args.retention:
        from entities.cli import bench_retention

        # The closest scale to 100k: at 1M a full prune takes many minutes on this machine (reported there).
        scale = min(args.entities, key=lambda n: abs(n - bench_retention.SCALE))
        report["retention"] = bench_retention.measure(db_file(args.dir, scale, args.seed), anchor, log=log)
        report["retention"]["entities"] = scale
    browser = args.browser if args.browser is not None else Path("/usr/bin/chromium").exists()
    if browser:
        from entities.cli import bench_browser

        largest = max(args.entities)
        try:
            report["browser"] = bench_browser.measure(db_file(args.dir, largest, args.seed), log=log)
        except Exception as exc:  # noqa: BLE001 - one step that cannot run must not lose the rest of the report
            report["browser"] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
            log(f"browser step could not run: {report['browser']['error']}")
        try:
            from entities.cli import bench_cpu

            report["cpu"] = bench_cpu.measure(db_file(args.dir, largest, args.seed), log=log)
        except Exception as exc:  # noqa: BLE001 - reported, the rest of the bench goes on
            report["cpu"] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
            log(f"server CPU step could not run: {report['cpu']['error']}")
    if args.api:
        from entities.cli import bench_api

        largest = max(args.entities)
        log(f"read API at {largest:,} entities")
        report["api"] = bench_api.measure(db_file(args.dir, largest, args.seed), args.runs, args.seed, log=log)
        report["api"]["entities"] = largest
        bench_api.compare(report["api"], report["scales"].get(str(largest)))
    if args.ingest:
        from entities.cli import bench_ingest

        largest = max(args.entities)
        log(f"ingest at {largest:,} entities")
        try:
            clicks = args.feed_browser if args.feed_browser is not None else browser
            report["ingest"] = bench_ingest.measure(db_file(args.dir, largest, args.seed), args.ingest_rows, log=log,
                                                     browser=clicks)
            report["ingest"]["entities"] = largest
        except Exception as exc:  # noqa: BLE001 - one step that cannot run must not lose the rest of the report
            report["ingest"] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
            log(f"ingest step could not run: {report['ingest']['error']}")
    if args.sessions:
        from entities.cli import bench_sessions

        largest = max(args.entities)
        log(f"concurrent sessions at {largest:,} entities")
        try:
            report["sessions"] = bench_sessions.measure(db_file(args.dir, largest, args.seed), args.sessions,
                                                        args.sessions_seconds, args.seed, log=log)
            report["sessions"]["entities"] = largest
        except Exception as exc:  # noqa: BLE001 - one step that cannot run must not lose the rest of the report
            report["sessions"] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
            log(f"sessions step could not run: {report['sessions']['error']}")
    if args.worker:
        from entities.cli import bench_worker

        source, _ = ensure_db(args.dir, args.worker_records, args.seed)
        report["worker"] = bench_worker.measure(source, args.dir, args.worker_records, log)
    report["meta"]["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    print(render(report))
    if "worker" in report:
        from entities.cli import bench_worker

        print(bench_worker.render(report["worker"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str))
        log(f"wrote {args.json}")
    return 0


def log(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def db_file(folder: Path, n: int, seed: int) -> Path:
    return folder / f"entities-{n}-s{seed}.duckdb"


def ensure_db(folder: Path, n: int, seed: int) -> tuple[Path, float | None]:
    """The demo database of n entities, built by `entities demo` at the fixed anchor unless it exists."""
    from entities.cli import main

    path = db_file(folder, n, seed)
    if path.exists():
        return path, None
    started = time.perf_counter()
    code = main(["demo", "--db", str(path), "--entities", str(n), "--seed", str(seed), "--anchor", ANCHOR])
    if code:
        raise SystemExit(f"entities bench: building {path} failed with exit code {code}")
    return path, time.perf_counter() - started


class DuckEngine:
    """The app's own path: the named queries and helpers the pages call."""

    name = "duckdb"

    def __init__(self, con, retry_con=None):
        self.con, self.retry_con = con, retry_con

    def floor(self):
        return queries.scalar(self.con, "bench_floor")

    def breakdown(self, integration, q=None):
        frame = queries.frame(self.con, "status_breakdown", integration=integration, q=q or None, updated_from=None,
                              updated_to=None, error_group=None)
        return [(r.type, r.status, int(r.n)) for r in frame.itertuples(index=False)]

    def list_page(self, integration, type_, statuses, q, page, size):
        """What pages/entities_list.py runs cold: the breakdown (tab counts and total) beside one page, each on a
        cursor of its own as the page's cached queries are."""
        params = listing.filter_params(integration, type_, statuses, q)
        breakdown, ids = listing.breakdown_and_page(
            lambda: queries.frame(self.con.cursor(), "status_breakdown", integration=integration, q=params["q"],
                                  updated_from=None, updated_to=None, error_group=None),
            lambda number: self.page(integration, type_, statuses, q, number, size, self.con.cursor()), page)
        counts = listing.counts_by_type(breakdown)[type_]
        total = sum(counts[s] for s in (statuses or STATUS_KEYS))
        return ids, total

    def page(self, integration, type_, statuses, q, page, size, con=None):
        """The page query alone: what a status, type or page change costs once the breakdown is cached."""
        params = listing.filter_params(integration, type_, statuses, q)
        frame = queries.frame(con or self.con, "entity_page", listing.sort_idents(listing.DEFAULT_SORT), **params,
                              limit=size, offset=(page - 1) * size)
        return frame["id"].tolist()

    def lookup(self, ref):
        return [r["id"] for r in queries.records(self.con, "entity_lookup", ref=ref)]

    def history(self, entity_id, page_size, offset=0):
        rows = queries.records(self.con, "entity_history", entity_id=entity_id, page_size=page_size, offset=offset)
        return [r["id"] for r in rows]

    def trend(self, since, bucket_seconds=86400):
        frame = queries.df(self.con, "overview_error_rate", integration=None, since=since,
                           bucket_seconds=bucket_seconds, bucket="day")
        counted = "records" if "records" in frame else "transactions"
        return [(int(r.bucket_start.timestamp()) // bucket_seconds, int(r.integration_id), r.type,
                 int(getattr(r, counted)), int(r.errors)) for r in frame.itertuples(index=False)]

    def error_groups(self):
        return len(queries.df(self.con, "error_groups", integration=None))

    def headline(self, stuck_before):
        return queries.records(self.con, "overview_headline", integration=None, stuck_before=stuck_before)[0]

    def group_table(self):
        return len(queries.rows(self.retry_con, "error_group_table", integration=None, states=["open", "regressed"],
                                group_id=None))

    def group_refresh(self, now):
        """What the group-lifecycle job runs after every write: recount the groups from the records in error."""
        return groups.sync(self.retry_con, now=now).changed_groups

    def export(self, integration, type_, statuses):
        data = listing.export_csv(self.con, listing.filter_params(integration, type_, statuses), listing.DEFAULT_SORT)
        return data.count(b"\n") - 1, len(data)

    def retry(self, entity_id, actor=BENCH):
        return retry.request(self.retry_con, [entity_id], actor).queued

    def worker(self):
        """The in-app worker's step for the oldest queued request (the retry operation above queued them)."""
        return Worker(self.retry_con, handler=handlers.simulated).process_one()

    def alerts(self, now):
        """One evaluator round over the bench's alert rules (made once by add_alert_rules), states written."""
        return len(evaluator.evaluate(self.retry_con, now=now))

    def alerts_before(self, now):
        return len(evaluator.evaluate(self.retry_con, now=now, before=True))


class Plan:
    """Deterministic, varying parameters per operation and run index, picked from the database once."""

    def __init__(self, con, n: int, seed: int, anchor: dt.datetime):
        self.samples = queries.records(con, "bench_samples", n=SAMPLES, seed=seed)
        flows = queries.records(con, "bench_flow_counts")
        self.flows = [(f["integration_id"], f["type"]) for f in flows if f["errors"]]
        self.biggest = (flows[0]["integration_id"], flows[0]["type"])
        want = EXPORT_SHARE * n
        best = min(flows, key=lambda f: abs(f["records"] - want))
        self.export_flow = (best["integration_id"], best["type"])
        self.export_rows = best["records"]
        self.integrations = sorted({f["integration_id"] for f in flows})
        day = anchor.replace(hour=0, minute=0, second=0, microsecond=0)
        self.since = day - dt.timedelta(days=30)
        self.anchor = anchor

    def sample(self, i: int, offset: int = 0) -> dict:
        return self.samples[(i * 7 + offset) % len(self.samples)]

    def call(self, op: str, engine, i: int):
        s = self.sample(i)
        if op == "floor":
            return engine.floor()
        if op == "list_selective":
            integration, type_ = self.flows[i % len(self.flows)]
            return engine.list_page(integration, type_, ["error"], None, 1, PAGE_SIZE)
        if op == "list_broad":
            return engine.list_page(*self.biggest, [], None, 1 + i % 10, PAGE_SIZE)
        if op == "page_only":
            integration, type_ = self.flows[i % len(self.flows)]
            return engine.page(integration, type_, ["error"], None, 1, PAGE_SIZE)
        if op == "search_retriever":
            return engine.list_page(s["integration_id"], s["type"], [], s["retriever_ref"], 1, PAGE_SIZE)
        if op == "search_storer":
            return engine.list_page(s["integration_id"], s["type"], [], s["storer_ref"], 1, PAGE_SIZE)
        if op == "lookup_retriever":
            return engine.lookup(s["retriever_ref"])
        if op == "lookup_storer":
            return engine.lookup(s["storer_ref"])
        if op == "substring":
            ref = s["retriever_ref"]
            middle = len(ref) // 2
            return engine.list_page(s["integration_id"], s["type"], [], ref[middle - 2: middle + 2], 1, PAGE_SIZE)
        if op == "history":
            return engine.history(s["id"], HISTORY_PAGE_SIZE)
        if op == "breakdown":
            return engine.breakdown(self.integrations[i % len(self.integrations)])
        if op == "trend_30d":
            return engine.trend(self.since)
        if op == "error_groups":
            return engine.error_groups()
        if op == "headline":
            return engine.headline(self.anchor - dt.timedelta(minutes=60))
        if op == "group_table":
            return engine.group_table()
        if op == "group_refresh":
            return engine.group_refresh(self.anchor + dt.timedelta(minutes=i))
        if op == "export":
            return engine.export(*self.export_flow, [])
        if op == "retry":
            return engine.retry(self.sample(i, offset=3)["id"])
        if op == "worker":
            return engine.worker()
        if op == "alerts":
            return engine.alerts(self.anchor + dt.timedelta(minutes=i))
        if op == "alerts_before":
            return engine.alerts_before(self.anchor + dt.timedelta(minutes=i))
        raise KeyError(op)


def add_alert_rules(con, plan: Plan) -> None:
    """ALERT_RULES rules cycling through every kind and scope (all, one integration, one integration and type)."""
    kinds = [k.key for k in ALERT_KINDS]
    for i in range(ALERT_RULES):
        integration, type_ = plan.flows[i % len(plan.flows)]
        scope = ({}, {"integration_id": integration}, {"integration_id": integration, "type": type_})[i % 3]
        alert_rules.create_rule(con, BENCH, {"name": f"bench rule {i}", "kind": kinds[i % len(kinds)],
                                             "threshold": 5, "recovery_threshold": 2,
                                             "window_minutes": (15, 60, 240)[i % 3], "min_volume": 10, **scope})


def timed(fn, runs: int) -> dict:
    """Median and p95 wall ms over `runs` calls fn(i), after WARMUP calls with other parameters; also the median
    CPU ms of this process (all threads), which a busy shared machine inflates far less than wall time. The
    garbage collector is paused while timing, as timeit does, so the baselines' big heaps do not tax DuckDB."""
    for w in range(WARMUP):
        fn(runs + w)
    walls, cpus = [], []
    gc.collect()
    gc.disable()
    try:
        for i in range(runs):
            cpu, wall = time.process_time_ns(), time.perf_counter_ns()
            fn(i)
            walls.append((time.perf_counter_ns() - wall) / 1e6)
            cpus.append((time.process_time_ns() - cpu) / 1e6)
    finally:
        gc.enable()
    ordered = sorted(walls)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median_ms": round(statistics.median(walls), 3), "p95_ms": round(p95, 3),
            "cpu_median_ms": round(statistics.median(cpus), 3), "runs": len(walls)}


def prepare(path: Path) -> Path:
    """Applies the schema files (indexes) once read-write, then copies the file for the retry operation."""
    con = db.connect(path)
    queries.run(con, "demo_checkpoint")
    con.close()
    copy = path.with_name(path.stem + "-retry.duckdb")
    copy.with_name(copy.name + ".wal").unlink(missing_ok=True)  # a stale WAL would be replayed onto the copy
    shutil.copyfile(path, copy)
    return copy


def bench_scale(path: Path, n: int, args, anchor: dt.datetime) -> dict:
    started = time.perf_counter()
    retry_copy = prepare(path)
    log(f"  schema applied and retry copy made in {time.perf_counter() - started:.1f} s")
    con = db.connect(path, read_only=True)
    retry_con = db.connect(retry_copy)
    plan = Plan(con, n, args.seed, anchor)
    add_alert_rules(retry_con, plan)
    groups.sync(retry_con, now=anchor)  # the lifecycle table the overview reads, as the app's job keeps it
    engines = [DuckEngine(con, retry_con)]
    result: dict[str, Any] = {"db": str(path), "db_bytes": path.stat().st_size,
                              "tables": dict(queries.rows(con, "demo_table_counts")),
                              "export_rows": plan.export_rows, "baselines": {}, "operations": {}}
    if args.baselines:
        from entities.cli.bench_baselines import PandasEngine, SqliteEngine

        log("  loading the pandas baseline")
        pandas_engine = PandasEngine(con)
        result["baselines"]["pandas"] = {"load_seconds": round(pandas_engine.load_seconds, 2),
                                         "memory_bytes": pandas_engine.memory_bytes,
                                         "rss_growth_bytes": pandas_engine.rss_growth_bytes}
        log(f"  pandas loaded in {pandas_engine.load_seconds:.1f} s; building or reusing the SQLite baseline")
        sqlite_engine = SqliteEngine(con, path.with_suffix(".sqlite"))
        result["baselines"]["sqlite"] = {"build_seconds": round(sqlite_engine.build_seconds, 2),
                                         "reused": sqlite_engine.reused, "file_bytes": sqlite_engine.file_bytes}
        engines += [pandas_engine, sqlite_engine]
        gc.collect()
        gc.freeze()  # the frames' objects are long-lived: keep every later collection from walking them
    try:
        for op in OPERATIONS:
            if args.only and op.key not in args.only:
                continue
            entry: dict[str, Any] = {"label": op.label, "target_ms": op.target_ms}
            for engine in engines:
                if engine.name != "duckdb" and not op.baselines:
                    continue
                if engine.name == "pandas" and op.key == "retry":
                    continue  # an in-memory frame has no durable write to compare with
                entry[engine.name] = timed(lambda i, e=engine, k=op.key: plan.call(k, e, i), args.runs)
            if op.compared:
                expected = plan.call(op.key, engines[0], 0)
                entry["same_result"] = {e.name: _same(plan.call(op.key, e, 0), expected) for e in engines[1:]}
            if op.key == "export":
                entry["rows"], entry["bytes"] = plan.call(op.key, engines[0], 0)
            duck = entry["duckdb"]["median_ms"]
            for name in ("pandas", "sqlite"):
                if name in entry and duck:
                    entry[f"ratio_{name}"] = round(entry[name]["median_ms"] / duck, 2)
            if op.target_ms is not None:
                entry["met"] = duck <= op.target_ms
            result["operations"][op.key] = entry
            log(f"  {op.key:<17} duckdb {duck:9.2f} ms"
                + "".join(f"  {name} {entry[name]['median_ms']:9.2f} ms" for name in ("pandas", "sqlite")
                          if name in entry))
    finally:
        con.close()
        retry_con.close()
        retry_copy.unlink(missing_ok=True)
        retry_copy.with_name(retry_copy.name + ".wal").unlink(missing_ok=True)
        for engine in engines[1:]:
            getattr(engine, "close", lambda: None)()
        engines.clear()
        gc.unfreeze()
        gc.collect()
    return result


def _same(actual, expected) -> bool:
    if isinstance(expected, tuple) and len(expected) == 2 and isinstance(expected[0], list):
        return list(actual[0]) == list(expected[0]) and int(actual[1]) == int(expected[1])
    return [tuple(r) if isinstance(r, (list, tuple)) else r for r in actual] == \
        [tuple(r) if isinstance(r, (list, tuple)) else r for r in expected]


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def alert_lines(report: dict) -> list[str]:
    """The DESIGN target's line per scale: '50 alert rules: median X s', with the evaluator as it was before."""
    lines = []
    for s, scale in report["scales"].items():
        now, before = scale["operations"].get("alerts"), scale["operations"].get("alerts_before")
        if now is None:
            continue
        line = (f"{ALERT_RULES} alert rules at {int(s):,} entities: median {now['duckdb']['median_ms'] / 1000:.3f} s "
                f"(p95 {now['duckdb']['p95_ms'] / 1000:.3f} s, CPU {now['duckdb']['cpu_median_ms'] / 1000:.3f} s; "
                f"7-day baselines refreshed every {evaluator.BASELINE_SECONDS // 60} min of evaluation time)")
        if before is not None:
            ratio = before["duckdb"]["median_ms"] / max(now["duckdb"]["median_ms"], 1e-9)
            line += (f"; before: median {before['duckdb']['median_ms'] / 1000:.3f} s (CPU "
                     f"{before['duckdb']['cpu_median_ms'] / 1000:.3f} s), {ratio:.1f}× the time")
        lines.append(line)
    return lines


def render(report: dict) -> str:
    scales = list(report["scales"])
    largest = report["scales"][scales[-1]] if scales else None
    if largest is None:
        return "no scales measured"
    head = ["Operation", "target", *(f"{int(s):,}" for s in scales), "p95", "cpu", "pandas", "×", "SQLite", "×",
            "met"]
    lines = []
    for op in OPERATIONS:
        big = largest["operations"].get(op.key)
        if big is None:
            continue
        cells = [op.label, _ms(op.target_ms)]
        cells += [_ms(report["scales"][s]["operations"][op.key]["duckdb"]["median_ms"]) for s in scales]
        cells += [_ms(big["duckdb"]["p95_ms"]), _ms(big["duckdb"]["cpu_median_ms"])]
        for name in ("pandas", "sqlite"):
            cells.append(_ms(big[name]["median_ms"]) if name in big else "—")
            cells.append(f"{big[f'ratio_{name}']:.1f}" if f"ratio_{name}" in big else "—")
        cells.append({True: "yes", False: "NO"}.get(big.get("met"), ""))
        lines.append(cells)
    widths = [max(len(str(row[i])) for row in [head, *lines]) for i in range(len(head))]
    fmt = lambda row: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)  # noqa: E731
                                for i, (c, w) in enumerate(zip(row, widths, strict=True)))
    out = [f"Median ms per operation (DuckDB) at each scale; p95, median process CPU ms and baselines at "
           f"{int(scales[-1]):,} entities; × = baseline median / DuckDB median.", fmt(head),
           fmt(["-" * w for w in widths])]
    out += [fmt(row) for row in lines]
    out += alert_lines(report)
    for s in scales:
        scale = report["scales"][s]
        built = scale.get("demo_build_seconds")
        parts = [f"{int(s):,} entities: demo DB {f'built in {built:.1f} s' if built is not None else 'reused'}"]
        if "pandas" in scale["baselines"]:
            p = scale["baselines"]["pandas"]
            parts.append(f"pandas load {p['load_seconds']:.1f} s, {p['memory_bytes'] / 2**20:,.0f} MiB frames")
        if "sqlite" in scale["baselines"]:
            q = scale["baselines"]["sqlite"]
            parts.append(f"SQLite build {q['build_seconds']:.1f} s{' (earlier run)' if q['reused'] else ''}")
        mismatched = [f"{k}:{e}" for k, v in scale["operations"].items() for e, ok in v.get("same_result", {}).items()
                      if not ok]
        parts.append("baselines agree" if not mismatched else "DIFFERENT RESULTS " + ", ".join(mismatched))
        out.append("  " + "; ".join(parts))
    if report.get("retention"):
        from entities.cli import bench_retention

        out += bench_retention.render(report["retention"], report["retention"]["entities"])
    if report.get("cpu"):
        from entities.cli import bench_cpu

        cpu = report["cpu"]
        out += [f"Server CPU step could not run: {cpu['error']}"] if "error" in cpu else bench_cpu.render(cpu)
    browser = report.get("browser")
    if browser and "error" in browser:
        out.append(f"Browser step could not run: {browser['error']}")
    elif browser:
        out.append(f"Browser at {browser.get('entities', '?')}: filter change → repainted table median "
                   f"{_ms(browser.get('repaint_median_ms'))} ms (p95 {_ms(browser.get('repaint_p95_ms'))}); "
                   f"app RSS peak {browser.get('rss_peak_bytes', 0) / 2**20:,.0f} MiB; first paint "
                   f"{_ms(browser.get('first_paint_ms'))} ms, start-up jobs settled after "
                   f"{browser.get('settled_seconds', '?')} s")
        if "overview_live10_cpu_pct" in browser:
            out.append(f"Overview with Live on (every 10 s), nothing changing: server CPU "
                       f"{browser['overview_live10_cpu_pct']:.2f} % of one core for one session (target ≤ 10 %); "
                       f"the same page with Live off: {browser['overview_live0_cpu_pct']:.2f} %")
    if report.get("api"):
        from entities.cli import bench_api

        out += bench_api.render(report["api"], f"{report['api']['entities']:,}")
    sessions = report.get("sessions")
    if sessions and "error" in sessions:
        out.append(f"Sessions step could not run: {sessions['error']}")
    elif sessions:
        from entities.cli import bench_sessions

        out += bench_sessions.render(sessions, f"{sessions['entities']:,}")
    ingest = report.get("ingest")
    if ingest and "error" in ingest:
        out.append(f"Ingest step could not run: {ingest['error']}")
    elif ingest:
        from entities.cli import bench_ingest

        out += bench_ingest.render(ingest, f"{ingest['entities']:,}")
    return "\n".join(out)
