"""`cdp receive` keeps every event it acknowledged: a real receiver process takes 10,000 signed
Zalo and Messenger events from several client threads that retry what was not acknowledged (as
Zalo and Meta do), is killed with SIGKILL midway and started again. Every event ends in a
completed file, whole, and one is there twice only when its acknowledgement was lost. A stop
(SIGTERM) completes the open file; forged requests are refused and written nowhere; the loader
never sees a file being written."""

import http.client
import json
import os
import queue
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from cdp.sources.chat.receiver import server as server_module
from cdp.sources.chat.receiver.server import ReceiverServer, Secrets
from cdp.sources.chat.receiver.signatures import messenger_signature, zalo_signature
from cdp.sources.chat.receiver.spool import FINAL_NAME, PARTIAL_NAME, Spool, recover
from tests.helpers import query, run_ingest

CDP = str(Path(sys.executable).parent / "cdp")
OA_SECRET, APP_SECRET, VERIFY_TOKEN = "oa-secret-key", "app-secret", "our verify phrase"
APP_ID = "3608465249409"
SECRET_VARIABLES = ("CDP_ZALO_OA_SECRET_KEY", "CDP_MESSENGER_APP_SECRET",
                    "CDP_MESSENGER_VERIFY_TOKEN")
EVENTS = 10_000
CLIENTS = 8


# --- the receiver process and its clients -------------------------------------------------------

