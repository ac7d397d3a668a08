"""The bench's ingest half: the same new entity rows loaded by `entities import` (in process, the baseline) and
posted to POST /api/v1/events of a served copy of the bench database (batches, and single-record posts), in the
same run, so the ratio says what HTTP, the token check and the ingest writer cost.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import httpx

import queries
from entities import db, identity
from entities.cli import bench_browser, bench_trace
from entities.cli.bench_browser import _wait_healthy, free_port, stop_process
from entities.ingest import importer
from entities.web import tokens

BATCH_ROWS = 25_000
SENDERS = 2  # batched: two senders keep the writer busy while the next batch travels
SMALLER_BATCHES = (10_000, 1_000, 100)  # also measured, each with POSTS_PER_SIZE posts (capped by the rows asked for)
POSTS_PER_SIZE = 40
FEED_RATE = 1_000  # records/s the feed is asked for while the list page is timed
FEED_SECONDS = 120  # the feed's own stop, should the bench die
LIST_SAMPLES = 40
LIST_INTERACTIONS = 30  # browser clicks idle and again under the feed
SINGLE_POSTS = 6_050  # 50 alone, then ~20 s from 32 senders: several periods of the background jobs' write-lock share
SINGLE_SENDERS = 32
TARGETS = {"batched_rows_per_s": 50_000, "single_posts_per_s": 300}


def _rows(n: int, prefix: str, folder: Path) -> list[bytes]:
    """n new entity rows (queries/import_bench_file.sql), references moved to their own range."""
    path = folder / f"{prefix}.jsonl"
    queries.run(duckdb.connect(), "import_bench_file", n=n, path=str(path))
    return [line.replace(b'"retriever_ref":"#', f'"retriever_ref":"{prefix}-'.encode())
            for line in path.read_bytes().splitlines() if line.strip()]


def _copy(source: Path, name: str) -> Path:
    path = source.with_name(source.stem + f"-{name}.duckdb")
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    shutil.copyfile(source, path)
    return path


def _drop(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal"), path.with_name(path.name + ".server.json")):
        leftover.unlink(missing_ok=True)


def measure(source: Path, rows: int, log=print, browser: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="entities-bench-ingest-") as tmp:
        folder = Path(tmp)
        lines = _rows(rows, "bench", folder)
        single_posts = min(SINGLE_POSTS, 50 + rows // 16)  # a small bench (--ingest-rows) stays small
        singles = _rows(single_posts, "single", folder)
        smaller = {size: _rows(min(rows, size * POSTS_PER_SIZE), f"b{size}", folder) for size in SMALLER_BATCHES}
        result = {"rows": rows, "batch_rows": BATCH_ROWS, "senders": SENDERS, "single_posts": single_posts,
                  "single_senders": SINGLE_SENDERS, "load_average_start": [round(x, 2) for x in os.getloadavg()]}
        result["import_rows_per_s"] = _import(source, lines, folder)
        log(f"  entities import: {result['import_rows_per_s']:,.0f} rows/s")
        result.update(_http(source, lines, singles, smaller, log, browser))
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["ratio_to_import"] = round(result["batched_rows_per_s"] / result["import_rows_per_s"], 2)
    for size in result["sizes"]:
        size["ratio_to_import"] = round(size["rows_per_s"] / result["import_rows_per_s"], 3)
    result["met"] = {key: result[key] >= target for key, target in TARGETS.items()}
    return result


def _import(source: Path, lines: list[bytes], folder: Path) -> float:
    path = _copy(source, "import")
    try:
        data = folder / "entities-bench.jsonl"
        data.write_bytes(b"\n".join(lines) + b"\n")
        con = db.connect(path)
        try:
            began = time.perf_counter()
            outcome = importer.import_file(con, importer.Source(data, "entities", "jsonl"))
            seconds = time.perf_counter() - began
        finally:
            con.close()
        if outcome.error or outcome.counts["inserted"] != len(lines):
            raise RuntimeError(f"bench import did not insert every row: {outcome.error or outcome.counts}")
        return round(len(lines) / seconds)
    finally:
        _drop(path)


def _http(source: Path, lines: list[bytes], singles: list[bytes], smaller: dict[int, list[bytes]],
          log, browser: bool = False) -> dict:
    path = _copy(source, "ingest")
    con = db.connect(path)
    try:
        token = tokens.create(con, identity.CLI, "bench-ingest", ["ingest", "read"])["token"]
        flows = [(f["integration_id"], f["type"]) for f in queries.records(con, "bench_flow_counts") if f["errors"]]
    finally:
        con.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = path.with_suffix(".serve.log")
    kept = os.environ.get("ENTITIES_WRITE_TRACE", "").strip()  # set: the raw trace stays there for a closer look
    trace_path = Path(kept) if kept else path.with_suffix(".trace.jsonl")
    proc = subprocess.Popen([sys.executable, "-m", "entities.cli", "serve", "--db", str(path), "--server.port",
                             str(port), "--server.fileWatcherType", "none"],
                            env={**os.environ, "ENTITIES_WORKER": "off", "ENTITIES_WRITE_TRACE": str(trace_path)},
                            stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    try:
        _wait_healthy(url, proc, log_path)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
        with httpx.Client(base_url=url, headers=headers, timeout=600,
                          limits=httpx.Limits(max_connections=SINGLE_SENDERS)) as client:
            kinded = [b'{"kind":"entities",' + line[1:] for line in lines]
            batches = [b"\n".join(kinded[i:i + BATCH_ROWS]) + b"\n" for i in range(0, len(kinded), BATCH_ROWS)]
            seconds, inserted = _send(client, batches, SENDERS)
            if inserted != len(lines):
                raise RuntimeError(f"batched ingest inserted {inserted:,} of {len(lines):,} rows")
            out = {"batched_rows_per_s": round(len(lines) / seconds), "batched_seconds": round(seconds, 2)}
            log(f"  HTTP batched: {out['batched_rows_per_s']:,.0f} rows/s")
            out["sizes"] = [{"batch_rows": BATCH_ROWS, "rows": len(lines), "senders": SENDERS,
                             "rows_per_s": out["batched_rows_per_s"]}]
            for size, rows in smaller.items():
                kinded = [b'{"kind":"entities",' + line[1:] for line in rows]
                bodies = [b"\n".join(kinded[i:i + size]) + b"\n" for i in range(0, len(kinded), size)]
                seconds, inserted = _send(client, bodies, SENDERS)
                if inserted != len(rows):
                    raise RuntimeError(f"{size}-row batches inserted {inserted:,} of {len(rows):,} rows")
                out["sizes"].append({"batch_rows": size, "rows": len(rows), "senders": SENDERS,
                                     "rows_per_s": round(len(rows) / seconds)})
                log(f"  HTTP {size:,}-row batches: {out['sizes'][-1]['rows_per_s']:,.0f} rows/s")
            posts = [b'{"kind":"entities",' + line[1:] + b"\n" for line in singles]
            latency = []
            for post in posts[:50]:  # one sender, one record a post: the latency a lone engine sees
                began = time.perf_counter()
                client.post("/api/v1/events", content=post).raise_for_status()
                latency.append((time.perf_counter() - began) * 1000)
            window, cpu = time.time(), bench_browser.cpu_seconds(proc.pid)
            seconds, inserted = _send(client, posts[50:], SINGLE_SENDERS)
            out["single_server_cpu_ms_per_post"] = round((bench_browser.cpu_seconds(proc.pid) - cpu) * 1000
                                                         / (len(posts) - 50), 2)
            out["single_trace"] = bench_trace.summary(bench_trace.read(trace_path, window, window + seconds), seconds)
            out["single_posts_per_s"] = round((len(posts) - 50) / seconds)
            out["single_latency_median_ms"] = round(statistics.median(latency), 1)
            out["sizes"].append({"batch_rows": 1, "rows": len(posts) - 50, "senders": SINGLE_SENDERS,
                                 "rows_per_s": out["single_posts_per_s"]})
            out["list_under_feed"] = _list_under_feed(client, url, token, flows, log, browser)
            log(f"  HTTP single-record posts: {out['single_posts_per_s']:,.0f} posts/s with {SINGLE_SENDERS} "
                f"senders; one sender: median {out['single_latency_median_ms']} ms a post; the server used "
                f"{out['single_server_cpu_ms_per_post']} ms CPU a post")
            for line in bench_trace.render(out["single_trace"]):
                log(line)
            return out
    finally:
        stop_process(proc, 30)
        _drop(path)
        log_path.unlink(missing_ok=True)
        if not kept:
            trace_path.unlink(missing_ok=True)


def _list_times(client: httpx.Client, flows: list[tuple[int, str]], n: int) -> list[float]:
    """Server ms (Server-Timing) of n list pages as the list page asks them: status=error in one type."""
    took = []
    for i in range(n):
        integration, type_ = flows[i % len(flows)]
        response = client.get("/api/v1/entities", params={"integration": integration, "type": type_,
                                                            "status": "error"})
        response.raise_for_status()
        took.append(float(response.headers["server-timing"].split("dur=")[1]))
    return took


def _list_under_feed(client: httpx.Client, url: str, token: str, flows, log, browser: bool = False) -> dict:
    """The list page's API query idle, then while `entities feed` posts FEED_RATE records/s to the same app; with
    browser, also LIST_INTERACTIONS clicks on the list page in Chromium (a type tab, the next page) each time."""
    with contextlib.ExitStack() as stack:
        page = stack.enter_context(bench_browser.list_page(url)) if browser else None
        idle = _list_times(client, flows, LIST_SAMPLES)
        idle_clicks = page.interactions(LIST_INTERACTIONS) if page else []
        feed = subprocess.Popen([sys.executable, "-m", "entities.cli", "feed", "--url", url, "--token", token,
                                 "--rate", str(FEED_RATE), "--seconds", str(FEED_SECONDS), "--seed", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        fed_from = time.perf_counter()
        try:
            time.sleep(2)  # the feed reaches its pace
            began = time.perf_counter()
            busy = _list_times(client, flows, LIST_SAMPLES)
            measured = time.perf_counter() - began
            busy_clicks = page.interactions(LIST_INTERACTIONS) if page else []
        finally:
            feed.send_signal(signal.SIGINT)  # the feed says how many it sent, then stops
            output = feed.communicate(timeout=30)[0]
            fed_seconds = time.perf_counter() - fed_from
    fed = [line for line in output.splitlines() if line.startswith("fed ")]
    result = {"feed_rate": FEED_RATE, "idle_median_ms": round(statistics.median(idle), 2),
              "idle_p95_ms": round(_p95(idle), 2), "feed_median_ms": round(statistics.median(busy), 2),
              "feed_p95_ms": round(_p95(busy), 2), "seconds": round(measured, 1), "feed_said": fed[-1] if fed else ""}
    result["ratio"] = round(result["feed_median_ms"] / result["idle_median_ms"], 2)
    if fed and (sent := re.match(r"fed ([\d,]+) records", fed[-1])):
        result["feed_delivered_per_s"] = round(int(sent.group(1).replace(",", "")) / fed_seconds)
    log(f"  list page (API, server time) idle median {result['idle_median_ms']} ms; with the feed at {FEED_RATE}/s "
        f"median {result['feed_median_ms']} ms, p95 {result['feed_p95_ms']} ms ({result['ratio']}x idle); "
        f"{result['feed_said']}")
    if browser:
        result["browser_idle"], result["browser_feed"] = (bench_browser.summary(idle_clicks),
                                                          bench_browser.summary(busy_clicks))
        result["browser_idle_ms"], result["browser_feed_ms"] = ([round(t, 1) for t in idle_clicks],
                                                                [round(t, 1) for t in busy_clicks])
        log(f"  list page in Chromium, {LIST_INTERACTIONS} clicks (type tab / next page) until the caption shows it: "
            f"idle median {result['browser_idle']['median_ms']} ms, p95 {result['browser_idle']['p95_ms']} ms; with "
            f"the feed median {result['browser_feed']['median_ms']} ms, p95 {result['browser_feed']['p95_ms']} ms "
            f"(feed delivered {result.get('feed_delivered_per_s', '?')} records/s)")
    return result


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _send(client: httpx.Client, bodies: list[bytes], senders: int) -> tuple[float, int]:
    """Post the bodies from `senders` threads; returns the wall seconds and the rows inserted."""
    queue = list(reversed(bodies))
    lock, inserted, errors = threading.Lock(), [0], []

    def sender() -> None:
        while True:
            with lock:
                if not queue or errors:
                    return
                body = queue.pop()
            response = client.post("/api/v1/events", content=body)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.text[:300]}")
                return
            with lock:
                inserted[0] += response.json()["inserted"]

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"ingest post failed: {errors[0]}")
    return time.perf_counter() - began, inserted[0]


def render(result: dict, entities: str) -> list[str]:
    met = result["met"]
    return [
        f"Ingest at {entities} entities, {result['rows']:,} new entity rows:",
        f"  entities import (in process, the baseline)      {result['import_rows_per_s']:>10,} rows/s",
        f"  POST /api/v1/events, {result['batch_rows']:,}-row batches, {result['senders']} senders "
        f"{result['batched_rows_per_s']:>9,} rows/s  ({result['ratio_to_import']:.2f}x import)  target "
        f"{TARGETS['batched_rows_per_s']:,}  {'yes' if met['batched_rows_per_s'] else 'NO'}",
        f"  single-record posts, {result['single_senders']} senders          {result['single_posts_per_s']:>10,} "
        f"posts/s  target {TARGETS['single_posts_per_s']}  {'yes' if met['single_posts_per_s'] else 'NO'}  "
        f"(one sender: median {result['single_latency_median_ms']} ms a post"
        + (f"; server CPU {result['single_server_cpu_ms_per_post']} ms a post)" if "single_server_cpu_ms_per_post"
           in result else ")"),
        *(bench_trace.render(result["single_trace"]) if "single_trace" in result else []),
        "  rows/s by batch size (ratio to import): " + ", ".join(
            f"{s['batch_rows']:,} rows x {s['senders']} senders {s['rows_per_s']:,} ({s['ratio_to_import']:.3f}x)"
            for s in result["sizes"]),
        *([f"  list page (API server time, status=error in one type): idle median "
           f"{result['list_under_feed']['idle_median_ms']} ms; feed at {result['list_under_feed']['feed_rate']:,}/s: "
           f"median {result['list_under_feed']['feed_median_ms']} ms, p95 {result['list_under_feed']['feed_p95_ms']} "
           f"ms ({result['list_under_feed']['ratio']}x idle; target 2x); {result['list_under_feed']['feed_said']}"]
          if "list_under_feed" in result else []),
        *([f"  list page in Chromium, {b['browser_idle']['n']} clicks (type tab / next page) until the caption shows "
           f"it: idle median {b['browser_idle']['median_ms']} ms, p95 {b['browser_idle']['p95_ms']} ms; feed "
           f"delivering {b.get('feed_delivered_per_s', '?')} records/s: median {b['browser_feed']['median_ms']} ms, "
           f"p95 {b['browser_feed']['p95_ms']} ms (target p95 1,000 ms)  "
           f"{'yes' if b['browser_feed']['p95_ms'] <= 1000 else 'NO'}"]
          if "browser_feed" in (b := result.get("list_under_feed", {})) else []),
        f"  load average {result['load_average_start'][0]:.1f} at the start, {result['load_average_end'][0]:.1f} at "
        "the end",
    ]
