"""`entities bench --sessions N`: N concurrent sessions against one served app, each acting every few seconds.

The clients speak Streamlit's own websocket protocol (/_stcore/stream: BackMsg out, ForwardMsg in, the protobufs
of the installed streamlit package), one asyncio task per session in this bench process, so no browser's CPU
competes with the server on a 2-core machine. An action is what the browser sends when the URL state changes: a
rerun of a page with a query string (a filter change, a page change, a detail open, an overview load); its latency
runs from sending the rerun to the server's script_finished. An error is an exception element, a page-not-found,
a script that did not finish successfully, a closed socket or no answer within TIMEOUT_S.

The server's CPU and RSS are read from /proc for the server process alone; this process's own CPU (the clients)
is reported beside it.
"""
from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import queries
from entities import db
from entities.cli.bench_browser import _wait_healthy, cpu_seconds, free_port, memory, stop_process

INTERVAL_S = 5.0
TIMEOUT_S = 60.0
DURATION_S = 120.0
SOLO_S = 30.0
# (kind, weight): the mix an ops lead's session produces.
MIX = (("filter", 4), ("page", 3), ("detail", 2), ("overview", 1))


def _plan(path: Path, seed: int) -> dict:
    con = db.connect(path, read_only=True)
    try:
        flows = queries.records(con, "bench_flow_counts")
        samples = queries.records(con, "bench_samples", n=200, seed=seed)
    finally:
        con.close()
    return {"flows": [(f["integration_id"], f["type"]) for f in flows], "ids": [s["id"] for s in samples]}


def _action(kind: str, plan: dict, rng: random.Random) -> tuple[str, str]:
    """(page_name, query string) of one action."""
    integration, type_ = rng.choice(plan["flows"])
    if kind == "filter":
        status = rng.choice(["error", "pending", "synced", "error,pending", ""])
        return "", f"integration={integration}&type={type_}" + (f"&status={status}" if status else "")
    if kind == "page":
        return "", f"integration={integration}&type={type_}&page={rng.randint(2, 6)}"
    if kind == "detail":
        return "entity", f"id={rng.choice(plan['ids'])}"
    return "overview", f"integration={integration}"