class Receiver:
    """`cdp receive` as an operator runs it: a process of its own, on a free port."""

    def __init__(self, folder: Path, secrets: dict[str, str], **settings: str) -> None:
        self.folder, self.exports = folder, folder / "exports"
        self.exports.mkdir()
        self.environment = {name: value for name, value in os.environ.items()
                            if name not in SECRET_VARIABLES}
        self.environment.update(secrets)
        self.environment.update({f"CDP_RECEIVER_{name.upper()}": value
                                 for name, value in settings.items()})
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.port = 0
        self.start_line = ""

    def start(self) -> "Receiver":
        self.starts += 1
        log = open(self.folder / f"receiver-{self.starts}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [CDP, "receive", "--exports-dir", str(self.exports), "--port", "0"],
            stdout=subprocess.PIPE, stderr=log, text=True, cwd=self.folder,
            env=self.environment)
        log.close()
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        self.start_line = self.process.stdout.readline() if ready else ""
        assert self.start_line.startswith("receiving on "), (self.start_line, self.logs())
        self.port = int(re.search(r"http://127\.0\.0\.1:(\d+)", self.start_line).group(1))
        return self

    def signal(self, number: int) -> int:
        self.process.send_signal(number)
        return self.process.wait(timeout=60)

    def logs(self) -> str:
        return "".join(path.read_text() for path in sorted(self.folder.glob("receiver-*.log")))

    def stop_if_running(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def receivers(tmp_path):
    """receivers(secrets, **settings) -> a Receiver (not started); all are killed at the end."""
    made: list[Receiver] = []

    def make(secrets: dict[str, str] | None = None, **settings: str) -> Receiver:
        folder = tmp_path / f"deployment-{len(made)}"
        folder.mkdir()
        made.append(Receiver(folder, ALL_SECRETS if secrets is None else secrets, **settings))
        return made[-1]

    yield make
    for receiver in made:
        receiver.stop_if_running()


ALL_SECRETS = {"CDP_ZALO_OA_SECRET_KEY": OA_SECRET, "CDP_MESSENGER_APP_SECRET": APP_SECRET,
               "CDP_MESSENGER_VERIFY_TOKEN": VERIFY_TOKEN}


@dataclass
class Delivery:
    """One webhook request, retried until acknowledged."""

    path: str
    body: bytes
    headers: dict[str, str]
    ids: list[str]
    acknowledged: bool = False
    answers_lost: int = 0  # attempts cut off after being sent: the receiver may have kept them


def zalo_delivery(number: int, secret: str = OA_SECRET) -> Delivery:
    timestamp = str(1_718_000_000_000 + number)
    body = json.dumps({
        "app_id": APP_ID, "user_id_by_app": f"55217727971758{number % 97:04d}",
        "event_name": "user_send_text", "timestamp": timestamp,
        "sender": {"id": f"84{number % 97:08d}"}, "recipient": {"id": "oa-1"},
        "message": {"text": f"Chào shop, đơn {number} giao chưa? 🙏", "msg_id": f"z{number}"},
    }, ensure_ascii=False).encode()
    return Delivery("/webhooks/zalo", body, {
        "Content-Type": "application/json",
        "X-ZEvent-Signature": zalo_signature(body, APP_ID, timestamp, secret)}, [f"z{number}"])


def messenger_delivery(numbers: list[int], secret: str = APP_SECRET) -> Delivery:
    body = json.dumps({"object": "page", "entry": [{"id": "page-1", "time": 1_718_000_000_000,
                                                    "messaging": [{
        "sender": {"id": f"psid-{number % 89}"}, "recipient": {"id": "page-1"},
        "timestamp": 1_718_000_000_000 + number,
        "message": {"mid": f"m{number}", "text": f"Còn hàng mẫu {number} không ạ?"},
    } for number in numbers]}]}, ensure_ascii=False).encode()
    return Delivery("/webhooks/messenger", body, {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": messenger_signature(body, secret)},
        [f"m{number}" for number in numbers])


def ten_thousand_events() -> list[Delivery]:
    """Half Zalo (one event a request), half Messenger (one to three events a request, as Meta
    batches them), interleaved."""
    deliveries, zalo, messenger = [], 0, 0
    while zalo + messenger < EVENTS:
        if zalo <= messenger:
            deliveries.append(zalo_delivery(zalo))
            zalo += 1
        else:
            batch = min(1 + messenger % 3, EVENTS - zalo - messenger)
            deliveries.append(messenger_delivery(list(range(messenger, messenger + batch))))
            messenger += batch
    return deliveries


def post(port: int, delivery: Delivery, chunked: bool = False) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = iter([delivery.body[:10], delivery.body[10:]]) if chunked else delivery.body
    try:
        connection.request("POST", delivery.path, body, delivery.headers, encode_chunked=chunked)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Clients:
    """Threads sending deliveries over keep-alive connections to whatever port the receiver has
    now, each retrying its delivery until it is answered 200."""

    def __init__(self, receiver: Receiver, deliveries: list[Delivery], threads: int) -> None:
        self.receiver = receiver
        self.work: queue.Queue[Delivery] = queue.Queue()
        for delivery in deliveries:
            self.work.put(delivery)
        self.acknowledged_events = 0
        self.statuses: Counter[int] = Counter()
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._send, daemon=True) for _ in range(threads)]

    def start(self) -> "Clients":
        for thread in self.threads:
            thread.start()
        return self

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        assert not any(thread.is_alive() for thread in self.threads), "clients did not finish"

    def _send(self) -> None:
        connection, port = None, None
        while not self.stop.is_set():
            try:
                delivery = self.work.get_nowait()
            except queue.Empty:
                break
            while not delivery.acknowledged and not self.stop.is_set():
                if connection is None or port != self.receiver.port:
                    if connection:
                        connection.close()
                    port = self.receiver.port
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
                try:
                    connection.request("POST", delivery.path, delivery.body, delivery.headers)
                    response = connection.getresponse()
                    response.read()
                    if response.will_close:
                        connection.close()
                        connection = None
                except ConnectionRefusedError:  # not started yet: nothing was sent
                    connection.close()
                    connection = None
                    time.sleep(0.02)
                    continue
                except (OSError, http.client.HTTPException):
                    delivery.answers_lost += 1
                    connection.close()
                    connection = None
                    time.sleep(0.02)
                    continue
                with self._lock:
                    self.statuses[response.status] += 1
                    if response.status == 200:
                        delivery.acknowledged = True
                        self.acknowledged_events += len(delivery.ids)
                if response.status != 200:
                    time.sleep(0.02)
        if connection:
            connection.close()


