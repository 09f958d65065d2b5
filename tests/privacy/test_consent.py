"""Consent per customer and purpose follows the latest explicit statement in the exports.

The expectation is computed here from the export files themselves (not from the models), for
each customer's own records as marts.customer_records lists them."""

import csv
import gzip
import json
from datetime import datetime
from pathlib import Path

from tests.helpers import query

# The sample's own checkbox keys and banner categories, as a deployment would map them.
CHECKBOX_PURPOSES = {"email_opt_in": ["email_marketing"], "sms_zalo_opt_in": ["sms_marketing"]}
CATEGORY_PURPOSES = {"Advertising": ["advertising"], "Analytics": ["analytics"]}


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _csv_rows(folder: Path):
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            yield from csv.DictReader(handle)


def statements_in_exports(exports: Path) -> dict[str, list[tuple[datetime, bool, str]]]:
    """record key -> [(when, granted, purpose)], from every file of both nights."""
    statements: dict[str, list] = {}
    latest_contacts: dict[str, dict] = {}
    for row in _csv_rows(exports / "crm"):
        known = latest_contacts.get(row["Record ID"])
        if known is None or _moment(row["Last Modified Date"]) >= _moment(
                known["Last Modified Date"]):
            latest_contacts[row["Record ID"]] = row
    for record_id, row in latest_contacts.items():
        said = statements.setdefault(f"crm:{record_id}", [])
        when = _moment(row["Last Modified Date"])
        status = row["Marketing contact status"]
        if status:
            for purpose in ("email_marketing", "advertising"):
                said.append((when, status == "Marketing contact", purpose))
        if row.get("Unsubscribed from all email") == "true":
            said.append((when, False, "email_marketing"))
    for row in _csv_rows(exports / "pos"):
        if row["Accepts Marketing"]:
            statements.setdefault(f"pos:{row['Name']}", []).append(
                (_moment(row["Created at"]), row["Accepts Marketing"] == "yes",
                 "email_marketing"))
    for row in _csv_rows(exports / "social"):
        for box in json.loads(row["custom_disclaimer_responses"] or "[]"):
            for purpose in CHECKBOX_PURPOSES.get(box["checkbox_key"], []):
                statements.setdefault(f"social:{row['id']}", []).append(
                    (_moment(row["created_time"]), box["is_checked"] == "1", purpose))
    latest_preferences: dict[str, tuple[datetime, dict]] = {}
    for path in sorted((exports / "website").glob("*.jsonl*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                message = json.loads(line)
                preferences = message["context"].get("consent", {}).get("categoryPreferences")
                if preferences is None:
                    continue
                when = _moment(message["timestamp"])
                device = message["anonymousId"]
                if device not in latest_preferences or when >= latest_preferences[device][0]:
                    latest_preferences[device] = (when, preferences)
    for device, (when, preferences) in latest_preferences.items():
        for category, granted in preferences.items():
            for purpose in CATEGORY_PURPOSES.get(category, []):
                statements.setdefault(f"website:{device}", []).append((when, granted, purpose))
    _email_statements(exports / "email", statements)
    return statements


def _mailchimp_time(text: str) -> datetime | None:
    """Mailchimp's zone-less times, in the sample account's zone (UTC, the default)."""
    return datetime.fromisoformat(text + "+00:00") if text else None


def _email_statements(folder: Path, statements: dict) -> None:
    """A member's newest version (by its own times, then the later file) states its status:
    subscribed grants email marketing, unsubscribed withdraws it; a Segment Unsubscribed or
    spam complaint withdraws it."""
    newest: dict[str, tuple[str, str, dict]] = {}
    for path in sorted((folder / "mailchimp").glob("*.csv")):
        status = path.name.split("_members_export")[0]
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                times = max(row.get(column) or "" for column in (
                    "LAST_CHANGED", "UNSUB_TIME", "CLEAN_TIME", "CONFIRM_TIME", "OPTIN_TIME"))
                known = newest.get(row["EUID"])
                if known is None or times >= known[0]:
                    newest[row["EUID"]] = (times, status, row)
    for euid, (_, status, row) in newest.items():
        if status == "subscribed":
            when = _mailchimp_time(row["CONFIRM_TIME"] or row["OPTIN_TIME"]
                                   or row["LAST_CHANGED"])
            statements.setdefault(f"email:{euid}", []).append((when, True, "email_marketing"))
        elif status == "unsubscribed":
            when = _mailchimp_time(row["UNSUB_TIME"] or row.get("LAST_CHANGED", ""))
            statements.setdefault(f"email:{euid}", []).append((when, False, "email_marketing"))
    for path in sorted((folder / "events").glob("*.jsonl*")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                message = json.loads(line)
                if message["event"] in ("Unsubscribed", "Email Marked as Spam"):
                    contact = message.get("userId") or message.get("user_id")
                    statements.setdefault(f"email:{contact}", []).append(
                        (_moment(message["timestamp"]), False, "email_marketing"))


def test_consent_follows_the_latest_statement_of_the_customers_records(built_sample):
    statements = statements_in_exports(built_sample.parent.parent / "exports")
    records_of: dict[str, list[str]] = {}
    for customer_id, source, record_id in query(built_sample, """
            select customer_id, source, record_id from marts.customer_records"""):
        records_of.setdefault(customer_id, []).append(f"{source}:{record_id}")
    expected = {}
    for customer_id, record_keys in records_of.items():
        said = [s for key in record_keys for s in statements.get(key, [])]
        for purpose in ("email_marketing", "sms_marketing", "advertising", "analytics"):
            about = [(when, granted) for when, granted, p in said if p == purpose]
            # Latest wins; at the same moment a withdrawal (False sorts first) wins.
            latest = max(about, key=lambda item: (item[0], not item[1]), default=None)
            expected[customer_id, purpose] = (
                "unknown" if latest is None else "granted" if latest[1] else "withdrawn")
    actual = {(customer_id, purpose): status for customer_id, purpose, status in query(
        built_sample, "select customer_id, purpose, status from marts.customer_consents")}
    assert actual == expected
    # Every status occurs, and conflicts between sources are really there to be decided.
    assert {status for status in actual.values()} == {"granted", "withdrawn", "unknown"}
    assert query(built_sample, """
        select count(*) from marts.customers
        where has_marketing_consent != (consent_email_marketing = 'granted')""") == [(0,)]


def test_a_newer_crm_opt_out_beats_an_older_checkout_opt_in(built_sample):
    # The case seen by hand: a HubSpot Non-marketing contact whose change is newer than the
    # customer's checkout opt-in is not a marketing audience.
    rows = query(built_sample, """
        with statements as (
            select
                records.customer_id,
                max(orders.ordered_at) filter (where orders.accepts_marketing) as opted_in_at,
                max(contacts.modified_at) filter (where not contacts.is_marketing_contact)
                    as opted_out_at
            from marts.customer_records as records
            left join staging.stg_pos__orders as orders
                on records.source = 'pos' and records.record_id = orders.order_id
            left join staging.stg_crm__contacts as contacts
                on records.source = 'crm' and records.record_id = contacts.contact_id
            group by records.customer_id
        )
        select customers.has_marketing_consent, consents.statement
        from statements
        inner join marts.customers as customers using (customer_id)
        inner join marts.customer_consents as consents
            on consents.customer_id = statements.customer_id
                and consents.purpose = 'email_marketing'
        where statements.opted_out_at > statements.opted_in_at""")
    assert rows, "the sample has no customer whose CRM opt-out is newer than an opt-in"
    assert {has_consent for has_consent, _ in rows} == {False}
