"""The bench's retention half: prune a copy of the largest database beside a reader running list pages, and
report the pruner's time, its longest write batch, the readers' latency idle and during the prune, and the
file size before, after pruning and after `entities prune --compact`."""
from __future__ import annotations

import datetime as dt
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


def _list_page(con, integration: int) -> None:
    params = listing.filter_params(integration, "order", ["error"], "")
    queries.frame(con, "entity_page", listing.sort_idents(listing.DEFAULT_SORT), **params, limit=50, offset=0)
    queries.frame(con, "status_breakdown", integration=integration, q=None, updated_from=None, updated_to=None,
                  error_group=None)


def _reader(con, stop: threading.Event, out: list[float], integrations: list[int]) -> None:
    i = 0
    while not stop.is_set():
        started = time.perf_counter()
        _list_page(con, integrations[i % len(integrations)])
        out.append((time.perf_counter() - started) * 1000)
        i += 1


def measure(source: Path, anchor: dt.datetime, log=print) -> dict:
    path = source.with_name(source.stem + "-prune.duckdb")
    shutil.copy(source, path)
    Path(f"{path}.wal").unlink(missing_ok=True)
    try:
        before = path.stat().st_size
        con = db.connect(path)
        integrations = [r["id"] for r in queries.records(con, "integrations_list")]
        idle: list[float] = []
        stop = threading.Event()
        timer = threading.Timer(5.0, stop.set)
        timer.start()
        _reader(con.cursor(), stop, idle, integrations)
        during: list[float] = []
        stop = threading.Event()
        reader = threading.Thread(target=_reader, args=(con.cursor(), stop, during, integrations))
        reader.start()
        result = retention.prune(con.cursor(), now=anchor, defaults=POLICY)
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
            "batches": result.batches, "batch_max_ms": max(result.batch_ms, default=0),
            "batch_median_ms": statistics.median(result.batch_ms) if result.batch_ms else 0,
            "checkpoint_ms": result.checkpoint_ms,
            "reader_idle_median_ms": statistics.median(idle), "reader_idle_max_ms": max(idle),
            "reader_during_median_ms": statistics.median(during) if during else None,
            "reader_during_max_ms": max(during) if during else None, "reader_during_runs": len(during),
            "size_before": before, "size_after_prune": after_prune, "size_after_compact": path.stat().st_size,
            "compact_seconds": compact_seconds,
        }
        log(f"  retention: deleted {result.deleted:,}, dropped {result.payloads_dropped:,} payloads in "
            f"{result.seconds:.1f} s")
        return report
    finally:
        path.unlink(missing_ok=True)
        Path(f"{path}.wal").unlink(missing_ok=True)


def render(r: dict, entities: int) -> list[str]:
    mib = lambda n: f"{n / 2**20:,.0f} MiB"  # noqa: E731
    return [
        f"Retention at {entities:,} entities (keep {POLICY.keep_days} d, payloads {POLICY.payload_days} d): deleted "
        f"{r['deleted']:,} transactions and {r['payloads_dropped']:,} payloads in {r['seconds']:.1f} s, "
        f"{r['batches']} batches (median {r['batch_median_ms']:.0f} ms, longest {r['batch_max_ms']:.0f} ms), "
        f"longest checkpoint {r['checkpoint_ms']:.0f} ms.",
        f"  List page + breakdown beside it: median {r['reader_idle_median_ms']:.1f} ms idle, "
        f"{r['reader_during_median_ms'] or 0:.1f} ms during the prune (max {r['reader_during_max_ms'] or 0:.0f} ms, "
        f"{r['reader_during_runs']} runs). File {mib(r['size_before'])} → {mib(r['size_after_prune'])} after "
        f"pruning (freed blocks are reused) → {mib(r['size_after_compact'])} after --compact "
        f"({r['compact_seconds']:.1f} s).",
    ]
