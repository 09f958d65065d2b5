"""The receiver's HTTP side: the endpoints, what each answers, back-pressure and a clean stop.

- `POST /webhooks/zalo`: a Zalo OA event, kept whole as one line in `<exports>/chat/zalo/`;
- `POST /webhooks/messenger`: a Page's delivery, each of its `messaging` objects one line in
  `<exports>/chat/messenger/`; `GET /webhooks/messenger`: Meta's check of the callback URL;
- `GET /healthz`: 200 while the receiver runs.

A request is answered 200 only once its lines are on disk (`spool`); anything else is answered
with an error the vendor retries on (Zalo and Meta retry every non-200), so a refused event comes
again and an accepted one is kept. 401: a missing or wrong signature (nothing is written); 404: an
endpoint whose secret is not set; 413: a body over 1 MB; 503: the writer's queue is full, too
many connections are open, or the receiver is stopping. Memory is bounded by the queue, the body
limit and the connection limit, never by how fast events come.

Logs say counts, paths and causes only: never a message, a phone, a person's id or a query
string (Meta's check carries the verify token in it), so there is no access log.
"""

import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cdp.errors import CdpError, ExitCode
from cdp.settings import ReceiverSettings
from cdp.sources.chat.receiver.signatures import (
    MESSENGER_HEADER,
    ZALO_HEADER,
    messenger_challenge,
    verified_zalo_event,
    verify_messenger,
)
from cdp.sources.chat.receiver.spool import (
    Spool,
    SpoolClosed,
    SpoolFull,
    SpoolLocked,
    SpoolWriteFailed,
    lock_folder,
    recover,
)

ZALO_PATH = "/webhooks/zalo"
MESSENGER_PATH = "/webhooks/messenger"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024 * 1024  # Zalo's and Meta's events are a few kilobytes
DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES  # a longer body is refused without being read
ACK_TIMEOUT_SECONDS = 10.0  # past it, 503: Zalo waits only a few seconds for its answer anyway
MAX_CONNECTIONS = 256  # one thread each; more are answered 503 at once
IDLE_SECONDS = 30  # a keep-alive connection with no request for this long is closed
STOP_WAIT_SECONDS = 30  # at a stop, requests being answered get this long to finish
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
         b"Retry-After: 1\r\nConnection: close\r\n\r\nbusy\n")
Log = Callable[[str], None]


@dataclass(frozen=True)
class Secrets:
    """The vendors' secrets; a channel whose secret is unset is off."""

    zalo_oa_secret_key: str | None
    messenger_app_secret: str | None
    messenger_verify_token: str | None

    @property
    def channels(self) -> list[str]:
        return [channel for channel, secret in (("zalo", self.zalo_oa_secret_key),
                                                ("messenger", self.messenger_app_secret))
                if secret]


def secrets_of(settings: ReceiverSettings) -> Secrets:
    """The secrets in effect. Raises CdpError (usage) naming what is missing: no channel at all,
    or half of Messenger's pair."""
    def value(secret: Any) -> str | None:
        return secret.get_secret_value() if secret and secret.get_secret_value() else None

    secrets = Secrets(value(settings.zalo_oa_secret_key), value(settings.messenger_app_secret),
                      value(settings.messenger_verify_token))
    app_secret = "receiver.messenger_app_secret (CDP_MESSENGER_APP_SECRET)"
    verify_token = "receiver.messenger_verify_token (CDP_MESSENGER_VERIFY_TOKEN)"
    if secrets.messenger_app_secret and not secrets.messenger_verify_token:
        raise CdpError(f"error: {verify_token} is not set: Messenger needs it beside "
                       "its app secret", ExitCode.USAGE)
    if secrets.messenger_verify_token and not secrets.messenger_app_secret:
        raise CdpError(f"error: {app_secret} is not set: Messenger needs it beside "
                       "its verify token", ExitCode.USAGE)
    if not secrets.channels:
        raise CdpError("error: nothing to receive: set receiver.zalo_oa_secret_key "
                       f"(CDP_ZALO_OA_SECRET_KEY) for Zalo OA, or {app_secret} and "
                       f"{verify_token} for Messenger (docs/receiver.md)", ExitCode.USAGE)
    return secrets


