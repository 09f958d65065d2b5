"""HubSpot contacts pulled from its CRM search API instead of exported, with dlt's `rest_api`
source: `POST /crm/v3/objects/contacts/search`, filtered on `lastmodifieddate` after the
cursor, sorted by it, 100 a page.

Each contact lands in `raw_crm.contacts` under the column names of HubSpot's own contacts export
(`Record ID`, `First Name`, `Last Modified Date`…), so the CRM's models read pulled and exported
contacts alike, keyed by the record id plus a hash of the content (a contact changed in HubSpot
is a new version; the same fetched again adds nothing). HubSpot's search returns at most 10,000
results a query; the paginator starts a new query from the last modification time it reached
instead of paging past it, so a first pull of any size goes through. The cursor is kept in dlt's
state with the load: a pull killed half-way starts again from the last cursor loaded.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from dlt.extract.resource import DltResource

from cdp.ingestion.suppression import Suppression

SEARCH_RESULTS_LIMIT = 10_000  # HubSpot: "limited to 10,000 total results for any given query"
_PAGE_SIZE = 100
_INSERT_ONLY = {"disposition": "merge", "strategy": "insert-only"}
# Rows the pull sets aside: apart from the files' quarantine, whose key they do not share.
QUARANTINE_TABLE = "hubspot_quarantine"
_SET_ASIDE = "_set_aside"
# The export's column of each contact property asked for.
EXPORT_COLUMNS = {
    "firstname": "First Name", "lastname": "Last Name", "email": "Email",
    "phone": "Phone Number", "mobilephone": "Mobile Phone Number", "city": "City",
    "country": "Country/Region", "lifecyclestage": "Lifecycle Stage",
    "createdate": "Create Date", "lastmodifieddate": "Last Modified Date",
    "hs_marketable_status": "Marketing contact status",
    "hs_email_optout": "Unsubscribed from all email",
}


def _search_paginator(limit: int) -> Any:
    from dlt.sources.helpers.rest_client.paginators import BasePaginator

    class HubSpotSearchPaginator(BasePaginator):
        """Pages by `paging.next.after`; near the 10,000-result cap, a new query from the
        last `lastmodifieddate` reached (ties are fetched again and stored once)."""

        def __init__(self) -> None:
            super().__init__()
            self.after: str | None = None
            self.restart_from: str | None = None

        def update_state(self, response: Any, data: list[Any] | None = None) -> None:
            body = response.json()
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            results = body.get("results") or []
            self.restart_from = None
            if after is None or not results:
                self._has_next_page = False
            elif int(after) + _PAGE_SIZE > limit:
                modified = (results[-1].get("properties") or {}).get("lastmodifieddate")
                self.restart_from = str(int(_moment(modified).timestamp() * 1000))
                self.after = None
                self._has_next_page = True
            else:
                self.after = str(after)
                self._has_next_page = True

        def update_request(self, request: Any) -> None:
            body = dict(request.json or {})
            if self.restart_from is not None:
                for group in body.get("filterGroups", []):
                    for condition in group.get("filters", []):
                        if condition.get("propertyName") == "lastmodifieddate":
                            condition["operator"] = "GTE"
                            condition["value"] = self.restart_from
                body.pop("after", None)
            else:
                body["after"] = self.after
            request.json = body

    return HubSpotSearchPaginator()


def _moment(text: str | None) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def hubspot_contacts(access_token: str, base_url: str, since: datetime | None,
                     suppression: Suppression | None = None,
                     results_limit: int = SEARCH_RESULTS_LIMIT) -> DltResource:
    """The contacts resource, rows as the contacts export has them; a first pull reaches back
    to `since` (None: every contact)."""
    from dlt.sources.rest_api import rest_api_resources

    since = since or datetime(2000, 1, 1, tzinfo=UTC)
    # As HubSpot writes times (so the cursor compares with them), sent as milliseconds.
    start = since.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    config = {
        "client": {"base_url": base_url.rstrip("/") + "/",
                   "auth": {"type": "bearer", "token": access_token}},
        "resources": [{
            "name": "hubspot_contacts",  # its rows go to `contacts` (table_name below)
            "endpoint": {
                "path": "crm/v3/objects/contacts/search", "method": "POST",
                "data_selector": "results",
                "paginator": _search_paginator(results_limit),
                "json": {
                    "filterGroups": [{"filters": [{
                        "propertyName": "lastmodifieddate", "operator": "GT",
                        "value": "{incremental.start_value}"}]}],
                    "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
                    "properties": list(EXPORT_COLUMNS), "limit": _PAGE_SIZE,
                },
                "incremental": {
                    # The rows reach the cursor as the export's (the map runs first).
                    "cursor_path": "['Last Modified Date']",
                    # Rows at the cursor's own time are stored once by their key and hash.
                    "primary_key": [],
                    "initial_value": start,
                    # A row set aside (no readable time) passes the cursor by.
                    "on_cursor_value_missing": "include",
                    # The cursor goes back as epoch milliseconds, as HubSpot's filters take.
                    "convert": _epoch_millis,
                },
            },
        }],
    }
    [resource] = rest_api_resources(config)
    resource.apply_hints(
        write_disposition=_INSERT_ONLY, primary_key=("record_id", "_record_hash"),
        table_name=lambda row: QUARANTINE_TABLE if _SET_ASIDE in row else "contacts")
    return resource.add_map(_as_exported(suppression))


def _epoch_millis(value: Any) -> str:
    """A cursor value (HubSpot's ISO time, or the initial epoch milliseconds) as milliseconds."""
    text = str(value)
    return text if text.isdigit() else str(int(_moment(text).timestamp() * 1000))


def _as_exported(suppression: Suppression | None) -> Any:
    # A query started again from a modification time fetches that time's contacts twice.
    seen: set[tuple[str, str]] = set()

    def row_of(contact: dict) -> dict | None:
        properties = contact.get("properties") or {}
        problem = _problem(contact, properties)
        if problem:
            text = json.dumps(contact, ensure_ascii=False, sort_keys=True, default=str)
            if suppression and suppression.mentioned_in(text, "crm"):
                return None
            fingerprint = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
            return {"Record ID": fingerprint, "_record_hash": fingerprint, _SET_ASIDE: True,
                    "source_file": "hubspot api: contacts search", "line_number": 0,
                    "reason": problem, "raw_text": text}
        row = {"Record ID": str(contact.get("id") or properties.get("hs_object_id") or "")}
        for name, column in EXPORT_COLUMNS.items():
            value = properties.get(name)
            if name == "hs_marketable_status" and value is not None:
                value = "Marketing contact" if str(value).lower() == "true" \
                    else "Non-marketing contact"
            row[column] = value
        text = json.dumps(row, ensure_ascii=False, sort_keys=True)
        if suppression and suppression.mentioned_in(text, "crm"):
            return None
        row["_record_hash"] = hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
        if (row["Record ID"], row["_record_hash"]) in seen:
            return None
        seen.add((row["Record ID"], row["_record_hash"]))
        row["_source_file"] = "hubspot api: contacts search"
        return row

    return row_of


def _problem(contact: dict, properties: dict) -> str | None:
    if not (contact.get("id") or properties.get("hs_object_id")):
        return "missing id"
    for name in ("lastmodifieddate", "createdate"):
        value = properties.get(name)
        if value in (None, "") and name == "createdate":
            continue
        try:
            _moment(value)
        except ValueError:
            return f"unparseable timestamp in {name!r}: {value}"
    return None
