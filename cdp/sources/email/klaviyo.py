"""Klaviyo over its REST API (revision 2024-10-15), with dlt's `rest_api` source: profiles with
their email subscriptions, email events, and the metrics that name the events.

The rows keep the contract every export keeps: keyed by Klaviyo's id plus a hash of the content
(a profile changed in Klaviyo is a new version, the same one fetched again adds nothing), a row
that cannot be read set aside in `raw_email.quarantine` with the reason, an erased person's row
dropped before it is stored, and lineage (`_source_file` names the endpoint). Pages follow
`links.next` (dlt's `json_link` paginator); a 429 waits as `Retry-After` says (dlt's retry).
The cursor (`updated` for profiles, `datetime` for events) is kept in dlt's state with the
load: a pull killed half-way starts again from the last cursor loaded, and a later pull asks
only for what changed since (re-reading a minute before it, `_CURSOR_LAG_SECONDS`, as records
updated in the cursor's own second may come after it; they are stored once all the same).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from cdp.ingestion.suppression import Suppression

REVISION = "2024-10-15"
PROFILES_TABLE = "klaviyo_profiles"
EVENTS_TABLE = "klaviyo_events"
METRICS_TABLE = "klaviyo_metrics"
# Rows the pull sets aside: apart from the files' quarantine, whose key they do not share.
QUARANTINE_TABLE = "klaviyo_quarantine"
_SET_ASIDE = "_set_aside"
_CURSOR_LAG_SECONDS = 60
_INSERT_ONLY = {"disposition": "merge", "strategy": "insert-only"}
# The raw tables' columns: Klaviyo's JSON:API objects kept whole, as Segment's are.
_COLUMNS = [{"name": name, "data_type": "json", "nullable": True}
            for name in ("attributes", "relationships", "links")] + [
    {"name": name, "data_type": "text", "nullable": name != "id"}
    for name in ("id", "type", "_record_hash", "_source_file")]
# What each resource's rows must carry to be stored: its cursor, parsed as a timestamp.
_CURSORS = {PROFILES_TABLE: "updated", EVENTS_TABLE: "datetime"}
# The profile attributes revision 2024-10-15 documents: another key is schema drift (logged).
PROFILE_ATTRIBUTES = frozenset({
    "email", "phone_number", "external_id", "anonymous_id", "first_name", "last_name",
    "organization", "locale", "title", "image", "created", "updated", "last_event_date",
    "location", "properties", "subscriptions", "predictive_analytics",
})


def klaviyo_config(api_key: str, base_url: str, since: datetime) -> dict:
    """The dlt `rest_api` configuration of the three resources."""
    start = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return {
        "client": {
            "base_url": base_url.rstrip("/") + "/",
            "headers": {"revision": REVISION, "Accept": "application/vnd.api+json"},
            "auth": {"type": "api_key", "name": "Authorization",
                     "api_key": f"Klaviyo-API-Key {api_key}", "location": "header"},
            "paginator": {"type": "json_link", "next_url_path": "links.next"},
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "append",
                              "max_table_nesting": 0},
        "resources": [
            {"name": PROFILES_TABLE, "endpoint": {
                "path": "profiles", "data_selector": "data",
                "params": {"page[size]": 100, "additional-fields[profile]": "subscriptions",
                           "sort": "updated",
                           "filter": "greater-than(updated,{incremental.start_value})"},
                "incremental": {"cursor_path": "attributes.updated", "initial_value": start,
                                "lag": _CURSOR_LAG_SECONDS,
                                # A row set aside (no readable cursor) passes the cursor by.
                                "on_cursor_value_missing": "include"},
            }},
            {"name": EVENTS_TABLE, "endpoint": {
                "path": "events", "data_selector": "data",
                "params": {"sort": "datetime",
                           "filter": "greater-than(datetime,{incremental.start_value})"},
                "incremental": {"cursor_path": "attributes.datetime", "initial_value": start,
                                "lag": _CURSOR_LAG_SECONDS,
                                "on_cursor_value_missing": "include"},
            }},
            # Few and small: fetched whole each time, to name the events' metrics.
            {"name": METRICS_TABLE, "endpoint": {"path": "metrics", "data_selector": "data"}},
        ],
    }


def klaviyo_resources(api_key: str, base_url: str, since: datetime,
                      suppression: Suppression | None = None) -> list[DltResource]:
    """The pull's resources, each row checked, keyed and filtered as an export's are; a first
    pull reaches back to `since`."""
    from dlt.sources.rest_api import rest_api_resources  # dlt's REST machinery: imported late

    resources = rest_api_resources(klaviyo_config(api_key, base_url, since))
    checked = []
    for resource in resources:
        table = resource.name
        resource.apply_hints(
            write_disposition=_INSERT_ONLY, primary_key=("id", "_record_hash"),
            columns=_COLUMNS,
            table_name=lambda row, table=table: QUARANTINE_TABLE if _SET_ASIDE in row else table)
        checked.append(resource.add_map(_Contract(table, suppression)))
    return checked


class _Contract:
    """One resource's rows as the raw contract has them: a content hash beside Klaviyo's id,
    the endpoint as lineage; a row without an id or a readable cursor goes to the quarantine;
    an erased person's row goes nowhere."""

    def __init__(self, table: str, suppression: Suppression | None) -> None:
        self.table = table
        self.suppression = suppression
        self.drift_logged: set[str] = set()

    def __call__(self, row: dict) -> Any:
        text = json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)
        if self.suppression and self.suppression.mentioned_in(text, "email"):
            return None
        reason = self._problem(row)
        if reason:  # to QUARANTINE_TABLE (the resource's table name follows the row)
            return _quarantined(self.table, text, reason)
        if self.table == PROFILES_TABLE:
            self._log_drift(row.get("attributes") or {})
        content = json.dumps(row.get("attributes"), sort_keys=True, default=str)
        return {
            "id": str(row["id"]),
            "type": row.get("type"),
            "attributes": row.get("attributes"),
            "relationships": row.get("relationships"),
            "links": row.get("links"),
            "_record_hash": hashlib.md5(content.encode(), usedforsecurity=False).hexdigest(),
            "_source_file": f"klaviyo api: {self.table.removeprefix('klaviyo_')}",
        }

    def _problem(self, row: dict) -> str | None:
        if not isinstance(row, dict) or not row.get("id"):
            return "missing id"
        cursor = _CURSORS.get(self.table)
        if cursor:
            value = (row.get("attributes") or {}).get(cursor)
            try:
                datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                return f"unparseable timestamp in {cursor!r}: {value}"
        return None

    def _log_drift(self, attributes: dict) -> None:
        import logging

        unknown = sorted(set(attributes) - PROFILE_ATTRIBUTES - self.drift_logged)
        if unknown:
            self.drift_logged |= set(unknown)
            logging.getLogger("cdp.ingestion").warning(
                "klaviyo profiles: attribute(s) %s not in revision %s (loaded all the same)",
                ", ".join(unknown), REVISION)


