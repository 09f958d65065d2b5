"""HubSpot: each audience as a static (MANUAL) contact list, through HubSpot's CRM API, as a dlt
destination (`@dlt.destination`: reverse ETL).

Per batch of up to 100 changes (`CDP_HUBSPOT_BATCH_SIZE`): the added members are upserted as
contacts by email (`POST /crm/v3/objects/contacts/batch/upsert`), the removed ones looked up by
email (`POST /crm/v3/objects/contacts/batch/read`), and the list's membership changed in one call
(`PUT /crm/v3/lists/{listId}/memberships/add-and-remove`). The list is found by its name, "CDP:
<audience>", and created when missing. 429 (after its Retry-After), 5xx and timeouts are retried
with backoff (`cdp/activation/http.py`).

State, so a rerun sends only what changed: each batch HubSpot confirmed is recorded in the
warehouse's delivery record before the next; a contact HubSpot refused (a 207 answer, or a 400
for one contact of a batch, which is then sent contact by contact) or a batch that failed through
every retry stays a pending change for the next delivery. A delivery killed mid-way leaves the
batches HubSpot confirmed recorded; the next one sends the rest (the batch cut off in flight may
go twice: an upsert by email and a list add are the same the second time). A member without an
email cannot be a HubSpot contact and is counted, not sent. An erased person leaves the list
like anyone else; the contact itself stays HubSpot's (the CRM is also a source, and deleting a
contact there is its owner's erasure, not an audience change).

Credentials: `access_token` (a private app's token) under `[destination.hubspot]` in
.dlt/secrets.toml, or DESTINATION__HUBSPOT__ACCESS_TOKEN; `api_base_url` likewise (tests).
"""

import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import dlt
import requests

from cdp.activation.destinations.base import DeliveryRun, Destination
from cdp.activation.http import DeliveryError, RetryPolicy, send
from cdp.activation.state import Change
from cdp.settings import current_settings

# Changes per call: HubSpot's batch endpoints take at most 100; fewer spreads the calls
# under a tight rate limit (CDP_HUBSPOT_BATCH_SIZE).
MAX_BATCH_SIZE = 100
CONTACT_TYPE = "0-1"


def hubspot_batch_size() -> int:
    """Contacts per batch call (`destinations.hubspot_batch_size`, `CDP_HUBSPOT_BATCH_SIZE`;
    HubSpot takes at most 100); its credentials are dlt's (`[destination.hubspot]`)."""
    return min(MAX_BATCH_SIZE, current_settings().destinations.hubspot_batch_size)


class HubSpotClient:
    def __init__(self, base_url: str, token: str, policy: RetryPolicy):
        self.base_url = base_url.rstrip("/")
        self.policy = policy
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}",
                                     "Content-Type": "application/json"})
        self.lists: dict[str, str] = {}

    def call(self, method: str, path: str, **request) -> requests.Response:
        return send(self.session, method, self.base_url + path, self.policy, **request)

    def list_id(self, name: str) -> str:
        if name not in self.lists:
            try:
                found = self.call("GET", f"/crm/v3/lists/object-type-id/{CONTACT_TYPE}/name/"
                                  + requests.utils.quote(name, safe=""))
                self.lists[name] = str(found.json()["list"]["listId"])
            except DeliveryError as error:
                if "HTTP 404" not in str(error):
                    raise
                created = self.call("POST", "/crm/v3/lists", json={
                    "name": name, "objectTypeId": CONTACT_TYPE, "processingType": "MANUAL"})
                self.lists[name] = str(created.json()["list"]["listId"])
        return self.lists[name]

    def upsert_contacts(self, changes: list[dict]) -> dict[str, str]:
        """Contact id per email HubSpot accepted (a 207 answer lists the ones it refused)."""
        if not changes:
            return {}
        try:
            response = self.call("POST", "/crm/v3/objects/contacts/batch/upsert", json={
                "inputs": [{"idProperty": "email", "id": change["email"],
                            "properties": _properties(change)} for change in changes]})
        except DeliveryError as error:
            # A 400 refuses the whole batch for one bad input: send them one by one, so one
            # address HubSpot will not take never holds back the others night after night.
            if "HTTP 400" not in str(error) or len(changes) == 1:
                raise
            accepted: dict[str, str] = {}
            for change in changes:
                try:
                    accepted |= self.upsert_contacts([change])
                except DeliveryError as refusal:
                    if "HTTP 400" not in str(refusal):
                        raise
            return accepted
        return {result["properties"]["email"]: str(result["id"])
                for result in response.json().get("results", [])}

    def contact_ids(self, emails: list[str]) -> dict[str, str]:
        if not emails:
            return {}
        response = self.call("POST", "/crm/v3/objects/contacts/batch/read", json={
            "idProperty": "email", "properties": ["email"],
            "inputs": [{"id": email} for email in emails]})
        return {result["properties"]["email"]: str(result["id"])
                for result in response.json().get("results", [])}

    def change_membership(self, list_id: str, add: list[str], remove: list[str]) -> None:
        if add or remove:
            self.call("PUT", f"/crm/v3/lists/{list_id}/memberships/add-and-remove",
                      json={"recordIdsToAdd": add, "recordIdsToRemove": remove})