def received(exports: Path) -> tuple[Counter[str], list[Path]]:
    """Every event id in the completed files (Zalo's msg_id, Messenger's mid), and the files.
    Fails on a file being written, a torn line or a line that is not one JSON object."""
    ids: Counter[str] = Counter()
    files = []
    for channel in ("zalo", "messenger"):
        folder = exports / "chat" / channel
        if not folder.exists():
            continue
        for path in sorted(folder.iterdir()):
            assert FINAL_NAME.match(path.name), f"not a completed file: {path.name}"
            data = path.read_bytes()
            assert data.endswith(b"\n"), f"{path.name} ends in a torn line"
            for line in data.split(b"\n")[:-1]:
                event = json.loads(line)
                ids[event["message"]["msg_id" if channel == "zalo" else "mid"]] += 1
            files.append(path)
    return ids, files


# --- the tests ----------------------------------------------------------------------------------

def test_ten_thousand_events_survive_a_kill_and_only_lost_answers_come_twice(receivers):
    receiver = receivers(ROTATE_MEGABYTES="0.25", ROTATE_SECONDS="2").start()
    deliveries = ten_thousand_events()
    clients = Clients(receiver, deliveries, CLIENTS).start()
    while clients.acknowledged_events < EVENTS // 3:
        assert receiver.process.poll() is None, receiver.logs()
        time.sleep(0.01)

    receiver.process.kill()
    receiver.process.wait()
    acknowledged_at_kill = clients.acknowledged_events
    left_unfinished = [path for path in (receiver.exports / "chat").rglob(".received_*")
                       if PARTIAL_NAME.match(path.name)]
    receiver.start()
    clients.join(timeout=120)
    assert receiver.signal(signal.SIGTERM) == 0, receiver.logs()

    assert 0 < acknowledged_at_kill < EVENTS
    assert all(delivery.acknowledged for delivery in deliveries), clients.statuses
    ids, files = received(receiver.exports)
    assert set(ids) == {event for delivery in deliveries for event in delivery.ids}
    assert len(files) > 2  # rotated by size and age, and completed at the stop
    # An event is there twice only when its request's answer was cut off by the kill (the
    # receiver had it, the client did not hear so and sent it again): at most one request per
    # client thread was in flight.
    twice = {event for event, count in ids.items() if count > 1}
    delivered_twice = [delivery for delivery in deliveries if twice & set(delivery.ids)]
    assert all(delivery.answers_lost for delivery in delivered_twice)
    assert len(delivered_twice) <= CLIENTS
    assert max(ids.values()) <= 2
    logs = receiver.logs()
    for path in left_unfinished:  # the killed run's open file, completed by the next start
        assert f"completed {path.parent}/{path.name[1:].removesuffix('.partial')}: a stopped " \
               "run left it unfinished" in logs
    assert "Chào shop" not in logs and "psid-" not in logs and "Traceback" not in logs

    # What is loaded holds each event once: a retried delivery is the same content.
    warehouse = receiver.exports.parent / "warehouse" / "cdp.duckdb"
    run_ingest(receiver.exports, warehouse)
    [(zalo_rows, zalo_ids)] = query(warehouse, """
        select count(*), count(distinct json_extract_string(message, '$.msg_id'))
        from raw_chat.zalo_events""")
    [(messenger_rows, messenger_ids)] = query(warehouse, """
        select count(*), count(distinct json_extract_string(message, '$.mid'))
        from raw_chat.messenger_events""")
    assert zalo_rows == zalo_ids and messenger_rows == messenger_ids
    assert zalo_rows + messenger_rows == EVENTS
    assert query(warehouse, "select count(*) from raw_chat.quarantine") == [(0,)]


def test_a_stop_completes_the_open_file_and_keeps_every_acknowledged_event(receivers):
    receiver = receivers(ROTATE_SECONDS="3600").start()
    deliveries = [zalo_delivery(number) if number % 2 else messenger_delivery([number])
                  for number in range(2000)]
    clients = Clients(receiver, deliveries, 4).start()
    while clients.acknowledged_events < 300:
        time.sleep(0.01)
    open_files = list((receiver.exports / "chat").rglob(".received_*.jsonl.partial"))

    assert receiver.signal(signal.SIGTERM) == 0, receiver.logs()
    clients.stop.set()
    clients.join(timeout=30)

    assert {path.parent.name for path in open_files} == {"zalo", "messenger"}
    ids, files = received(receiver.exports)  # no file left hidden, none torn
    acknowledged = {event for delivery in deliveries if delivery.acknowledged
                    for event in delivery.ids}
    assert acknowledged <= set(ids)
    assert max(ids.values()) == 1
    assert sorted(path.name for path in files) == sorted(
        path.name[1:].removesuffix(".partial") for path in open_files)
    assert "/webhooks/zalo -> " in receiver.start_line
    assert f"{receiver.exports}/chat/messenger/" in receiver.start_line
    assert "stopped: zalo " in receiver.logs()


