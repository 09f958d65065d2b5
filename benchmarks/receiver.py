"""`cdp receive` under load: sustained events per second and request latency (p50, p99) at a few
client concurrencies, each client a thread with its own keep-alive connection sending signed
events, half Zalo OA and half Messenger, back to back for `--seconds` each. Every 200 is an
event fsynced to disk (group commit: one fsync covers the requests waiting together).

The receiver runs as an operator runs it (the venv's `cdp receive`, a process of its own,
default settings) on a temporary exports folder; the clients run in this process, on the same
cores, so the figures are a floor of what the receiver does on its own.

    .venv/bin/python benchmarks/receiver.py --concurrency 1 8 32 --seconds 10
"""

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cdp.sources.chat.receiver.signatures import messenger_signature, zalo_signature

CDP = str(Path(sys.executable).parent / "cdp")
SECRETS = {"CDP_ZALO_OA_SECRET_KEY": "oa-secret", "CDP_MESSENGER_APP_SECRET": "app-secret",
           "CDP_MESSENGER_VERIFY_TOKEN": "verify"}


def _requests(count: int) -> list[tuple[str, bytes, dict[str, str]]]:
    """Signed requests of one event each, alternately Zalo and Messenger (~400 bytes)."""
    made = []
    for number in range(count):
        timestamp = str(1_718_000_000_000 + number)
        if number % 2:
            body = json.dumps({
                "app_id": "3608465249409", "user_id_by_app": f"5521772797175{number:05d}",
                "event_name": "user_send_text", "timestamp": timestamp,
                "sender": {"id": f"84{number:08d}"}, "recipient": {"id": "oa-1"},
                "message": {"text": f"Chào shop, đơn {number} giao chưa ạ?",
                            "msg_id": f"z{number}"}}, ensure_ascii=False).encode()
            made.append(("/webhooks/zalo", body, {"X-ZEvent-Signature": zalo_signature(
                body, "3608465249409", timestamp, SECRETS["CDP_ZALO_OA_SECRET_KEY"])}))
        else:
            messaging = {"sender": {"id": f"psid-{number}"}, "recipient": {"id": "page-1"},
                         "timestamp": int(timestamp),
                         "message": {"mid": f"m{number}", "text": f"Còn mẫu {number} không?"}}
            body = json.dumps({"object": "page", "entry": [
                {"id": "page-1", "time": int(timestamp), "messaging": [messaging]}]},
                ensure_ascii=False).encode()
            made.append(("/webhooks/messenger", body, {"X-Hub-Signature-256": messenger_signature(
                body, SECRETS["CDP_MESSENGER_APP_SECRET"])}))
    return made


def _client(port: int, requests: list, until: float, latencies: list[float],
            failures: list[int]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    number = 0
    while time.perf_counter() < until:
        path, body, headers = requests[number % len(requests)]
        number += 1
        started = time.perf_counter()
        try:
            connection.request("POST", path, body, {"Content-Type": "application/json",
                                                    **headers})
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            failures.append(0)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        if response.status == 200:
            latencies.append(time.perf_counter() - started)
        else:
            failures.append(response.status)
    connection.close()


def _peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return float("nan")
    peak = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
    return int(peak.group(1)) / 1024 if peak else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    requests = _requests(4000)
    with tempfile.TemporaryDirectory(prefix="receiver-bench-") as scratch:
        exports = Path(scratch) / "exports"
        exports.mkdir()
        environment = {**os.environ, **SECRETS}
        started = time.perf_counter()
        receiver = subprocess.Popen([CDP, "receive", "--exports-dir", str(exports), "--port", "0"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                    cwd=scratch, env=environment)
        line = receiver.stdout.readline()
        first_line = time.perf_counter() - started
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1))
        print(f"`cdp receive` printed its start line in {first_line * 1000:.0f} ms")
        print(f"{'clients':>7}  {'requests':>9}  {'events/s':>9}  {'p50 ms':>7}  {'p99 ms':>7}  "
              "not 200")
        try:
            for clients in args.concurrency:
                latencies: list[float] = []
                failures: list[int] = []
                began = time.perf_counter()
                until = began + args.seconds
                threads = [threading.Thread(target=_client, args=(
                    port, requests[index::clients] or requests, until, latencies, failures))
                    for index in range(clients)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                wall = time.perf_counter() - began
                cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
                print(f"{clients:>7}  {len(latencies):>9,}  {len(latencies) / wall:>9,.0f}  "
                      f"{cuts[49] * 1000:>7.2f}  {cuts[98] * 1000:>7.2f}  {len(failures)}")
            peak = _peak_memory_mb(receiver.pid)
        finally:
            receiver.send_signal(signal.SIGTERM)
            code = receiver.wait(timeout=60)
        files = sorted((exports / "chat").rglob("*.jsonl"))
        lines = sum(path.read_bytes().count(b"\n") for path in files)
        print(f"receiver: peak memory {peak:.0f} MB; stopped with exit code {code}; "
              f"{lines:,} events in {len(files)} completed files")


if __name__ == "__main__":
    main()
