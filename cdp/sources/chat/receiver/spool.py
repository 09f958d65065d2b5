"""A folder of received events, written so that nothing acknowledged is lost and the loader never
reads half a file.

Events go, one JSON line each, into one open file per folder, under a hidden name the loader does
not list (`.received_<UTC start>_<sequence>.jsonl.partial`). A file is completed when it reaches
its size or its age, and when the receiver stops: it is then renamed, atomically, to
`received_<UTC start>_<sequence>.jsonl`, the name the loader reads (oldest first: the names sort
by the time of their first event). The sequence number goes on from the folder's highest, so a
name is never taken twice.

One writer thread per folder takes requests from a bounded queue (a full queue is refused at
once: the caller answers 503) and commits them in groups: every request waiting when a write
starts is written with it and covered by one fsync (fdatasync), and each request is
acknowledged only after the fsync that covers its lines returned. A run killed at any moment
(`kill -9`) leaves its open file hidden; the next start keeps its complete lines, drops a torn
last line (never acknowledged: its fsync had not returned) and completes it. The folder is
locked (flock) while a receiver writes to it, so a second receiver cannot take over the file a
first one is writing.
"""

import fcntl
import os
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

FINAL_NAME = re.compile(r"^received_\d{8}T\d{6}Z_(\d+)\.jsonl$")
PARTIAL_NAME = re.compile(r"^\.received_\d{8}T\d{6}Z_(\d+)\.jsonl\.partial$")
_SCAN_CHUNK = 64 * 1024
_sync = getattr(os, "fdatasync", os.fsync)  # the data and the size; macOS has only fsync


class SpoolFull(Exception):
    """As many requests as the queue holds are waiting: refuse this one (503), do not buffer."""


class SpoolClosed(Exception):
    """The receiver is stopping: this request is not taken."""


class SpoolWriteFailed(Exception):
    """Writing or syncing failed (a full disk, a failing one): not acknowledged, never half
    kept."""


class SpoolLocked(Exception):
    """Another receiver is writing to the folder."""


@dataclass
class _Request:
    data: bytes
    events: int
    done: threading.Event = field(default_factory=threading.Event)
    failure: str | None = None


_STOP = _Request(b"", 0)


def final_name_of(partial: Path) -> Path:
    """`.received_….jsonl.partial` -> `received_….jsonl`, beside it."""
    return partial.with_name(partial.name[1:].removesuffix(".partial"))


def recover(folder: Path, log: Callable[[str], None]) -> list[Path]:
    """Complete the files a killed run left in `folder`: each keeps its complete lines (a torn
    last line, written without its newline, is cut off) and takes its final name; one with no
    complete line is removed. Returns the files completed."""
    completed = []
    for partial in sorted(folder.iterdir()):
        if not PARTIAL_NAME.match(partial.name):
            continue
        with open(partial, "r+b") as handle:
            size = os.fstat(handle.fileno()).st_size
            keep = _complete_length(handle.fileno(), size)
            if keep < size:
                handle.truncate(keep)
            os.fsync(handle.fileno())
        torn = f"; {size - keep} bytes of a torn last line dropped" if keep < size else ""
        if keep == 0:
            partial.unlink()
            log(f"removed {partial}: a stopped run left it with no complete event{torn}")
            continue
        os.rename(partial, final_name_of(partial))
        completed.append(final_name_of(partial))
        log(f"completed {final_name_of(partial)}: a stopped run left it unfinished{torn}")
    _sync_folder(folder)
    return completed


