"""A ZNS-shaped API on 127.0.0.1 for the zalo_zns delivery tests, answering as Zalo documents
`POST /message/template`: the OA's token in the header `access_token`, a JSON body
`{"phone", "template_id", "template_data", "tracking_id"}`, and an HTTP 200 whose `error` says
what happened (0 with `data.msg_id`, `sent_time` and the day's `quota`; a negative code
otherwise, the codes cdp/activation/destinations/zns_client.py lists with their sources).

A test scripts trouble: a daily quota (-144 once spent; `new_day()` restores it), HTTP 429
(with Retry-After) and 5xx answers, users who blocked the OA (-141) or refused this kind of
message (-139), and a late answer to one accepted message (past the client's timeout, or long
enough to kill a delivery between Zalo's acceptance and its own record of it). `accepted` holds
every message it took, to assert that each was sent exactly once."""

import contextlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Zalo takes a Vietnamese number as 84xxxxxxxxx (or 0xxxxxxxxx).
_PHONE = re.compile(r"^(84|0)[35789]\d{8}$")


class ZaloZnsServer:
    def __init__(self, token: str, templates: dict[str, set[str]], daily_quota: int = 10_000):
        self.token = token
        self.templates = templates  # template id -> its parameters
        self.daily_quota = daily_quota
        self.remaining_quota = daily_quota
        self.script: list[int] = []  # HTTP statuses for the next requests (429 or 5xx)
        self.blocked_phones: set[str] = set()  # stopped the OA's notifications: -141
        self.opted_out_phones: set[str] = set()  # refused this kind of ZNS: -139
        self.stall_message: int | None = None  # the n-th message accepted is answered late
        self.stall_seconds = 30.0
        self.accepted: list[dict] = []  # every message taken, in order
        self.requests = 0
        self.answers: list[int] = []  # the `error` of each request answered with JSON
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                status, payload, stall = server.handle(
                    self.path, self.rfile.read(length), self.headers.get("access_token", ""))
                if stall:
                    time.sleep(stall)
                # The client may have given up waiting, or been killed.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", "0.1")
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps(payload).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, path: str, raw: bytes, token: str) -> tuple[int, dict, float]:
        with self._lock:
            self.requests += 1
            if path != "/message/template":
                return 404, {"error": -106, "message": "Method unsupported"}, 0
            if self.script:
                status = self.script.pop(0)
                return status, {"error": -100, "message": "scripted"}, 0
            error, payload, stall = self._answer(raw, token)
            self.answers.append(error)
            return 200, {"error": error, **payload}, stall

    def _answer(self, raw: bytes, token: str) -> tuple[int, dict, float]:
        if token != self.token:
            return -124, {"message": "Access token is invalid"}, 0
        try:
            body = json.loads(raw)
        except ValueError:
            return -122, {"message": "Body request is not JSON"}, 0
        template = self.templates.get(str(body.get("template_id")))
        if template is None:
            return -109, {"message": "Template ID is invalid"}, 0
        data = body.get("template_data") or {}
        if not data:
            return -111, {"message": "Template data is empty"}, 0
        if set(data) != template or not all(isinstance(value, str) for value in data.values()):
            return -112, {"message": "Template data is invalid"}, 0
        phone = str(body.get("phone", ""))
        if not _PHONE.match(phone):
            return -108, {"message": "Phone number is invalid"}, 0
        if phone in self.blocked_phones:
            return -141, {"message": "User refused to receive ZNS"}, 0
        if phone in self.opted_out_phones:
            return -139, {"message": "User refused to receive this type of ZNS"}, 0
        if self.remaining_quota <= 0:
            return -144, {"message": "OA exceeded the daily ZNS quota"}, 0
        self.remaining_quota -= 1
        msg_id = f"msg{len(self.accepted) + 1:08d}"
        self.accepted.append({"msg_id": msg_id, "phone": phone,
                              "template_id": str(body["template_id"]), "template_data": data,
                              "tracking_id": body.get("tracking_id")})
        stall = self.stall_seconds if len(self.accepted) == self.stall_message else 0
        return 0, {"message": "Success", "data": {
            "msg_id": msg_id, "sent_time": str(int(time.time() * 1000)),
            "quota": {"dailyQuota": str(self.daily_quota),
                      "remainingQuota": str(self.remaining_quota)}}}, stall

    def new_day(self) -> None:
        """Midnight at Zalo: the day's quota is whole again."""
        with self._lock:
            self.remaining_quota = self.daily_quota

    def accepted_per_tracking_id(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for message in self.accepted:
            counts[message["tracking_id"]] = counts.get(message["tracking_id"], 0) + 1
        return counts

    def close(self) -> None:
        self.server.shutdown()