class _Refusals:
    """Refused requests by channel and cause: the first of each is logged at once, the next ones
    at most once a minute as a count, so a wrong secret or a scan of the port is a few lines,
    not one per request."""

    def __init__(self, log: Log, every_seconds: float = 60.0) -> None:
        self._log, self._every = log, every_seconds
        self._pending: Counter[tuple[str, str]] = Counter()
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def count(self, channel: str, cause: str) -> None:
        key, now = (channel, cause), time.monotonic()
        with self._lock:
            self._pending[key] += 1
            if now - self._last.get(key, -self._every) < self._every:
                return
            self._last[key], refused = now, self._pending.pop(key)
        self._log(f"{channel}: {refused} request(s) refused: {cause}")

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
        for (channel, cause), refused in sorted(pending.items()):
            self._log(f"{channel}: {refused} request(s) refused: {cause}")


class ReceiverServer(ThreadingHTTPServer):
    """A thread per connection, at most MAX_CONNECTIONS of them."""

    daemon_threads = True  # an idle keep-alive connection never holds up a stop
    request_queue_size = 1024  # the listen backlog

    def __init__(self, host: str, port: int, secrets: Secrets, spools: dict[str, Spool],
                 log: Log) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.secrets, self.spools, self.log = secrets, spools, log
        self.refusals = _Refusals(log)
        self.stopping = False
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._answering = 0
        self._idle = threading.Condition()
        super().__init__((host, port), _Handler)

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            self.refusals.count("receiver", f"503: over {MAX_CONNECTIONS} connections open")
            with suppress(OSError):
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request, client_address) -> None:
        """One line naming the failure and where it was raised (socketserver's own prints a
        traceback with the client's address); a client that went away is no failure."""
        error = sys.exception()
        if isinstance(error, ConnectionError | TimeoutError):
            return
        frame = traceback.extract_tb(error.__traceback__)[-1] if error else None
        where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
        self.log(f"a request failed: {type(error).__name__}{where}")

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Counts the requests being answered, which a stop waits for."""
        with self._idle:
            self._answering += 1
        try:
            yield
        finally:
            with self._idle:
                self._answering -= 1
                self._idle.notify_all()

    def wait_until_answered(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._answering == 0, timeout)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: Meta and proxies reuse connections
    server_version = "cdp-receive"
    sys_version = ""
    timeout = IDLE_SECONDS
    # The status line and headers, then the body, are two writes: without TCP_NODELAY the body
    # waits for the client's delayed ACK of the headers (40 ms on Linux) on every request.
    disable_nagle_algorithm = True
    server: ReceiverServer

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: a query string may hold Meta's verify token."""

    def do_GET(self) -> None:
        with self.server.answering():
            path, _, query = self.path.partition("?")
            if path == HEALTH_PATH:
                self._answer(200, "ok")
            elif path == MESSENGER_PATH:
                self._verification(query)
            elif path == ZALO_PATH and self.server.secrets.zalo_oa_secret_key:
                self._answer(200, "ok")  # writes nothing; a reachability check passes
            else:
                self._not_configured_or_found(path)

    def do_POST(self) -> None:
        with self.server.answering():
            path = self.path.partition("?")[0]
            channel = {ZALO_PATH: "zalo", MESSENGER_PATH: "messenger"}.get(path)
            if channel is None or channel not in self.server.spools:
                self._not_configured_or_found(path)
                return
            if self.server.stopping:
                self._answer(503, "stopping", close=True, retry=True)
                return
            body = self._body(channel)
            if body is None:
                return
            lines = self._zalo_lines(body) if channel == "zalo" else self._messenger_lines(body)
            if lines is not None:
                self._store(channel, lines)

    # --- the channels --------------------------------------------------------------------------

    def _zalo_lines(self, body: bytes) -> list[bytes] | None:
        event = verified_zalo_event(body, self.headers.get(ZALO_HEADER),
                                    self.server.secrets.zalo_oa_secret_key or "")
        if event is None:
            return self._refuse("zalo", 401, "signature missing or wrong")
        line = _json_line(event)
        return [line] if line else self._refuse("zalo", 400, "not storable JSON")

    def _messenger_lines(self, body: bytes) -> list[bytes] | None:
        if not verify_messenger(body, self.headers.get(MESSENGER_HEADER),
                                self.server.secrets.messenger_app_secret or ""):
            return self._refuse("messenger", 401, "signature missing or wrong")
        try:
            events = _messaging_events(json.loads(body))
        except ValueError:
            events = None
        lines = [_json_line(event) for event in events or []]
        if events is None or not all(lines):
            return self._refuse("messenger", 400, "not a webhook delivery of Meta's")
        return lines

    def _verification(self, query: str) -> None:
        token = self.server.secrets.messenger_verify_token
        if not token or "messenger" not in self.server.spools:
            self._not_configured_or_found(MESSENGER_PATH)
            return
        challenge = messenger_challenge(query, token)
        if challenge is None:
            self._refuse("messenger", 403, "verification without the right verify token")
            return
        self.server.log("messenger: Meta checked the callback URL: answered")
        self._answer(200, challenge)

    def _store(self, channel: str, lines: list[bytes]) -> None:
        if not lines:  # a signed delivery with nothing to keep (standby, feed changes)
            self._answer(200, "ok")
            return
        try:
            self.server.spools[channel].append(lines, ACK_TIMEOUT_SECONDS)
        except SpoolFull:
            self._refuse(channel, 503, "the queue is full (receiver.queue_size)", retry=True)
        except SpoolClosed:
            self._answer(503, "stopping", close=True, retry=True)
        except SpoolWriteFailed as failure:
            self._refuse(channel, 503, f"not written: {failure}", retry=True)
        else:
            self._answer(200, "ok")

    # --- the answers ---------------------------------------------------------------------------

    def _body(self, channel: str) -> bytes | None:
        """The request's body, or None once the request was answered (no length, too long,
        malformed, the client gone)."""
        too_long = f"a body over {MAX_BODY_BYTES // 1024} KB"
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            try:  # a proxy may stream what it was sent
                body = self._chunked_body()
            except ValueError:
                return self._refuse(channel, 400, "malformed chunked body", close=True)
            return body if body is not None else self._refuse(channel, 413, too_long,
                                                              close=True)
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._refuse(channel, 411, "no Content-Length", close=True)
        if length < 0:
            return self._refuse(channel, 400, "a negative Content-Length", close=True)
        if length > MAX_BODY_BYTES:
            # Read and dropped, so the client hears the 413 before it has sent its body; a body
            # too large even for that is cut off (the client may then see the connection reset).
            drained = length <= DRAIN_LIMIT_BYTES and self._discard(length)
            return self._refuse(channel, 413, too_long, close=not drained)
        body = self.rfile.read(length)
        if len(body) < length:  # the client went away mid-body
            self.close_connection = True
            return None
        return body

    def _discard(self, length: int) -> bool:
        """Read `length` bytes and drop them; False if the client went away first."""
        while length > 0:
            chunk = self.rfile.read(min(length, 64 * 1024))
            if not chunk:
                return False
            length -= len(chunk)
        return True

    def _chunked_body(self) -> bytes | None:
        """A chunked body, whole; None past MAX_BODY_BYTES. Raises ValueError if malformed."""
        body = bytearray()
        while True:
            size_line = self.rfile.readline(1024)
            size = int(size_line.split(b";")[0].strip() or b"x", 16)
            if size == 0:
                break
            if len(body) + size > MAX_BODY_BYTES:
                return None
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.readline(3).strip():
                raise ValueError("a chunk cut short")
            body += chunk
        while self.rfile.readline(1024).strip():  # trailers, until the empty line
            pass
        return bytes(body)

    def _not_configured_or_found(self, path: str) -> None:
        setting = {ZALO_PATH: "receiver.zalo_oa_secret_key",
                   MESSENGER_PATH: "receiver.messenger_app_secret"}.get(path)
        if setting:
            self._refuse(path.rsplit("/", 1)[1], 404, f"not configured ({setting} unset)",
                         close=True)
        else:
            self._answer(404, "not found", close=True)

    def _refuse(self, channel: str, status: int, cause: str, close: bool = False,
                retry: bool = False) -> None:
        self.server.refusals.count(channel, f"{status}: {cause}")
        self._answer(status, cause, close=close, retry=retry)

    def _answer(self, status: int, text: str, close: bool = False, retry: bool = False) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if retry:
            self.send_header("Retry-After", "1")
        if close or self.server.stopping:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)


