"""A HubSpot-shaped CRM API on 127.0.0.1 for the delivery tests, answering as HubSpot documents:
contacts batch upsert and read by email (200, or 207 with `errors` for refused inputs), lists
found by name (404 when missing) or created, memberships changed with add-and-remove. A test
scripts trouble: 429 with Retry-After, 5xx, a refused email, and a stall after applying a change
(so a delivery can be killed between HubSpot's change and its own record of it)."""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HubSpotServer:
    def __init__(self, token: str):
        self.token = token
        self.contacts: dict[str, dict] = {}  # id -> properties
        self.lists: dict[str, dict] = {}  # id -> {"name":..., "members": set()}
        self.script: list[int] = []  # statuses for the next requests (429 or 5xx)
        self.refused_emails: set[str] = set()
        self.stall_after_membership_calls: int | None = None
        self.membership_calls = 0
        self.requests = 0
        self.searches: list[dict] = []  # every contacts search body, in order
        self.search_results_limit = 10_000
        self.unauthorized = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, method: str):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                status, payload, stall = server.handle(method, self.path, body,
                                                       self.headers.get("Authorization", ""))
                if stall:
                    time.sleep(stall)
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0.2")
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(payload).encode())

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def do_PUT(self):
                self._answer("PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, method: str, path: str, body, authorization: str):
        with self._lock:
            self.requests += 1
            if authorization != f"Bearer {self.token}":
                self.unauthorized += 1
                return 401, {"status": "error", "category": "INVALID_AUTHENTICATION"}, 0
            if self.script:
                status = self.script.pop(0)
                return status, {"status": "error", "message": "scripted"}, 0
            if method == "POST" and path == "/crm/v3/objects/contacts/search":
                return self._search(body)
            if method == "POST" and path == "/crm/v3/objects/contacts/batch/upsert":
                return self._upsert(body)
            if method == "POST" and path == "/crm/v3/objects/contacts/batch/read":
                by_email = {props["email"]: cid for cid, props in self.contacts.items()}
                results = [{"id": by_email[item["id"]], "properties": {"email": item["id"]}}
                           for item in body["inputs"] if item["id"] in by_email]
                return 200, {"status": "COMPLETE", "results": results}, 0
            match = re.fullmatch(r"/crm/v3/lists/object-type-id/0-1/name/(.+)", path)
            if method == "GET" and match:
                from urllib.parse import unquote

                name = unquote(match.group(1))
                for list_id, found in self.lists.items():
                    if found["name"] == name:
                        return 200, {"list": {"listId": list_id, "name": name}}, 0
                return 404, {"status": "error", "category": "OBJECT_NOT_FOUND"}, 0
            if method == "POST" and path == "/crm/v3/lists":
                list_id = str(100 + len(self.lists))
                self.lists[list_id] = {"name": body["name"], "members": set()}
                return 200, {"list": {"listId": list_id, "name": body["name"],
                                      "processingType": body["processingType"]}}, 0
            match = re.fullmatch(r"/crm/v3/lists/(\d+)/memberships/add-and-remove", path)
            if method == "PUT" and match:
                members = self.lists[match.group(1)]["members"]
                members |= set(body["recordIdsToAdd"])
                members -= set(body["recordIdsToRemove"])
                self.membership_calls += 1
                stall = (30 if self.stall_after_membership_calls is not None
                         and self.membership_calls > self.stall_after_membership_calls else 0)
                return 200, {"recordIdsAdded": body["recordIdsToAdd"],
                             "recordIdsRemoved": body["recordIdsToRemove"],
                             "recordIdsMissing": []}, stall
            return 404, {"status": "error"}, 0

    def _upsert(self, body):
        by_email = {props["email"]: cid for cid, props in self.contacts.items()}
        results, errors = [], []
        for item in body["inputs"]:
            email = item["id"]
            if email in self.refused_emails:
                errors.append({"status": "error", "category": "VALIDATION_ERROR",
                               "message": f"Email address {email} is invalid"})
                continue
            contact_id = by_email.get(email) or str(1000 + len(self.contacts))
            self.contacts[contact_id] = {**self.contacts.get(contact_id, {}),
                                         **item["properties"]}
            results.append({"id": contact_id, "properties": {"email": email}})
        if errors:
            return 207, {"status": "COMPLETE", "results": results, "errors": errors}, 0
        return 200, {"status": "COMPLETE", "results": results}, 0

    def _search(self, body):
        """CRM search as HubSpot documents it: `filterGroups` (here `lastmodifieddate` GT / GTE
        epoch milliseconds), one sort, `limit` (at most 200), `after` an offset; at most
        `search_results_limit` results a query (10,000 in HubSpot), a 400 past it."""
        self.searches.append(body)
        contacts = sorted(self.contacts.items(), key=lambda item: (
            item[1].get("lastmodifieddate", ""), int(item[0])))
        for group in body.get("filterGroups", []):
            for condition in group.get("filters", []):
                if condition["propertyName"] != "lastmodifieddate":
                    continue
                since, inclusive = int(condition["value"]), condition["operator"] == "GTE"
                contacts = [(cid, props) for cid, props in contacts
                            if _millis(props.get("lastmodifieddate")) > since
                            or (inclusive and _millis(props.get("lastmodifieddate")) == since)]
        limit, after = min(int(body.get("limit", 10)), 200), int(body.get("after") or 0)
        if after + limit > self.search_results_limit:
            return 400, {"status": "error", "category": "VALIDATION_ERROR",
                         "message": "Search results are limited to "
                                    f"{self.search_results_limit} results"}, 0
        page = contacts[after:after + limit]
        answer = {"total": len(contacts), "results": [
            {"id": cid, "properties": {**{name: props.get(name)
                                          for name in body.get("properties", [])},
                                       "hs_object_id": cid},
             "createdAt": props.get("createdate"), "updatedAt": props.get("lastmodifieddate"),
             "archived": False} for cid, props in page]}
        if after + limit < len(contacts):
            answer["paging"] = {"next": {"after": str(after + limit)}}
        return 200, answer, 0

    def list_members_emails(self, name: str) -> set[str]:
        for found in self.lists.values():
            if found["name"] == name:
                return {self.contacts[cid]["email"] for cid in found["members"]}
        return set()

    def close(self):
        self.server.shutdown()


def _millis(text: str | None) -> int:
    from datetime import datetime

    if not text:
        return 0
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