def _properties(change: dict) -> dict:
    properties = {"email": change["email"]}
    if change.get("phone"):
        properties["phone"] = change["phone"]
    return properties


def list_name(audience_name: str) -> str:
    return f"CDP: {audience_name}"


def hubspot_destination(on_delivered: Callable[[list[Change]], None], failures: list[str],
                        policy: RetryPolicy | None = None):
    """A dlt destination delivering change rows to HubSpot; `on_delivered` records each batch
    HubSpot confirmed."""
    policy = policy or RetryPolicy()
    batch_size = hubspot_batch_size()

    @dlt.destination(batch_size=batch_size, name="hubspot", loader_file_format="typed-jsonl",
                     naming_convention="direct", skip_dlt_columns_and_tables=True)
    def hubspot(items, table, access_token: str = dlt.secrets.value,
                api_base_url: str = "https://api.hubapi.com") -> None:
        client = HubSpotClient(api_base_url, access_token, policy)
        by_audience = defaultdict(list)
        for item in items:
            by_audience[item["audience_name"]].append(item)
        for audience_name, changes in by_audience.items():
            try:
                delivered = _deliver_batch(client, audience_name, changes)
            except DeliveryError as error:  # the whole batch waits for the next delivery
                failures.append(f"{audience_name}: batch of {len(changes)} changes: {error}")
                continue
            on_delivered(delivered)
            confirmed = {change.customer_id for change in delivered if change.change == "add"}
            refused = sorted(change["customer_id"] for change in changes
                             if change["change"] == "add"
                             and change["customer_id"] not in confirmed)
            if refused:  # by customer id (cdp explain --customer-id), never by address
                failures.append(f"{audience_name}: HubSpot refused {len(refused)} contact(s) "
                                f"(customer ids {', '.join(refused[:5])}"
                                f"{', …' if len(refused) > 5 else ''}); they stay pending")

    return hubspot


def _deliver_batch(client: HubSpotClient, audience_name: str,
                   changes: list[dict]) -> list[Change]:
    list_id = client.list_id(list_name(audience_name))
    adds = [change for change in changes if change["change"] == "add"]
    removes = [change for change in changes if change["change"] == "remove"]
    added = client.upsert_contacts(adds)
    # A remove without an email (another member still has it) leaves the contact listed.
    removed = client.contact_ids([change["email"] for change in removes if change["email"]])
    # A member whose phone changed is removed and added under one email: one contact, kept.
    add_ids = [added[change["email"]] for change in adds if change["email"] in added]
    client.change_membership(list_id, add=add_ids,
                             remove=[cid for cid in removed.values() if cid not in add_ids])
    # A removed person HubSpot no longer knows is gone from the list all the same.
    done = [change for change in adds if change["email"] in added] + removes
    return [Change(audience_name, change["change"], change["customer_id"], change["email"],
                   change.get("phone"), bool(change.get("erased"))) for change in done]


def deliver_to_hubspot(warehouse: Path, changes: list[Change],
                       on_delivered: Callable[[list[Change]], None],
                       policy: RetryPolicy | None = None) -> list[str]:
    """Send the changes (each with an email) through the dlt destination; returns the failures.

    dlt's working folder is emptied before and after: its load packages hold emails and phones,
    and what is owed is decided by the warehouse's delivery record, not by a package a killed
    delivery left (whose people may have been erased, restricted or have withdrawn since)."""
    failures: list[str] = []
    folder = hubspot_working_folder(warehouse)
    shutil.rmtree(folder, ignore_errors=True)
    try:
        pipeline = dlt.pipeline(pipeline_name="cdp_hubspot",
                                destination=hubspot_destination(on_delivered, failures, policy),
                                pipelines_dir=str(folder), dataset_name="hubspot")
        pipeline.run([{"audience_name": change.audience_name, "change": change.change,
                       "customer_id": change.customer_id, "email": change.email,
                       "phone": change.phone, "erased": change.erased} for change in changes],
                     table_name="audience_changes", write_disposition="append")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return failures


def hubspot_working_folder(warehouse: Path) -> Path:
    return warehouse.resolve().parent / f".{warehouse.stem}.activation"


class HubSpot(Destination):
    name = "hubspot"
    kinds = frozenset({"hubspot"})
    receives = "emails and phones in clear (contacts and static lists, through its API)"
    identifier_matched = True

    def can_receive(self, email: str | None, phone: str | None) -> bool:
        return bool(email)  # a HubSpot contact is found by its email

    def send(self, run: DeliveryRun, changes: dict[str, list[Change]]) -> list[str]:
        # Every audience's changes in one load; even when no audience names HubSpot any more,
        # what it still holds is removed.
        return deliver_to_hubspot(run.warehouse, [change for audience_changes in
                                                  changes.values()
                                                  for change in audience_changes],
                                  run.recorded, run.policy)

    def local_copies(self, warehouse: Path) -> list[Path]:
        return [hubspot_working_folder(warehouse)]


DESTINATION = HubSpot()
