"""Where the write lock's time goes, off by default: with ENTITIES_WRITE_TRACE=FILE the app appends one JSON line
per hold of the write lock (holder, wait, hold, commit, whether the commit checkpointed the WAL, the named
statements run meanwhile) and per ingest load (posts merged, every statement), for `entities bench` to break the
single-post window down. While it is unset nothing is timed or written."""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from contextlib import contextmanager

PATH = os.environ.get("ENTITIES_WRITE_TRACE", "").strip() or None
ON = PATH is not None
_local = threading.local()
_file_lock = threading.Lock()
_SKIP = ("contextlib.py", "trace.py", f"entities{os.sep}db.py")


def statement(name: str, seconds: float, cpu_seconds: float) -> None:
    """One named statement's wall time and this thread's CPU time meanwhile (less than the wall time when the
    machine is busy or DuckDB's own threads did the work), kept by the spans open on this thread."""
    log = getattr(_local, "log", None)
    if log is not None:
        log.append((name, round(seconds * 1000, 2), round(cpu_seconds * 1000, 2)))


@contextmanager
def span(kind: str, **fields):
    """Times the block and the statements run in it on this thread, then writes one line; the caller may add
    fields to the yielded dict. Spans nest (a lock hold inside an ingest load): each line has its own statements."""
    if not ON:
        yield {}
        return
    if getattr(_local, "log", None) is None:
        _local.log = []
    start = len(_local.log)
    record = {"kind": kind, "at": time.time(), "thread": threading.current_thread().name, **fields}
    began = time.perf_counter()
    try:
        yield record
    finally:
        record["ms"] = round((time.perf_counter() - began) * 1000, 2)
        record["statements"] = _local.log[start:]
        if start == 0:
            _local.log = None
        _write(record)


def caller() -> str:
    """The function that asked for the write lock (the first frame outside the lock's own code)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.endswith(_SKIP):
        frame = frame.f_back
    if frame is None:
        return "?"
    module = frame.f_globals.get("__name__", "?").removeprefix("entities.")
    return f"{module}.{frame.f_code.co_name}"


def wal_bytes(path: str | None) -> int | None:
    """The size of the database's WAL file (None in memory or when there is none): a commit that shrinks it has
    checkpointed."""
    if not path:
        return None
    try:
        return os.path.getsize(path + ".wal")
    except OSError:
        return None


def _write(record: dict) -> None:
    line = json.dumps(record, default=str, separators=(",", ":")) + "\n"
    with _file_lock, open(PATH, "a", encoding="utf-8") as out:
        out.write(line)