def _json_line(value: Any) -> bytes | None:
    """`value` as one compact UTF-8 JSON line; None if JSON cannot hold it (a number too large
    for a double, read as infinity)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:  # a lone surrogate (\ud800): kept escaped, as it came
        return json.dumps(value, separators=(",", ":")).encode("ascii") + b"\n"
    except ValueError:
        return None


def _messaging_events(payload: Any) -> list[dict] | None:
    """Every `messaging` object of a Messenger delivery, in order; None if it is not shaped as
    one (`{"object": "page", "entry": [{"id": …, "time": …, "messaging": [...]}]}`)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        return None
    events = []
    for entry in payload["entry"]:
        messaging = entry.get("messaging", []) if isinstance(entry, dict) else None
        if not isinstance(messaging, list) or not all(isinstance(event, dict)
                                                      for event in messaging):
            return None
        events += messaging
    return events


def log_to_stderr(message: str) -> None:
    """One line on stderr, with the UTC time (a terminal has no journal to add it)."""
    print(f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} {message}", file=sys.stderr, flush=True)


def serve(settings: ReceiverSettings, exports_dir: Path, announce: Log,
          log: Log = log_to_stderr) -> None:
    """Receive until SIGTERM or SIGINT, then stop taking requests, answer those in hand, write
    and complete the open files, and return. Raises CdpError when it cannot start."""
    secrets = secrets_of(settings)
    if not exports_dir.is_dir():  # a typo must not send the events where no load looks
        raise CdpError(f"error: exports folder {exports_dir} does not exist", ExitCode.USAGE)
    folders = {channel: exports_dir / "chat" / channel for channel in ("zalo", "messenger")}
    try:
        server = ReceiverServer(settings.host, settings.port, secrets, {}, log)
    except OSError as error:
        raise CdpError(f"error: cannot listen on {settings.host}:{settings.port}: "
                       f"{error.strerror or error}", ExitCode.USAGE) from None
    spools: dict[str, Spool] = {}
    try:
        for channel in secrets.channels:
            spool = Spool(folders[channel],
                          rotate_bytes=int(settings.rotate_megabytes * 1024 * 1024),
                          rotate_seconds=settings.rotate_seconds,
                          queue_size=settings.queue_size, log=log)
            spool.start()
            spools[channel] = spool
        for channel, folder in folders.items():
            if channel not in spools and folder.is_dir():  # off now, but maybe not last time
                _complete_leftovers(folder, log)
    except (OSError, SpoolLocked) as error:
        for spool in spools.values():
            spool.close()
        server.server_close()
        code = ExitCode.LOCKED if isinstance(error, SpoolLocked) else ExitCode.FAILED
        raise CdpError(f"error: {error}", code) from None
    server.spools.update(spools)

    stop = threading.Event()
    handlers = {number: signal.signal(number, lambda *_: stop.set())
                for number in (signal.SIGTERM, signal.SIGINT)}
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                               name="accept", daemon=True)
    serving.start()
    announce(_start_line(server, folders))
    try:
        while not stop.wait(1.0):
            pass
    finally:
        server.stopping = True
        server.shutdown()
        server.server_close()
        if not server.wait_until_answered(STOP_WAIT_SECONDS):
            log(f"stopping: requests still unanswered after {STOP_WAIT_SECONDS} s; they are "
                "not acknowledged and their vendor retries")
        for spool in spools.values():
            spool.close()
        server.refusals.flush()
        for number, handler in handlers.items():
            signal.signal(number, handler)
    log("stopped: " + ", ".join(f"{channel} {spool.events_written} events written"
                                for channel, spool in spools.items()))


def _complete_leftovers(folder: Path, log: Log) -> None:
    descriptor = lock_folder(folder)
    try:
        recover(folder, log)
    finally:
        os.close(descriptor)


def _start_line(server: ReceiverServer, folders: dict[str, Path]) -> str:
    host, port = server.server_address[:2]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    parts = []
    if "zalo" in server.spools:
        parts.append(f"Zalo OA POST {ZALO_PATH} -> {folders['zalo']}/")
    else:
        parts.append("Zalo OA off (receiver.zalo_oa_secret_key unset)")
    if "messenger" in server.spools:
        parts.append(f"Messenger POST and GET {MESSENGER_PATH} -> {folders['messenger']}/")
    else:
        parts.append("Messenger off (receiver.messenger_app_secret unset)")
    return f"receiving on {url}: {'; '.join(parts)}; GET {HEALTH_PATH}. SIGTERM or Ctrl-C stops."
