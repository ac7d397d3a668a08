"""The bench's retention half: prune a copy of a database the way the app's daily pruner does (paced, beside a
reader running list pages), and report the pruner's time, its steps and checkpoints, the reader's latency idle and
during the prune (p50, p99, max, and the longest time it sat blocked rather than computing or waiting for a CPU),
and the file size before, after pruning and after `entities prune --compact`."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import threading
import time
from pathlib import Path

import queries
from entities import db, retention
from entities.ui import listing

POLICY = retention.Defaults(keep_days=30, payload_days=7)
SCALE = 100_000  # measured at the requested scale closest to this  # the demo spans ~90 days: enough to prune
IDLE_SECONDS = 5.0
_SCHEDSTAT = Path("/proc/thread-self/schedstat")


def _list_page(con, integration: int) -> None:
    params = listing.filter_params(integration, "order", ["error"], "")
    queries.frame(con, "entity_page", listing.sort_idents(listing.DEFAULT_SORT), **params, limit=50, offset=0)
    queries.frame(con, "status_breakdown", integration=integration, q=None, updated_from=None, updated_to=None,
                  error_group=None)


def _on_cpu_ms() -> float:
    """This thread's time running or waiting for a CPU (Linux schedstat); the rest of a query's time it was blocked."""
    try:
        running, waiting = _SCHEDSTAT.read_text().split()[:2]
    except (OSError, ValueError):
        return 0.0
    return (int(running) + int(waiting)) / 1e6


def _reader(con, stop: threading.Event, out: list[tuple[float, float]], integrations: list[int]) -> None:
    """Appends (latency ms, blocked ms) per list page until stop."""
    i = 0
    while not stop.is_set():
        started, cpu = time.perf_counter(), _on_cpu_ms()
        _list_page(con, integrations[i % len(integrations)])
        took = (time.perf_counter() - started) * 1000
        out.append((took, max(0.0, took - (_on_cpu_ms() - cpu))))
        i += 1


def _stats(reads: list[tuple[float, float]]) -> dict:
    ms = sorted(r[0] for r in reads)
    if not ms:
        return {"runs": 0}
    return {"runs": len(ms), "p50": statistics.median(ms), "p99": ms[min(len(ms) - 1, int(len(ms) * 0.99))],
            "max": ms[-1], "blocked_max": max(r[1] for r in reads)}


def measure(source: Path, anchor: dt.datetime, log=print, budget: float | None = None) -> dict:
    """budget: stop the prune after this many seconds (a full prune at 1M takes many minutes here)."""
    path = source.with_name(source.stem + "-prune.duckdb")
    shutil.copy(source, path)
    Path(f"{path}.wal").unlink(missing_ok=True)
    try:
        con = db.connect(path)
        queries.run(con, "demo_checkpoint")  # a migration on open must not count as the prune's
        before = path.stat().st_size
        integrations = [r["id"] for r in queries.records(con, "integrations_list")]
        total_batches = len(queries.records(con, "prune_batches", span=retention.ROW_GROUP))
        idle: list[tuple[float, float]] = []
        stop = threading.Event()
        timer = threading.Timer(IDLE_SECONDS, stop.set)
        timer.start()
        _reader(con.cursor(), stop, idle, integrations)
        during: list[tuple[float, float]] = []
        stop, halt = threading.Event(), threading.Event()
        reader = threading.Thread(target=_reader, args=(con.cursor(), stop, during, integrations))
        reader.start()
        deadline = threading.Timer(budget, halt.set) if budget else None
        if deadline:
            deadline.start()
        load = os.getloadavg()[0]
        result = retention.prune(con.cursor(), now=anchor, defaults=POLICY, stop=halt, pace=retention.APP_PACE)
        if deadline:
            deadline.cancel()
        stop.set()
        reader.join()
        con.close()
        after_prune = path.stat().st_size
        from entities.cli.prune import compact

        started = time.perf_counter()
        compact(path)
        compact_seconds = time.perf_counter() - started
        report = {
            "deleted": result.deleted, "payloads_dropped": result.payloads_dropped, "seconds": result.seconds,
            "batches": result.batches, "batches_total": total_batches, "stopped_early": halt.is_set(),
            "step_max_ms": max(result.step_ms, default=0),
            "step_median_ms": statistics.median(result.step_ms) if result.step_ms else 0,
            "checkpoint_max_ms": max(result.checkpoint_ms, default=0),
            "checkpoint_median_ms": statistics.median(result.checkpoint_ms) if result.checkpoint_ms else 0,
            "checkpoints": len(result.checkpoint_ms), "checkpoints_skipped": result.checkpoints_skipped,
            "reader_idle": _stats(idle), "reader_during": _stats(during), "load_average": load,
            "size_before": before, "size_after_prune": after_prune, "size_after_compact": path.stat().st_size,
            "compact_seconds": compact_seconds,
        }
        log(f"  retention: deleted {result.deleted:,}, dropped {result.payloads_dropped:,} payloads in "
            f"{result.seconds:.1f} s; list page beside it p99 {report['reader_during'].get('p99', 0):.0f} ms, "
            f"max {report['reader_during'].get('max', 0):.0f} ms")
        return report
    finally:
        path.unlink(missing_ok=True)
        Path(f"{path}.wal").unlink(missing_ok=True)


def render(r: dict, entities: int) -> list[str]:
    mib = lambda n: f"{n / 2**20:,.0f} MiB"  # noqa: E731
    idle, during = r["reader_idle"], r["reader_during"]
    part = (f" (stopped after {r['batches']} of {r['batches_total']} row groups)" if r["stopped_early"] else "")
    return [
        f"Retention at {entities:,} entities (keep {POLICY.keep_days} d, payloads {POLICY.payload_days} d), paced as "
        f"in the app: deleted {r['deleted']:,} transactions and {r['payloads_dropped']:,} payloads in "
        f"{r['seconds']:.1f} s{part}; write steps median {r['step_median_ms']:.0f} ms, longest "
        f"{r['step_max_ms']:.0f} ms; {r['checkpoints']} checkpoints, median {r['checkpoint_median_ms']:.0f} ms, "
        f"longest {r['checkpoint_max_ms']:.0f} ms ({r['checkpoints_skipped']} deferred). Load average "
        f"{r['load_average']:.1f} on {os.cpu_count()} CPUs.",
        f"  List page + breakdown, idle: p50 {idle['p50']:.0f} / p99 {idle['p99']:.0f} / max {idle['max']:.0f} ms; "
        f"beside the prune: p50 {during.get('p50', 0):.0f} / p99 {during.get('p99', 0):.0f} / max "
        f"{during.get('max', 0):.0f} ms ({during['runs']} runs; longest blocked "
        f"{during.get('blocked_max', 0):.0f} ms). "
        f"File {mib(r['size_before'])} → {mib(r['size_after_prune'])} after pruning → "
        f"{mib(r['size_after_compact'])} after --compact ({r['compact_seconds']:.1f} s).",
    ]