def test_forged_requests_are_refused_and_written_nowhere(receivers):
    receiver = receivers().start()
    port = receiver.port
    genuine_zalo, genuine_messenger = zalo_delivery(1), messenger_delivery([1, 2])
    wrong_secret = zalo_delivery(2, secret="a guess")
    changed = zalo_delivery(3)
    changed.body = changed.body.replace(b"z3", b"z4")
    unsigned = zalo_delivery(5)
    del unsigned.headers["X-ZEvent-Signature"]
    forged_messenger = messenger_delivery([3], secret="a guess")
    changed_messenger = messenger_delivery([4])
    changed_messenger.body = changed_messenger.body.replace(b"m4", b"m5")
    unsigned_messenger = messenger_delivery([6])
    del unsigned_messenger.headers["X-Hub-Signature-256"]

    for forged in (wrong_secret, changed, unsigned, forged_messenger, changed_messenger,
                   unsigned_messenger):
        assert post(port, forged)[0] == 401
    too_large = zalo_delivery(7)
    too_large.body = b" " * (1024 * 1024 + 1)
    assert post(port, too_large)[0] == 413
    assert post(port, genuine_zalo) == (200, b"ok")
    assert post(port, genuine_messenger, chunked=True) == (200, b"ok")  # as a proxy may send
    challenge = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token="
    assert get(port, f"/webhooks/messenger?{challenge}our%20verify%20phrase") \
        == (200, b"1158201444")
    assert get(port, f"/webhooks/messenger?{challenge}a%20guess")[0] == 403
    assert get(port, "/webhooks/messenger?hub.mode=subscribe&hub.challenge=1")[0] == 403
    assert get(port, "/healthz") == (200, b"ok")
    assert receiver.signal(signal.SIGTERM) == 0

    ids, _ = received(receiver.exports)
    assert ids == Counter({"z1": 1, "m1": 1, "m2": 1})
    logs = receiver.logs()
    assert "zalo: 1 request(s) refused: 401: signature missing or wrong" in logs
    assert "our verify phrase" not in logs and "1158201444" not in logs


def test_an_endpoint_whose_secret_is_unset_answers_404(receivers):
    receiver = receivers({"CDP_ZALO_OA_SECRET_KEY": OA_SECRET}).start()

    assert post(receiver.port, messenger_delivery([1]))[0] == 404
    assert get(receiver.port, "/webhooks/messenger?hub.mode=subscribe&hub.challenge=1"
                              "&hub.verify_token=x")[0] == 404
    assert post(receiver.port, zalo_delivery(1))[0] == 200
    assert receiver.signal(signal.SIGTERM) == 0

    assert "Messenger off (receiver.messenger_app_secret unset)" in receiver.start_line
    assert "messenger: 1 request(s) refused: 404: not configured" in receiver.logs()
    assert not (receiver.exports / "chat" / "messenger").exists()


