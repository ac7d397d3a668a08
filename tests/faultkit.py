"""Real faults for tests: a small tmpfs to fill, a folder an unprivileged user cannot write, a damaged block,
and the `entities` command run in a subprocess (as that user when asked)."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    """A real filesystem of `size` at path (unmounted afterwards); skipped where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=1777", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); run as root for the full-disk tests")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(folder: Path) -> Path:
    """Write a file until the filesystem is full; remove it to free the space again."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        for chunk in (1 << 20, 1 << 12, 1 << 9):
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * chunk)
    return filler


@contextlib.contextmanager
def shared_folder():
    """A folder under /tmp that other users can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="entities-faults-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            with contextlib.suppress(OSError):
                path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(folder, ignore_errors=True)


def nobody_can_run() -> None:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run a command as 'nobody' (without the capabilities root has)")


def entities(*args: str, env: dict | None = None, nobody: bool = False, timeout: float = 300,
             **popen) -> subprocess.CompletedProcess:
    cmd = [*(AS_NOBODY if nobody else []), sys.executable, "-m", "entities.cli", *map(str, args)]
    full_env = dict(os.environ, HOME="/tmp", **(env or {}))
    return subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout, **popen)


def python_as_nobody(code: str, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*AS_NOBODY, sys.executable, "-c", code, *map(str, args)], cwd=ROOT,
                          env=dict(os.environ, HOME="/tmp"), capture_output=True, text=True, timeout=120, **kw)


def one_line_error(result: subprocess.CompletedProcess, command: str) -> str:
    """The command's one error line; fails on a traceback or on more than one line about the failure."""
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"entities {command}:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def damage(path: Path, at: float = 0.5) -> int:
    """Overwrite 4 KiB at `at` of the file with garbage, as a failing disk would; returns the offset."""
    offset = int(path.stat().st_size * at) // 4096 * 4096
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(os.urandom(4096))
    return offset


def counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608 - names from this tuple
                for t in ("entities", "transactions", "children", "retry_requests")}
    finally:
        con.close()


def entities_jsonl(path: Path, n: int, prefix: str = "K-") -> Path:
    """n valid order entities (error TIMEOUT) as JSON lines, written by DuckDB (fast at any size)."""
    duckdb.execute(
        "copy (select 1 as integration_id, 'order' as type, 'error' as status, $prefix || i as retriever_ref, "
        "null as storer_ref, 1 as children, '2026-11-20T08:00:00Z' as created_at, "
        "'2026-11-20T08:05:00Z' as last_updated, 'TIMEOUT' as error_code, repeat('x', 200) as error_message "
        "from range($n) t(i)) to '" + str(path).replace("'", "''") + "' (format json)",
        {"prefix": prefix, "n": n})
    return path
