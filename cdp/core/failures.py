"""Failures the machine causes, not the data — a read-only folder, a full disk, a damaged
warehouse file — said in one line that names the cause, the path and what to do. Used by the
`cdp` command before a run (a preflight that costs milliseconds) and on any error that reaches
it, and by the run's own step failures. No import of Dagster or dbt: it runs before them."""

import errno
import os
import re
import shutil
from pathlib import Path

import duckdb

# Below this much free space a run cannot even start its log and lock files (the run itself
# needs about the warehouse's size again: see `disk_full`).
_MIN_FREE_BYTES = 64 * 1024 * 1024


class MachineProblem(Exception):
    """A problem of the machine the run cannot work around; the message is the one line."""


def preflight(warehouse: Path) -> None:
    """Before a run takes the lock: the warehouse's folder is writable and not full, and the
    warehouse file, if any, opens. Raises MachineProblem."""
    folder = warehouse.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # One name per process: two runs started at once each remove only their own probe.
        probe = folder / f".{warehouse.name}.write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        # Name the warehouse, not the probe: the probe is ours, the user knows the warehouse.
        if error.filename and Path(error.filename).name.startswith(f".{warehouse.name}.write-test"):
            error.filename = str(warehouse)
        raise MachineProblem(one_line(error, warehouse)) from None
    free = shutil.disk_usage(folder).free
    if free < _MIN_FREE_BYTES:
        raise MachineProblem(disk_full(warehouse, free))
    if warehouse.exists():
        try:
            with duckdb.connect(str(warehouse), read_only=True) as connection:
                connection.execute("select count(*) from information_schema.tables").fetchone()
        except duckdb.Error as error:
            if _is_lock_conflict(str(error)):
                return  # another process has it open: the warehouse lock says who
            raise MachineProblem(damaged(warehouse, str(error))) from None


def one_line(error: BaseException, warehouse: Path | None = None) -> str:
    """The one line for an error whose cause is the machine, else its own message, first line
    only."""
    text = " ".join(str(error).split()) or type(error).__name__
    path = Path(getattr(error, "filename", None) or warehouse or ".")
    number = getattr(error, "errno", None)
    if number == errno.ENOSPC or re.search(r"no space left|disk is full|could not write all",
                                           text, re.IGNORECASE):
        return disk_full(path, _free_bytes(path))
    if number in (errno.EROFS, errno.EACCES, errno.EPERM) or re.search(
            r"read-only file system|permission denied", text, re.IGNORECASE):
        reason = "the file system is read-only" if (
            number == errno.EROFS or "read-only" in text.lower()) else "permission denied"
        return (f"error: cannot write {path} ({reason}): give the user running cdp write "
                f"access to {path.parent if path.suffix else path}, or point --warehouse at a "
                "writable folder. Nothing was published.")
    if warehouse is not None and _is_damage(text):
        return damaged(warehouse, text)
    return f"error: {text}"


def machine_cause(message: str) -> str | None:
    """For a step's error message: the one line when the machine is the cause (a full disk, a
    read-only or forbidden path, a damaged DuckDB file), naming the path the message names;
    None otherwise."""
    quoted = re.search(r"""["']?(/[^"'\s:]+)""", message)
    path = Path(quoted.group(1)) if quoted else Path(".")
    if re.search(r"no space left|disk is full|could not write all", message, re.IGNORECASE):
        return disk_full(path, _free_bytes(path))
    if re.search(r"read-only file system|permission denied", message, re.IGNORECASE):
        return one_line(OSError(errno.EROFS if "read-only" in message.lower() else errno.EACCES,
                                message, str(path)))
    if _is_damage(message) and path.suffix == ".duckdb":
        return damaged(path, message)
    return None


def disk_full(path: Path, free: int) -> str:
    warehouse_size = path.stat().st_size if path.is_file() else 0
    need = (f"; a night needs about the warehouse's size again ({_size(warehouse_size)})"
            if warehouse_size else "")
    return (f"error: the disk holding {path.parent if path.suffix else path} is full "
            f"({_size(free)} free{need}): free some space, then run again. Nothing was "
            "published; the previous version stays in place.")


def damaged(warehouse: Path, detail: str) -> str:
    # The path is named once, before: DuckDB's message repeats it (long under a deep folder).
    detail = re.sub(r"""["']?/[^"'\s]*["']?\s*""", "", detail).replace("  ", " ")
    return (f"error: the warehouse file {warehouse} is damaged ({detail[:200]}). Move it "
            "aside and run again to rebuild it from the raw exports (every export file is "
            "loaded again; the privacy store and suppression list are kept), or restore it "
            "from a backup. BI keeps reading the last published version meanwhile.")


def _is_damage(text: str) -> bool:
    return bool(re.search(r"not a valid duckdb database|corrupt|checksum|invalid magic|"
                          r"could not read enough bytes|truncated|serialization error", text,
                          re.IGNORECASE))


def _is_lock_conflict(text: str) -> bool:
    return "lock" in text.lower() and "conflicting" in text.lower()


def _free_bytes(path: Path) -> int:
    for candidate in (path, *path.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return 0


def _size(count: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1024
    return f"{count:,.1f} TB"
