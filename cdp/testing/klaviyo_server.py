"""A Klaviyo-shaped REST API (revision 2024-10-15) on 127.0.0.1 for the pull tests, answering
as Klaviyo documents: `Authorization: Klaviyo-API-Key <key>` and a `revision` header required,
JSON:API collections with `data`, `links.self` and `links.next` (an absolute URL carrying the
request's own `filter`, `sort` and page size, and `page[cursor]`), profiles filtered with
`greater-than(updated,…)` and sorted by `updated`, at most 100 a page (`page[size]`), events
filtered and sorted by `datetime`, 200 a page, metrics whole. A test scripts trouble: a 429
with `Retry-After` before a given request, and a stall (so a pull can be killed mid-way)."""

import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

REVISION = "2024-10-15"
_PAGE_SIZE = {"profiles": 100, "events": 200, "metrics": 200}
_CURSOR = {"profiles": "updated", "events": "datetime"}


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class KlaviyoServer:
    def __init__(self, api_key: str):
        self.api_key = api_key
        self.profiles: list[dict] = []
        self.events: list[dict] = []
        self.metrics: list[dict] = []
        self.requests: list[str] = []  # every path and query asked, in order
        self.too_many_before: set[int] = set()  # 429 instead of these request numbers
        self.retry_after = "1"
        self.stall_from: int | None = None  # requests from this number on hang this long
        self.stall_seconds = 0.0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                status, payload, headers, stall = server.handle(self.path, self.headers)
                if stall:
                    time.sleep(stall)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/vnd.api+json")
                self.end_headers()
                self.wfile.write(json.dumps(payload).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()

    # --- data a test adds ---------------------------------------------------------------

    def add_profile(self, profile_id: str, updated: str, **attributes) -> None:
        self.profiles = [p for p in self.profiles if p["id"] != profile_id]
        self.profiles.append({"type": "profile", "id": profile_id,
                              "attributes": {"updated": updated, **attributes},
                              "links": {"self": f"{self.url}profiles/{profile_id}/"}})

    def add_event(self, event_id: str, profile_id: str, metric_id: str, at: str,
                  **properties) -> None:
        self.events.append({"type": "event", "id": event_id, "attributes": {
            "datetime": at, "timestamp": int(_moment(at).timestamp()),
            "event_properties": properties, "uuid": event_id},
            "relationships": {"profile": {"data": {"type": "profile", "id": profile_id}},
                              "metric": {"data": {"type": "metric", "id": metric_id}}}})

    def add_metric(self, metric_id: str, name: str) -> None:
        self.metrics.append({"type": "metric", "id": metric_id, "attributes": {
            "name": name, "integration": {"name": "Klaviyo", "category": "Internal"}}})

    # --- answering ----------------------------------------------------------------------

    def handle(self, raw_path: str, headers) -> tuple[int, dict, dict, float]:
        with self._lock:
            self.requests.append(raw_path)
            number = len(self.requests)
            stall = self.stall_seconds if self.stall_from and number >= self.stall_from else 0
            if headers.get("Authorization") != f"Klaviyo-API-Key {self.api_key}":
                return 401, _errors(401, "not_authenticated",
                                    "Authentication credentials were not provided."), {}, 0
            if headers.get("revision") != REVISION:
                return 400, _errors(400, "invalid", "A revision header is required."), {}, 0
            if number in self.too_many_before:
                return 429, _errors(429, "throttled", "Request was throttled."), {
                    "Retry-After": self.retry_after}, 0
            parsed = urlparse(raw_path)
            collection = parsed.path.removeprefix("/api/").strip("/")
            if collection not in _PAGE_SIZE:
                return 404, _errors(404, "not_found", "Not found."), {}, 0
            query = {key: values[0] for key, values in parse_qs(parsed.query).items()}
            return 200, self._page(collection, query), {}, stall

    def _page(self, collection: str, query: dict) -> dict:
        items = {"profiles": self.profiles, "events": self.events,
                 "metrics": self.metrics}[collection]
        cursor = _CURSOR.get(collection)
        if cursor:
            items = sorted(items, key=lambda item: (item["attributes"][cursor], item["id"]))
            after = query.get("filter", "")
            if after.startswith(f"greater-than({cursor},"):
                since = _moment(after.removeprefix(f"greater-than({cursor},").rstrip(")"))
                items = [item for item in items if _after(item["attributes"][cursor], since)]
        size = min(int(query.get("page[size]", _PAGE_SIZE[collection])),
                   _PAGE_SIZE[collection])
        start = int(query.get("page[cursor]", "0") or 0)
        page = items[start:start + size]
        links = {"self": f"{self.url}{collection}/?{urlencode(query)}"}
        if start + size < len(items):
            following = {**query, "page[cursor]": str(start + size)}
            links["next"] = f"{self.url}{collection}/?{urlencode(following)}"
        return {"data": page, "links": links}


def _after(value: str, since: datetime) -> bool:
    """Whether a stored time is after the filter's; one that is no time (a test's bad row) is
    returned all the same, as a server that stored it would."""
    try:
        return _moment(value) > since
    except ValueError:
        return True


def _errors(status: int, code: str, detail: str) -> dict:
    return {"errors": [{"id": "00000000-0000-0000-0000-000000000000", "status": status,
                        "code": code, "title": detail, "detail": detail, "source": {}}]}
