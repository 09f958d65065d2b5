"""One writer at a time per warehouse: a lock file beside it, held while a run writes.

DuckDB itself refuses a second writing process, but only at the moment both open the file: two
runs that take turns opening it interleave their loads and builds (and on a fresh warehouse both
create the raw tables and load every row twice). The lock spans the whole run instead.

The lock is an OS lock (`flock`) on `<warehouse>.lock`, so it dies with its holder: a run killed
with `kill -9` leaves the file behind but not the lock, and the next run takes over, saying so.
The file holds the holder's pid, command and start time for the message a waiting run prints.
"""

import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


class WarehouseLocked(Exception):
    """Another process holds the warehouse; the message names it."""


@dataclass
class _Held:
    handle: object
    depth: int


# Locks this process holds, by lock path: a run that already holds the lock (cdp run around
# its Dagster job) re-enters it from its steps instead of waiting on itself.
_HELD: dict[str, _Held] = {}
_GUARD = threading.Lock()


def lock_path(warehouse: Path) -> Path:
    warehouse = warehouse.resolve()
    return warehouse.with_name(warehouse.name + ".lock")


def holder_of(warehouse: Path) -> dict | None:
    """What the lock file says about its last holder (pid, command, since), if anything."""
    try:
        return json.loads(lock_path(warehouse).read_text() or "null")
    except (OSError, ValueError):
        return None


@contextmanager
def warehouse_lock(warehouse: Path, purpose: str, wait_seconds: float = 0,
                   poll_seconds: float = 1.0) -> Iterator[str | None]:
    """Hold the warehouse's lock for the block. Waits up to `wait_seconds` for another holder,
    then raises WarehouseLocked. Yields a note when a stale lock (its holder died) was taken
    over, else None."""
    path = lock_path(warehouse)
    key = str(path)
    with _GUARD:
        held = _HELD.get(key)
        if held:
            held.depth += 1
    if held:
        try:
            yield None
        finally:
            with _GUARD:
                held.depth -= 1
        return

    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held for the block, closed below
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(_locked_message(warehouse)) from None
                time.sleep(poll_seconds)
        previous = holder_of(warehouse)
        note = None
        if previous and previous.get("pid") and not previous.get("released"):
            note = (f"took over a stale lock on {warehouse.name}: its holder (pid "
                    f"{previous['pid']}, {previous.get('purpose', '?')}) ended without "
                    "releasing it")
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(), "purpose": purpose,
            "command": " ".join(sys.argv[:3]), "since": datetime.now(UTC).isoformat(
                timespec="seconds"),
        }))
        handle.flush()
        with _GUARD:
            _HELD[key] = _Held(handle, 1)
        try:
            yield note
        finally:
            with _GUARD:
                del _HELD[key]
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"released": True, "pid": os.getpid()}))
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _locked_message(warehouse: Path) -> str:
    holder = holder_of(warehouse) or {}
    who = f"pid {holder['pid']}" if holder.get("pid") else "another process"
    if holder.get("host") and holder.get("host") != socket.gethostname():
        who += f" on {holder['host']}"
    what = f" ({holder['purpose']}, since {holder.get('since', '?')})" if holder.get(
        "purpose") else ""
    return (f"warehouse {warehouse} is in use by {who}{what}; try again when it ends "
            f"(lock file {lock_path(warehouse)})")
