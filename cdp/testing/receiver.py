"""A webhook receiver on 127.0.0.1 for the delivery tests: checks each batch's HMAC signature,
applies each idempotency key once, and answers as a test scripts it (429 with Retry-After, 5xx,
a slow answer past the client's timeout, a batch that fails, an answer lost after applying)."""

import contextlib
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, secret: str):
        self.secret = secret
        self.script: list[tuple[int, float]] = []  # (status, seconds to wait) for next requests
        self.always_fail_customer: str | None = None  # batches with this customer get 500
        self.fail_removal_of: str | None = None  # batches removing this customer get 500
        # Requests (numbered from 1) applied but answered 500, as when the answer is lost.
        self.lost_answers: set[int] = set()
        self.members: dict[str, set[str]] = {}  # audience -> customers held
        self.applied_keys: list[str] = []
        self.erased: set[str] = set()  # customers removed with `"erased": true`
        self.requests = 0
        self.bad_signatures = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status, delay = receiver.answer(body, self.headers)
                time.sleep(delay)
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0.2")
                self.end_headers()
                # The client may have given up waiting (the timeout case).
                with contextlib.suppress(BrokenPipeError):
                    self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/cdp"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, body: bytes, headers) -> tuple[int, float]:
        with self._lock:
            self.requests += 1
            expected = "sha256=" + hmac.new(self.secret.encode(), body,
                                            hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, headers.get("X-CDP-Signature", "")):
                self.bad_signatures += 1
                return 401, 0
            if self.script:
                status, delay = self.script.pop(0)
                if status != 200:
                    return status, delay
            else:
                delay = 0
            payload = json.loads(body)
            if any(item["customer_id"] == self.always_fail_customer
                   or (item["change"] == "remove" and item["customer_id"] == self.fail_removal_of)
                   for item in payload["changes"]):
                return 500, 0
            key = headers["Idempotency-Key"]
            if key not in self.applied_keys:  # a resend of an applied batch changes nothing
                self.applied_keys.append(key)
                held = self.members.setdefault(payload["audience"], set())
                for item in payload["changes"]:
                    if item["change"] == "add":
                        held.add(item["customer_id"])
                    else:
                        held.discard(item["customer_id"])
                        if item.get("erased"):
                            self.erased.add(item["customer_id"])
            if self.requests in self.lost_answers:
                return 500, 0
            return 200, delay

    def close(self):
        self.server.shutdown()
