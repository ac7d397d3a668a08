"""The filesystem under the database and TMPDIR: which one is full or read-only, a write probe, stale temp folders.

Kept apart from db.py because the CLI commands (import, demo, backup) meet the same faults on their own files.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

PROBE_BYTES = 1 << 20  # a commit or checkpoint needs a few 256 KiB blocks; a probe this size fails first
_QUOTED_PATH = re.compile(r'"(/[^"]+)"')
WRITE_ERRNOS = {errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "read-only", errno.EACCES: "not writable",
                errno.EPERM: "not writable"}


def mount_of(path: str | os.PathLike) -> Path:
    """The mount point of the filesystem holding path (or of its nearest existing parent)."""
    here = Path(os.path.abspath(path))
    while not here.exists() and here != here.parent:
        here = here.parent
    while not os.path.ismount(here) and here != here.parent:
        here = here.parent
    return here


def free_text(path: str | os.PathLike) -> str:
    try:
        free = shutil.disk_usage(mount_of(path)).free
    except OSError:
        return "free space unknown"
    return f"{free / 2**20:,.1f} MB free"


def filesystem_name(path: str | os.PathLike, db_file: str | os.PathLike | None = None) -> str:
    """'the filesystem at /data (holding the database)' or '... (TMPDIR /tmp)': the one a user has to free."""
    mount = mount_of(path)
    roles = []
    if db_file is not None and mount_of(db_file) == mount:
        roles.append("the database")
    tmp = tempfile.gettempdir()
    if mount_of(tmp) == mount and Path(os.path.abspath(path)).is_relative_to(tmp):
        roles.append(f"TMPDIR {tmp}")
    held = f" (holding {' and '.join(roles)})" if roles else ""
    return f"the filesystem at {mount}{held}"


def path_in(text: str) -> str | None:
    """The first absolute path quoted in an error text (DuckDB quotes the file it failed on)."""
    match = _QUOTED_PATH.search(text)
    return match.group(1) if match else None


def kind_of(text: str, err: int | None = None) -> str | None:
    """'full', 'read-only' or 'not writable' when an error text or errno means the filesystem refused a write."""
    if err in WRITE_ERRNOS:
        return WRITE_ERRNOS[err]
    if "No space left on device" in text or "Disk quota exceeded" in text:
        return "full"
    if "Read-only file system" in text:
        return "read-only"
    if "Permission denied" in text:
        return "not writable"
    return None


def problem_text(kind: str, path: str | os.PathLike, db_file: str | os.PathLike | None = None) -> str:
    """One line naming what refused the write, e.g. 'No space left on the filesystem at /data (…, 0.0 MB free)'."""
    where = filesystem_name(path, db_file)
    if kind == "full":
        return f"No space left on {where}, {free_text(path)}"
    if kind == "read-only":
        return f"{where[0].upper()}{where[1:]} is mounted read-only"
    return f"No permission to write {path}"


def write_probe(db_file: str | os.PathLike) -> tuple[str, str] | None:
    """(kind, text) when the database's file or folder cannot take a write now, else None.

    Writes and fsyncs PROBE_BYTES beside the file: cheaper than a failed commit, and it never touches the database.
    """
    db_file = Path(db_file)
    if db_file.exists() and not os.access(db_file, os.W_OK):
        return "not writable", f"The database file is read-only for this user ({_owner_mode(db_file)})"
    if not os.access(db_file.parent, os.W_OK):
        return "not writable", (f"The folder {db_file.parent} is read-only for this user "
                                f"({_owner_mode(db_file.parent)}): DuckDB needs to write its journal (.wal) there")
    probe = db_file.with_name(f".{db_file.name}.probe-{os.getpid()}")
    try:
        with open(probe, "wb") as f:
            f.write(b"\0" * PROBE_BYTES)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        kind = kind_of(str(exc), exc.errno) or "not writable"
        return kind, problem_text(kind, db_file, db_file)
    finally:
        try:
            probe.unlink()
        except OSError:
            pass
    return None


def _owner_mode(path: Path) -> str:
    st = path.stat()
    return f"mode {st.st_mode & 0o777:o}, owner uid {st.st_uid}, this process uid {os.getuid()}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def staging_dir(prefix: str) -> tempfile.TemporaryDirectory:
    """A temp folder named with this process's id, so a later run can tell a killed run's leftovers (see below)."""
    return tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-")


def remove_stale(prefix: str) -> tuple[int, int]:
    """Remove TMPDIR/<prefix><pid>-* folders whose process is gone; returns (folders, bytes) removed."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)-")
    removed = size = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        match = pattern.match(folder.name)
        if not match or not folder.is_dir() or pid_alive(int(match.group(1))):
            continue
        size += sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed, size
