"""The bench's baselines: the same operations on pandas frames in memory and on an indexed SQLite file.

Both load the same data from the DuckDB database (via Arrow batches, payloads left out) and answer the same
semantic questions as the DuckDB engine in entities/bench.py, so results can be compared row for row.
SQLite's statements live in queries/sqlite/*.sql and are run with bound parameters only.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import time
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

import queries
from entities.model import STATUS_KEYS

SQLITE_DIR = queries.QUERY_DIR / "sqlite"
BATCH_ROWS = 200_000
AMOUNT = (r"([€$£]\s?-?\d+([ \u00a0.,]\d{3})*([.,]\d+)?|\b(SEK|EUR|NOK|DKK|USD|GBP)\s?-?\d+([ \u00a0.,]\d{3})*"
          r"([.,]\d+)?|-?\b\d+([ \u00a0.,]\d{3})*([.,]\d+)?\s?(SEK|EUR|NOK|DKK|USD|GBP|kr|:-)(\b|$|\s))")
# A port of schema/15_macro_error_group.sql for the baselines (which have no regexp_replace of their own).
GROUP_RULES = [(re.compile(p), r) for p, r in (
    (r"[\w.+-]+@[\w-]+(\.[\w-]+)+", "<email>"),
    (r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<id>"),
    (r"\b\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?", "<date>"),
    (AMOUNT, "<amount> "),
    (r"(?i)\bsku[-_]?\d[\w-]*", "<sku>"),
    (r"""(^|[^\w])('([^'<][^']*)?'|"([^"<][^"]*)?")""", r"\1'<value>'"),
    (r"\b[A-Za-z][\w-]*\d[\w-]*", "<id>"),
    (r"#\d+\b", "<number>"),
    (r"\b([1-5]\d\d) ([A-Z][a-z])", "\x01\\1 \\2"),
    (r"(^|[^\w\x01])\d+([.,]\d+)*", r"\1<number>"),
)]
_SPACES = re.compile(r"\s+")


def error_group(message: str | None) -> str | None:
    if message is None:
        return None
    for pattern, replacement in GROUP_RULES:
        message = pattern.sub(replacement, message)
    return _SPACES.sub(" ", message.replace("\x01", "")).strip()


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _day_us(since) -> int:
    return int(pd.Timestamp(since).value // 1000)


class PandasEngine:
    """The tables in memory as DataFrames: what a notebook or a pandas-backed app would do."""

    name = "pandas"

    def __init__(self, con):
        started, rss = time.perf_counter(), rss_bytes()
        entities = queries.run(con, "bench_load_entities").df()
        entities["retriever_lower"] = entities["retriever_ref"].str.lower()
        entities["storer_lower"] = entities["storer_ref"].fillna("").str.lower()
        self.entities = entities.set_index("id", drop=False).rename_axis(None).sort_index()
        transactions = queries.run(con, "bench_load_transactions").df()
        self.transactions = transactions.set_index("entity_id", drop=False).rename_axis(None)
        self.tx_entity = self.transactions["entity_id"].to_numpy()
        self.load_seconds = time.perf_counter() - started
        self.memory_bytes = int(self.entities.memory_usage(deep=True).sum()
                                + self.transactions.memory_usage(deep=True).sum())
        self.rss_growth_bytes = rss_bytes() - rss

    def _matching(self, integration, q):
        e = self.entities
        mask = e["integration_id"].to_numpy() == integration
        if q:
            ql = q.lower()
            sub = e[mask]
            hit = sub["retriever_lower"].str.contains(ql, regex=False) | sub["storer_lower"].str.contains(
                ql, regex=False)
            return sub[hit.to_numpy()]
        return e[mask]

    def breakdown(self, integration, q=None):
        found = self._matching(integration, q)
        counts = found.groupby(["type", "status"], observed=True).size()
        return [(t, s, int(n)) for (t, s), n in counts.sort_index().items()]

    def list_page(self, integration, type_, statuses, q, page, size):
        breakdown = self.breakdown(integration, q)
        wanted = set(statuses or STATUS_KEYS)
        total = sum(n for t, s, n in breakdown if t == type_ and s in wanted)
        return self.page(integration, type_, statuses, q, page, size), total

    def page(self, integration, type_, statuses, q, page, size):
        wanted = set(statuses or STATUS_KEYS)
        found = self._matching(integration, q)
        found = found[(found["type"] == type_).to_numpy() & found["status"].isin(wanted).to_numpy()]
        if q:
            ql = q.lower()
            rank = np.where((found["retriever_lower"] == ql) | (found["storer_lower"] == ql), 0, 1)
        else:
            rank = np.zeros(len(found), dtype=int)
        ordered = found.assign(match_rank=rank).sort_values(["match_rank", "last_updated", "id"],
                                                            ascending=[True, False, True])
        return ordered["id"].iloc[(page - 1) * size: page * size].tolist()

    def lookup(self, ref):
        e = self.entities
        hit = (e["retriever_ref"] == ref) | (e["storer_ref"] == ref)
        return sorted(e.loc[hit.to_numpy(), "id"].tolist())

    def history(self, entity_id, page_size, offset=0):
        lo, hi = np.searchsorted(self.tx_entity, [entity_id, entity_id + 1])
        rows = self.transactions.iloc[lo:hi]
        rows = rows.sort_values(["occurred_at", "id"], ascending=False).assign(total=hi - lo)
        return rows["id"].iloc[offset: offset + page_size].tolist()

    def trend(self, since, bucket_seconds=86400):
        e = self.entities
        found = e[(e["last_updated"] >= since).to_numpy() & (e["status"] != "pending").to_numpy()]
        bucket = found["last_us"].to_numpy() // (bucket_seconds * 1_000_000)
        frame = pd.DataFrame({"bucket_no": bucket, "integration_id": found["integration_id"].to_numpy(),
                              "type": found["type"].to_numpy(), "error": (found["status"] == "error").to_numpy()})
        grouped = frame.groupby(["bucket_no", "integration_id", "type"]).agg(records=("error", "size"),
                                                                           errors=("error", "sum"))
        return [(int(b), int(i), t, int(r), int(n)) for (b, i, t), (r, n) in grouped.iterrows()]

    def error_groups(self):
        e = self.entities
        errors = e[(e["status"] == "error").to_numpy()]
        groups = errors.assign(error_group=errors["error_message"].map(error_group))
        counted = groups.groupby(["integration_id", "type", "error_group"]).agg(
            records=("id", "size"), first_seen=("last_updated", "min"), last_seen=("last_updated", "max"))
        return len(counted.sort_values("records", ascending=False))

    def export(self, integration, type_, statuses):
        e = self.entities
        found = e[(e["integration_id"] == integration).to_numpy() & (e["type"] == type_).to_numpy()
                  & e["status"].isin(statuses or STATUS_KEYS).to_numpy()]
        found = found.sort_values(["last_updated", "id"], ascending=[False, True])
        out = found[["status", "retriever_ref", "storer_ref", "children", "last_updated", "error_code",
                     "error_message", "id"]].assign(
            last_updated=found["last_updated"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        data = out.to_csv(index=False).encode()
        return len(found), len(data)


@cache
def sqlite_sql(name: str) -> str:
    return (SQLITE_DIR / f"{name}.sql").read_text()


class SqliteEngine:
    """The same data in an SQLite file with indexes on the list filter, both references and history."""

    name = "sqlite"

    def __init__(self, con, path: Path):
        self.path = path
        meta = path.with_suffix(".json")
        self.reused = path.exists() and meta.exists()
        if self.reused:
            self.build_seconds = json.loads(meta.read_text())["build_seconds"]
        else:
            path.unlink(missing_ok=True)
            started = time.perf_counter()
            self._build(con, path)
            self.build_seconds = time.perf_counter() - started
            meta.write_text(json.dumps({"build_seconds": self.build_seconds}))
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.create_function("error_group", 1, error_group, deterministic=True)
        self.db.execute("pragma cache_size = -262144")
        self.db.execute("pragma mmap_size = 4294967296")
        self.file_bytes = path.stat().st_size

    @staticmethod
    def _build(con, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.unlink(missing_ok=True)
        db = sqlite3.connect(tmp, isolation_level=None)
        db.execute("pragma journal_mode = off")
        db.execute("pragma synchronous = off")
        db.executescript(sqlite_sql("schema"))
        for query, insert, columns in (
            ("bench_load_entities", "entity_insert", ("id", "integration_id", "type", "status", "retriever_ref",
                                                      "storer_ref", "children", "last_us", "error_code",
                                                      "error_message")),
            ("bench_load_transactions", "transaction_insert", ("id", "entity_id", "occurred_us", "operation",
                                                               "outcome", "error_code", "message", "duration_ms",
                                                               "actor", "request_chars", "response_chars")),
        ):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # the runner's cursor copies once; fine for a bench
                reader = queries.run(con, query).to_arrow_reader(BATCH_ROWS)
            text = re.sub(r"\$(\w+)", "?", sqlite_sql(insert))
            db.execute("begin")
            for batch in reader:
                db.executemany(text, zip(*(batch.column(c).to_pylist() for c in columns), strict=True))
            db.execute("commit")
        db.executescript(sqlite_sql("indexes"))
        db.close()
        tmp.replace(path)

    def _rows(self, name: str, **params):
        return self.db.execute(sqlite_sql(name), params).fetchall()

    def breakdown(self, integration, q=None):
        return [tuple(r) for r in self._rows("status_breakdown", integration=integration,
                                             q_lower=q.lower() if q else None)]

    def list_page(self, integration, type_, statuses, q, page, size):
        breakdown = self.breakdown(integration, q)
        wanted = list(statuses or STATUS_KEYS)
        total = sum(n for t, s, n in breakdown if t == type_ and s in wanted)
        return self.page(integration, type_, statuses, q, page, size), total

    def page(self, integration, type_, statuses, q, page, size):
        rows = self._rows("entity_page", integration=integration, type=type_,
                          statuses=json.dumps(list(statuses or STATUS_KEYS)), q_lower=q.lower() if q else None,
                          limit=size, offset=(page - 1) * size)
        return [r[0] for r in rows]

    def lookup(self, ref):
        return [r[0] for r in self._rows("entity_lookup", ref=ref)]

    def history(self, entity_id, page_size, offset=0):
        return [r[0] for r in self._rows("entity_history", entity_id=entity_id, page_size=page_size, offset=offset)]

    def trend(self, since, bucket_seconds=86400):
        return self._rows("error_rate", since_us=_day_us(since))

    def error_groups(self):
        return len(self._rows("error_groups"))

    def export(self, integration, type_, statuses):
        cursor = self.db.execute(sqlite_sql("export_rows"), {"integration": integration, "type": type_,
                                                             "statuses": json.dumps(list(statuses or STATUS_KEYS))})
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([d[0] for d in cursor.description])
        rows = 0
        while chunk := cursor.fetchmany(10_000):
            writer.writerows(chunk)
            rows += len(chunk)
        return rows, len(buffer.getvalue().encode())

    def retry(self, entity_id, actor="bench"):
        """The retry's three writes in one transaction, rolled back so the baseline stays pristine."""
        now_us = int(time.time() * 1_000_000)
        self.db.execute("begin immediate")
        try:
            self.db.execute(sqlite_sql("retry_mark_pending"), {"entity_id": entity_id, "now_us": now_us})
            self.db.execute(sqlite_sql("retry_transaction_insert"), {"entity_id": entity_id, "now_us": now_us,
                                                                     "actor": actor})
            self.db.execute(sqlite_sql("retry_request_insert"), {"entity_id": entity_id, "now_us": now_us,
                                                                 "actor": actor})
        finally:
            self.db.execute("rollback")
        return [entity_id]

    def close(self):
        self.db.close()