def lock_folder(folder: Path) -> int:
    """An exclusive lock on `folder` for this process (released when the descriptor closes,
    or the process dies, `kill -9` included). Raises SpoolLocked."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise SpoolLocked(f"another `cdp receive` is writing to {folder}") from None
    return descriptor


class Spool:
    """The received events of one channel: `append` from any thread, `start` and `close` from
    the one that owns it."""

    def __init__(self, folder: Path, *, rotate_bytes: int, rotate_seconds: float,
                 queue_size: int, log: Callable[[str], None]) -> None:
        self.folder = folder
        self._rotate_bytes = rotate_bytes
        self._rotate_seconds = rotate_seconds
        self._queue: queue.Queue[_Request] = queue.Queue(maxsize=queue_size)
        self._log = log
        self._accepting = threading.Lock()  # held to check `_closed` and queue: none after _STOP
        self._closed = False
        self._writer = threading.Thread(target=self._write_until_stopped,
                                        name=f"spool {folder.name}", daemon=True)
        self._lock_descriptor: int | None = None
        self._sequence = 0
        # The open file: its descriptor, path, bytes and events written, when it was opened.
        self._descriptor: int | None = None
        self._path: Path | None = None
        self._size = 0
        self._events = 0
        self._opened_at = 0.0
        self.events_written = 0

    # --- the owner's side ----------------------------------------------------------------------

    def start(self) -> list[Path]:
        """Lock the folder, complete what a killed run left, start writing. Returns the files
        completed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock_descriptor = lock_folder(self.folder)
        completed = recover(self.folder, self._log)
        self._sequence = max((int(match.group(1)) for name in os.listdir(self.folder)
                              if (match := FINAL_NAME.match(name) or PARTIAL_NAME.match(name))),
                             default=0)
        self._writer.start()
        return completed

    def close(self) -> None:
        """Take no more requests, write those queued, complete the open file, unlock."""
        with self._accepting:
            self._closed = True
        if self._writer.is_alive():
            self._queue.put(_STOP)  # blocks while the queue is full: the writer is draining it
            self._writer.join()
        if self._lock_descriptor is not None:
            os.close(self._lock_descriptor)
            self._lock_descriptor = None

    # --- the request handlers' side ------------------------------------------------------------

    def append(self, lines: list[bytes], timeout: float) -> None:
        """Write `lines` (each ending in a newline) and return once they are on disk. Raises
        SpoolFull at once when the queue is full, SpoolClosed when stopping, SpoolWriteFailed
        when the write failed or did not end within `timeout` seconds (then it may still end:
        the vendor's retry may bring the same event twice, never lose it)."""
        request = _Request(b"".join(lines), len(lines))
        with self._accepting:
            if self._closed:
                raise SpoolClosed
            try:
                self._queue.put_nowait(request)
            except queue.Full:
                raise SpoolFull from None
        if not request.done.wait(timeout):
            raise SpoolWriteFailed(f"not written within {timeout:g} s")
        if request.failure:
            raise SpoolWriteFailed(request.failure)

    # --- the writer thread ---------------------------------------------------------------------

    def _write_until_stopped(self) -> None:
        stopping = False
        while not stopping:
            try:
                first = self._queue.get(timeout=self._seconds_left())
            except queue.Empty:  # the open file reached its age
                self._complete()
                continue
            group = [first]
            while True:  # group commit: whatever else is waiting goes with it
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stopping = any(request is _STOP for request in group)
            self._commit([request for request in group if request is not _STOP])
            if stopping or self._size >= self._rotate_bytes or self._seconds_left() == 0:
                self._complete()

    def _seconds_left(self) -> float | None:
        """Until the open file is due to be completed; None with no file open."""
        if self._descriptor is None:
            return None
        return max(0.0, self._opened_at + self._rotate_seconds - time.monotonic())

    def _commit(self, group: list[_Request]) -> None:
        if not group:
            return
        data = b"".join(request.data for request in group)
        before = self._size
        try:
            if self._descriptor is None:
                self._open()
            view = memoryview(data)
            while view:
                view = view[os.write(self._descriptor, view):]
            _sync(self._descriptor)
        except OSError as error:
            failure = f"cannot write {self._path or self.folder}: {error.strerror or error}"
            self._log(f"{failure}; {len(group)} requests refused (503), their vendor retries")
            self._set_aside_after_failure(before)
            for request in group:
                request.failure = failure
        else:
            self._size += len(data)
            events = sum(request.events for request in group)
            self._events += events
            self.events_written += events
        for request in group:
            request.done.set()

    def _open(self) -> None:
        self._sequence += 1
        started = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = self.folder / f".received_{started}_{self._sequence:06d}.jsonl.partial"
        self._path = path
        self._descriptor = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o640)
        _sync_folder(self.folder)  # the new name survives a crash along with what it holds
        self._size = self._events = 0
        self._opened_at = time.monotonic()

    def _complete(self) -> None:
        """The open file, whole and synced, takes its final name."""
        if self._descriptor is None or self._path is None:
            return
        path, final = self._path, final_name_of(self._path)
        os.close(self._descriptor)
        self._descriptor, self._path = None, None
        try:
            os.rename(path, final)
            _sync_folder(self.folder)
        except OSError as error:
            self._log(f"{path} left as it is ({error.strerror or error}): the next start "
                      "completes it")
            return
        self._log(f"completed {final}: {self._events} events")

    def _set_aside_after_failure(self, good_size: int) -> None:
        """After a failed write or sync, cut the open file back to what was acknowledged and
        complete it (or remove it, empty); the next request opens a new one. If even that
        fails, the file stays hidden and the next start completes it."""
        if self._descriptor is None or self._path is None:
            return
        descriptor, path, events = self._descriptor, self._path, self._events
        self._descriptor, self._path = None, None
        try:
            try:
                os.ftruncate(descriptor, good_size)
                _sync(descriptor)
            finally:
                os.close(descriptor)
            if good_size:
                os.rename(path, final_name_of(path))
                self._log(f"completed {final_name_of(path)}: {events} events")
            else:
                path.unlink()
            _sync_folder(self.folder)
        except OSError as error:
            self._log(f"{path} left as it is ({error.strerror or error}): the next start "
                      "completes it")


def _complete_length(descriptor: int, size: int) -> int:
    """The length of the file's complete lines: up to and including its last newline."""
    end = size
    while end > 0:
        start = max(0, end - _SCAN_CHUNK)
        chunk = os.pread(descriptor, end - start, start)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        end = start
    return 0


def _sync_folder(folder: Path) -> None:
    """fsync a folder: a created or renamed name in it is on disk."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
