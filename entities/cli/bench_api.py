"""The bench's read-API half: the list page and one entity through real HTTP against `entities serve`, timed by the
server itself (its Server-Timing header: from the request's arrival to the start of the response, token check
included) and by the client (wall time of the whole request over a kept-alive connection).

Serves a copy of the bench database with the worker off, after creating a read token on it.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

import queries
from entities import db, identity
from entities.cli.bench_browser import _wait_healthy, free_port, stop_process
from entities.web import tokens

WARMUP = 3
SAMPLES = 400


# key, label, target ms (server time)
OPERATIONS = (
    ("api_list_selective", "API list page: status=error in one type", 50),
    ("api_list_broad", "API list page: all statuses, biggest type, pages 1-10", 50),
    ("api_list_search", "API list page: exact reference search", 50),
    ("api_entity", "API entity: record, children, 25 transactions with payloads", 20),
)
# The in-process operation of the main bench each is compared with (same run, same machine load).
IN_PROCESS = {"api_list_selective": "list_selective", "api_list_broad": "list_broad",
              "api_list_search": "search_retriever", "api_entity": "history"}


def compare(result: dict, scale: dict | None) -> None:
    """Adds to each API operation the median of its in-process counterpart at the same scale and the ratio."""
    for key, entry in result["operations"].items():
        inner = (scale or {}).get("operations", {}).get(IN_PROCESS[key], {}).get("duckdb")
        if inner and inner["median_ms"]:
            entry["in_process"] = {"operation": IN_PROCESS[key], "median_ms": inner["median_ms"],
                                   "ratio": round(entry["server_median_ms"] / inner["median_ms"], 2)}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _plan(con, seed: int) -> dict:
    flows = queries.records(con, "bench_flow_counts")
    return {"samples": queries.records(con, "bench_samples", n=SAMPLES, seed=seed),
            "error_flows": [(f["integration_id"], f["type"]) for f in flows if f["errors"]],
            "biggest": (flows[0]["integration_id"], flows[0]["type"])}


def _request(plan: dict, key: str, i: int) -> tuple[str, dict]:
    sample = plan["samples"][(i * 7) % len(plan["samples"])]
    if key == "api_list_selective":
        integration, type_ = plan["error_flows"][i % len(plan["error_flows"])]
        return "/api/v1/entities", {"integration": integration, "type": type_, "status": "error"}
    if key == "api_list_broad":
        integration, type_ = plan["biggest"]
        return "/api/v1/entities", {"integration": integration, "type": type_, "page": 1 + i % 10}
    if key == "api_list_search":
        return "/api/v1/entities", {"integration": sample["integration_id"], "type": sample["type"],
                                    "q": sample["retriever_ref"]}
    return f"/api/v1/entities/{sample['id']}", {}


def measure(source: Path, runs: int, seed: int, log=print) -> dict:
    path = source.with_name(source.stem + "-api.duckdb")
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    shutil.copyfile(source, path)
    try:
        return _measure(path, runs, seed, log)
    finally:
        for leftover in (path, path.with_name(path.name + ".wal"), *path.parent.glob(path.name + ".v*.bak")):
            leftover.unlink(missing_ok=True)


def _measure(path: Path, runs: int, seed: int, log) -> dict:
    con = db.connect(path)
    try:
        plan = _plan(con, seed)
        token = tokens.create(con, identity.CLI, "bench", ["read"])["token"]
    finally:
        con.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = path.with_suffix(".serve.log")
    cmd = [sys.executable, "-m", "entities.cli", "serve", "--db", str(path), "--server.port", str(port),
           "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, env=dict(os.environ, ENTITIES_WORKER="off"), stdout=log_path.open("w"),
                            stderr=subprocess.STDOUT)
    result: dict = {"operations": {}}
    try:
        _wait_healthy(url, proc, log_path)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            for key, label, target in OPERATIONS:
                server, wall = [], []
                for i in range(-WARMUP, runs):
                    target_path, params = _request(plan, key, runs - i if i < 0 else i)  # warm-up: other params
                    began = time.perf_counter()
                    response = client.get(target_path, params=params)
                    elapsed = (time.perf_counter() - began) * 1000
                    if response.status_code != 200:
                        raise RuntimeError(f"{target_path} {params}: {response.status_code} {response.text[:300]}")
                    if i >= 0:
                        server.append(float(response.headers["server-timing"].removeprefix("app;dur=")))
                        wall.append(elapsed)
                entry = {"label": label, "target_ms": target, "server_median_ms": round(statistics.median(server), 2),
                         "server_p95_ms": round(_percentile(server, 0.95), 2),
                         "wall_median_ms": round(statistics.median(wall), 2), "runs": len(server)}
                entry["met"] = entry["server_median_ms"] <= target
                result["operations"][key] = entry
                log(f"  {key:<19} server {entry['server_median_ms']:8.2f} ms (p95 {entry['server_p95_ms']:.2f})"
                    f"  wall {entry['wall_median_ms']:8.2f} ms")
    finally:
        stop_process(proc)
    return result


def render(result: dict, entities: str) -> list[str]:
    lines = [f"Read API at {entities} entities over HTTP (median server time from Server-Timing; wall = client):"]
    for e in result["operations"].values():
        lines.append(f"  {e['label']:<62} target {e['target_ms']:>4} ms  server {e['server_median_ms']:7.2f} ms "
                     f"(p95 {e['server_p95_ms']:.2f})  wall {e['wall_median_ms']:7.2f} ms  "
                     + ("yes" if e["met"] else "NO")
                     + (f"  ({e['in_process']['ratio']:.1f}× in-process {e['in_process']['operation']} "
                        f"{e['in_process']['median_ms']:.2f} ms)" if "in_process" in e else ""))
    return lines
