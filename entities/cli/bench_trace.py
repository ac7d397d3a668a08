"""The write-lock trace of a served copy (ENTITIES_WRITE_TRACE, entities/trace.py) summarised over a time window:
who held the write lock and for how long, which commits checkpointed the WAL, and what each ingest load spent its
time on."""
from __future__ import annotations

import json
import statistics
from collections import defaultdict
from pathlib import Path

INGEST_HOLDER = "ingest.batch._load_staged"
TOP_STATEMENTS = 8


def read(path: Path, since: float, until: float) -> list[dict]:
    """The trace lines whose span began within [since, until] (wall-clock seconds)."""
    if not path.exists():
        return []
    lines = (json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return [r for r in lines if since <= r["at"] <= until]


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else 0.0


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 1) if ordered else 0.0


def summary(records: list[dict], seconds: float) -> dict:
    """Lock holds by holder (count, total and longest hold, share of the window), checkpointing commits, and the
    ingest loads' medians: posts merged, whole load, lock wait, lock hold, commit, and the costliest statements."""
    locks = [r for r in records if r["kind"] == "lock"]
    holders: dict[str, dict] = defaultdict(lambda: {"holds": 0, "held_ms": 0.0, "longest_ms": 0.0, "waited_ms": 0.0})
    for r in locks:
        h = holders[r["holder"]]
        h["holds"] += 1
        h["held_ms"] += r["ms"]
        h["waited_ms"] += r["wait_ms"]
        h["longest_ms"] = max(h["longest_ms"], r["ms"])
    for h in holders.values():
        h["share"] = round(h["held_ms"] / 1000 / seconds, 3) if seconds else 0.0
        h["held_ms"], h["waited_ms"] = round(h["held_ms"], 1), round(h["waited_ms"], 1)
    checkpoints = [r for r in locks if r.get("wal_before") and (r.get("wal_after") or 0) < r["wal_before"]]
    loads = [r for r in records if r["kind"] == "ingest_load"]
    ingest_locks = [r for r in locks if r["holder"] == INGEST_HOLDER]
    per_statement: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for load in loads:
        summed: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for name, ms, cpu_ms in load["statements"]:
            summed[name][0] += ms
            summed[name][1] += cpu_ms
        for name, (ms, cpu_ms) in summed.items():
            per_statement[name].append((ms, cpu_ms))
    statements = sorted(((name, _median([m for m, _ in ms]), _median([c for _, c in ms]), len(ms))
                         for name, ms in per_statement.items()), key=lambda s: -s[1] * s[3])[:TOP_STATEMENTS]
    return {
        "seconds": round(seconds, 2),
        "holders": dict(sorted(holders.items(), key=lambda kv: -kv[1]["held_ms"])),
        "lock_share": round(sum(r["ms"] for r in locks) / 1000 / seconds, 3) if seconds else 0.0,
        "checkpoints": len(checkpoints),
        "checkpoint_commit_ms": [r["commit_ms"] for r in checkpoints],
        "loads": len(loads),
        # the writer's time: loading, lingering for more posts, else idle (waiting for the senders' next posts)
        "loading_share": round(sum(r["ms"] for r in loads) / 1000 / seconds, 3) if seconds else 0.0,
        "linger_share": round(sum(r["linger_ms"] for r in loads) / 1000 / seconds, 3) if seconds else 0.0,
        "posts_per_load_median": _median([r["posts"] for r in loads]),
        "load_ms_median": _median([r["ms"] for r in loads]), "load_ms_p90": _p90([r["ms"] for r in loads]),
        "linger_ms_median": _median([r["linger_ms"] for r in loads]),
        "lock_wait_ms_median": _median([r["wait_ms"] for r in ingest_locks]),
        "lock_wait_ms_p90": _p90([r["wait_ms"] for r in ingest_locks]),
        "lock_held_ms_median": _median([r["ms"] for r in ingest_locks]),
        "commit_ms_median": _median([r["commit_ms"] for r in ingest_locks if "commit_ms" in r]),
        "statements_ms_median": [[name, ms, cpu_ms, n] for name, ms, cpu_ms, n in statements],
    }


def render(s: dict) -> list[str]:
    holders = "; ".join(f"{name} {h['holds']}x {h['held_ms'] / 1000:.2f} s (longest {h['longest_ms']:.0f} ms, "
                        f"{h['share']:.0%})" for name, h in s["holders"].items())
    return [
        f"    write lock over the {s['seconds']} s window: held {s['lock_share']:.0%} of it: {holders}",
        f"    WAL checkpoints in a commit: {s['checkpoints']}"
        + (f" ({', '.join(f'{ms:.0f}' for ms in s['checkpoint_commit_ms'])} ms)" if s["checkpoints"] else ""),
        f"    the ingest writer was loading {s['loading_share']:.0%} of the window, lingering for more posts "
        f"{s['linger_share']:.0%}, idle (waiting for posts) the rest",
        f"    {s['loads']} ingest loads, median {s['posts_per_load_median']:.0f} posts a load; a load median "
        f"{s['load_ms_median']} ms (p90 {s['load_ms_p90']}): linger before it {s['linger_ms_median']} ms, lock wait "
        f"{s['lock_wait_ms_median']} (p90 {s['lock_wait_ms_p90']}), lock held {s['lock_held_ms_median']}, of which "
        f"commit {s['commit_ms_median']}",
        "    per load, median ms (this thread's CPU ms): " + ", ".join(
            f"{name} {ms} ({cpu_ms})" for name, ms, cpu_ms, _ in s["statements_ms_median"]),
    ]