class Session:
    def __init__(self, url: str, index: int, plan: dict, seed: int, spread: bool = True):
        self.url, self.index, self.plan, self.spread = url, index, plan, spread
        self.rng = random.Random(seed * 1000 + index)
        self.latencies: list[tuple[str, float]] = []
        self.errors: list[str] = []

    async def run(self, until: float) -> None:
        import websockets
        from streamlit.proto.BackMsg_pb2 import BackMsg

        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        try:
            async with websockets.connect(ws_url, subprotocols=["streamlit"], origin=self.url,
                                          max_size=None, open_timeout=TIMEOUT_S) as ws:
                # Spread the sessions' first actions over one interval, as real users do not click in step.
                await asyncio.sleep(self.rng.uniform(0, INTERVAL_S) if self.spread else 0)
                kinds = [k for k, w in MIX for _ in range(w)]
                first = True
                while time.monotonic() < until:
                    started = time.monotonic()
                    kind = "list" if first else self.rng.choice(kinds)
                    page, query = _action("filter" if first else kind, self.plan, self.rng)
                    first = False
                    msg = BackMsg()
                    msg.rerun_script.query_string = query
                    msg.rerun_script.page_name = page
                    msg.rerun_script.context_info.timezone = "UTC"
                    msg.rerun_script.context_info.locale = "en-US"
                    await ws.send(msg.SerializeToString())
                    problem = await self._finished(ws)
                    elapsed = time.monotonic() - started
                    if problem:
                        self.errors.append(f"{kind} {page or 'list'}?{query}: {problem}")
                    else:
                        self.latencies.append((kind, elapsed))
                    await asyncio.sleep(max(0.0, INTERVAL_S - elapsed))
        except Exception as exc:  # noqa: BLE001 - a session that breaks is an error of the run, not of the bench
            self.errors.append(f"session {self.index}: {type(exc).__name__}: {exc}")

    async def _finished(self, ws) -> str | None:
        """Read ForwardMsgs until this run's script_finished; the problem seen on the way, if any."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        problem = None
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return f"no answer within {TIMEOUT_S:.0f} s"
            try:
                raw = await asyncio.wait_for(ws.recv(), left)
            except TimeoutError:
                return f"no answer within {TIMEOUT_S:.0f} s"
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                if element.WhichOneof("type") == "exception":
                    problem = problem or f"exception {element.exception.type}: {element.exception.message[:200]}"
            elif kind == "page_not_found":
                problem = problem or "page not found"
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if msg.script_finished not in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                               ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    problem = problem or f"script finished with status {msg.script_finished}"
                return problem


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def _drive(url: str, plan: dict, sessions: int, duration: float, seed: int, proc, samples: list) -> list:
    clients = [Session(url, i, plan, seed, spread=sessions > 1) for i in range(sessions)]
    until = time.monotonic() + duration

    async def watch():
        while time.monotonic() < until:
            samples.append(memory(proc.pid)["VmRSS"])
            await asyncio.sleep(1)

    await asyncio.gather(watch(), *(c.run(until) for c in clients))
    return clients


def measure(source: Path, sessions: int, duration: float = DURATION_S, seed: int = 42, log=print) -> dict:
    """Serve a copy of source and drive `sessions` protocol-level sessions for `duration` seconds."""
    work = Path(tempfile.mkdtemp(prefix="bench-sessions-"))
    path = work / "served.duckdb"
    shutil.copyfile(source, path)
    plan = _plan(path, seed)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The daily prune's first run on a demo database deletes a backlog for minutes: a one-off, measured by the
    # retention step, not what a session waits for on a running server.
    env = dict(os.environ, ENTITIES_DB=str(path), ENTITIES_PRUNE="off")
    log_path = work / "app.log"
    proc = subprocess.Popen([sys.executable, "-m", "entities.cli", "serve", "--db", str(path), "--server.port",
                             str(port), "--server.fileWatcherType", "none"], env=env, stdout=log_path.open("w"),
                            stderr=subprocess.STDOUT)
    try:
        _wait_healthy(url, proc, log_path)
        # One session first, alone: imports and connection caches warm up as on any server's first visitor.
        asyncio.run(_drive(url, plan, 1, 0.1, seed + 1, proc, []))
        # The same mix from one session alone, in the same run: what concurrency adds on this machine today.
        alone_cpu = cpu_seconds(proc.pid)
        alone = asyncio.run(_drive(url, plan, 1, min(duration, SOLO_S), seed + 2, proc, []))[0]
        alone_cpu = cpu_seconds(proc.pid) - alone_cpu
        solo = [seconds for _, seconds in alone.latencies]
        log(f"  sessions: {sessions} sessions for {duration:.0f} s, one action each every {INTERVAL_S:.0f} s")
        rss: list[int] = []
        load_before = os.getloadavg()
        server_cpu, own_cpu, wall = cpu_seconds(proc.pid), time.process_time(), time.monotonic()
        clients = asyncio.run(_drive(url, plan, sessions, duration, seed, proc, rss))
        wall = time.monotonic() - wall
        server_cpu = cpu_seconds(proc.pid) - server_cpu
        own_cpu = time.process_time() - own_cpu
        load_after = os.getloadavg()
        peak = memory(proc.pid)["VmHWM"]
    finally:
        stop_process(proc)
        shutil.rmtree(work, ignore_errors=True)
    latencies = [s for c in clients for _, s in c.latencies]
    by_kind: dict[str, list[float]] = {}
    for c in clients:
        for kind, seconds in c.latencies:
            by_kind.setdefault(kind, []).append(seconds)
    errors = [e for c in clients for e in c.errors]
    result = {
        "sessions": sessions, "duration_s": round(wall, 1), "interval_s": INTERVAL_S, "client": "websocket protocol",
        "actions": len(latencies), "errors": len(errors), "error_examples": errors[:5],
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "by_kind": {k: {"n": len(v), "p50_ms": round(statistics.median(v) * 1000, 1),
                        "p95_ms": round(_percentile(v, 0.95) * 1000, 1)} for k, v in sorted(by_kind.items())},
        "solo_actions": len(solo), "solo_errors": len(alone.errors),
        "solo_p50_ms": round(statistics.median(solo) * 1000, 1) if solo else None,
        "solo_cpu_per_action_s": round(alone_cpu / len(solo), 3) if solo else None,
        "server_cpu_per_action_s": round(server_cpu / len(latencies), 3) if latencies else None,
        "server_cpu_s": round(server_cpu, 2), "server_cpu_share": round(server_cpu / wall, 3),
        "client_cpu_s": round(own_cpu, 2), "rss_median_bytes": int(statistics.median(rss)) if rss else None,
        "rss_peak_bytes": peak, "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }
    log(f"  sessions: {result['actions']} actions, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"{result['errors']} errors; server CPU {result['server_cpu_share'] * 100:.0f} % of a core, "
        f"peak RSS {peak / 2**20:,.0f} MiB")
    return result


def render(r: dict, scale: str) -> list[str]:
    lines = [f"Concurrent sessions at {scale} entities ({r['client']} clients, not browsers): {r['sessions']} "
             f"sessions, one action each every {r['interval_s']:.0f} s for {r['duration_s']:.0f} s: "
             f"{r['actions']} actions, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms (target ≤ 2000), max "
             f"{r['max_ms']} ms, {r['errors']} errors (target 0)",
             f"  one session alone, same run: {r['solo_actions']} actions, p50 {r['solo_p50_ms']} ms, "
             f"{r['solo_cpu_per_action_s']} server CPU-s per action, {r['solo_errors']} errors",
             f"  server process: {r['server_cpu_s']:.1f} CPU-s = {r['server_cpu_share'] * 100:.0f} % of one core, "
             f"{r['server_cpu_per_action_s']} CPU-s per action; "
             f"RSS median {(r['rss_median_bytes'] or 0) / 2**20:,.0f} MiB, peak {r['rss_peak_bytes'] / 2**20:,.0f} "
             f"MiB (target ≤ 1536); clients (this process) {r['client_cpu_s']:.1f} CPU-s; load average "
             f"{r['load_average_before'][0]:.1f} before, {r['load_average_after'][0]:.1f} after"]
    for kind, v in r["by_kind"].items():
        lines.append(f"  {kind:<9} n={v['n']:<4} p50 {v['p50_ms']:>8.1f} ms  p95 {v['p95_ms']:>8.1f} ms")
    lines += [f"  error: {e}" for e in r["error_examples"]]
    return lines