def _quarantined(table: str, text: str, reason: str) -> dict:
    """A row set aside, as `klaviyo_quarantine` keeps it: what the file quarantine keeps (the
    endpoint for a file, no line), keyed like the pulled rows (the row's fingerprint), so the
    same bad row fetched again is kept once. Plain: dlt's incremental reads every row."""
    fingerprint = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
    return {"id": fingerprint, "_record_hash": fingerprint, _SET_ASIDE: True,
            "source_file": f"klaviyo api: {table.removeprefix('klaviyo_')}",
            "line_number": 0, "reason": reason, "raw_text": text}


def empty_klaviyo_tables() -> list[DltResource]:
    """The pulled tables with no rows, for a deployment without a Klaviyo key: the staging
    models read them all the same (a system not in use is an empty one)."""
    import pyarrow as pa

    schema = pa.schema([(name, pa.string()) for name in (
        "id", "type", "attributes", "relationships", "links", "_record_hash", "_source_file",
        "_dlt_load_id")])
    return [_empty_table(table, schema)
            for table in (PROFILES_TABLE, EVENTS_TABLE, METRICS_TABLE)]


def _empty_table(table: str, schema: Any) -> DltResource:
    @dlt.resource(name=table, write_disposition=_INSERT_ONLY,
                  primary_key=("id", "_record_hash"), columns=_COLUMNS)
    def empty() -> Any:
        state = dlt.current.resource_state()
        if not state.get("created"):  # once: later nights add nothing
            state["created"] = True
            yield schema.empty_table()

    return empty