def test_a_full_queue_is_answered_503_at_once_and_nothing_is_buffered_past_it(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setattr(server_module, "ACK_TIMEOUT_SECONDS", 2.0)
    logged: list[str] = []
    # A spool whose writer never started: its one-request queue, once taken, stays full.
    spool = Spool(tmp_path, rotate_bytes=1 << 20, rotate_seconds=60, queue_size=1,
                  log=logged.append)
    server = ReceiverServer("127.0.0.1", 0, Secrets(OA_SECRET, None, None), {"zalo": spool},
                            logged.append)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    answers: list[tuple[int, bytes]] = []
    waiting = threading.Thread(target=lambda: answers.append(post(port, zalo_delivery(1))))
    waiting.start()
    while not spool._queue.full():
        time.sleep(0.01)

    started = time.monotonic()
    assert post(port, zalo_delivery(2))[0] == 503
    assert time.monotonic() - started < 1
    waiting.join()
    server.shutdown()
    server.server_close()

    assert answers == [(503, b"not written: not written within 2 s")]
    assert "zalo: 1 request(s) refused: 503: the queue is full (receiver.queue_size)" in logged


@pytest.mark.parametrize("secrets, named", [
    ({}, "receiver.zalo_oa_secret_key (CDP_ZALO_OA_SECRET_KEY)"),
    ({"CDP_MESSENGER_APP_SECRET": APP_SECRET},
     "receiver.messenger_verify_token (CDP_MESSENGER_VERIFY_TOKEN) is not set"),
])
def test_a_receiver_with_nothing_to_receive_exits_naming_the_setting(receivers, secrets, named):
    receiver = receivers(secrets)
    done = subprocess.run([CDP, "receive", "--exports-dir", str(receiver.exports)],
                          capture_output=True, text=True, timeout=60, cwd=receiver.folder,
                          env=receiver.environment)
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("error: ") and named in line


def test_a_receiver_pointed_at_a_missing_exports_folder_exits_naming_it(receivers):
    receiver = receivers()
    done = subprocess.run([CDP, "receive", "--exports-dir", str(receiver.folder / "exprots")],
                          capture_output=True, text=True, timeout=60, cwd=receiver.folder,
                          env=receiver.environment)
    assert done.returncode == 2
    assert done.stderr == f"error: exports folder {receiver.folder / 'exprots'} does not exist\n"
    assert not (receiver.folder / "exprots").exists()


def test_the_receiver_imports_nothing_heavy():
    """It starts in a fraction of a second: neither Dagster, dbt, dlt nor GX is imported."""
    probe = ("import sys, cdp.cli.main, cdp.sources.chat.receiver.server; "
             "print(sorted(name for name in ('dagster', 'dbt', 'dlt', 'great_expectations', "
             "'pandas', 'duckdb') if name in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.unit
def test_a_killed_runs_file_keeps_its_complete_lines_and_takes_its_final_name(tmp_path):
    folder = tmp_path / "chat" / "zalo"
    folder.mkdir(parents=True)
    torn = folder / ".received_20261122T101500Z_000007.jsonl.partial"
    torn.write_bytes(b'{"n":1}\n{"n":2}\n{"n":3,"message":{"te')
    nothing_whole = folder / ".received_20261122T102000Z_000008.jsonl.partial"
    nothing_whole.write_bytes(b'{"n":4')
    logged: list[str] = []

    completed = recover(folder, logged.append)

    assert completed == [folder / "received_20261122T101500Z_000007.jsonl"]
    assert completed[0].read_bytes() == b'{"n":1}\n{"n":2}\n'
    assert sorted(path.name for path in folder.iterdir()) == [completed[0].name]
    assert any("bytes of a torn last line dropped" in line for line in logged)

    spool = Spool(folder, rotate_bytes=10, rotate_seconds=3600, queue_size=4,
                  log=logged.append)
    spool.start()
    spool.append([b'{"n":5}\n', b'{"n":6}\n'], timeout=10)  # over 10 bytes: completed
    spool.append([b'{"n":7}\n'], timeout=10)
    spool.close()
    names = sorted(path.name for path in folder.iterdir())
    assert [FINAL_NAME.match(name).group(1) for name in names] == ["000007", "000008", "000009"]
    assert (folder / names[2]).read_bytes() == b'{"n":7}\n'


@pytest.mark.unit
def test_the_loader_neither_reads_nor_mentions_a_file_being_written(tmp_path):
    from cdp.ingestion.files import list_export_files, list_files_outside
    from cdp.sources.chat import ZALO_EVENTS

    folder = tmp_path / "chat" / "zalo"
    folder.mkdir(parents=True)
    (folder / ".received_20261122T101500Z_000001.jsonl.partial").write_text('{"n":1}\n')
    (folder / "received_20261122T100000Z_000000.jsonl").write_text('{"n":0}\n')

    listing = list_export_files(str(tmp_path), ZALO_EVENTS)

    assert [file.relative_path for file in listing.readable] == [
        "chat/zalo/received_20261122T100000Z_000000.jsonl"]
    assert listing.ignored == []
    assert list_files_outside(str(tmp_path), ["chat"], [ZALO_EVENTS]) == []
