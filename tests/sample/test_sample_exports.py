"""The generator is deterministic and holds the cases that make identity resolution hard."""

import csv
import gzip
import json
from pathlib import Path

import pytest

from cdp.sample import generate_sample_exports
from cdp.sample.vietnam import JUNK_EMAILS, JUNK_PHONES, STORES
from tests.helpers import SAMPLE_CUSTOMERS, SAMPLE_SEED

pytestmark = pytest.mark.unit


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _night_one(sample_dir: Path, system: str) -> list[dict]:
    [path] = (sample_dir / "exports" / system).iterdir()
    if system == "website":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return _csv(path)


def test_same_seed_same_files(tmp_path, sample_dir):
    generate_sample_exports(tmp_path, SAMPLE_CUSTOMERS, SAMPLE_SEED)

    written = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*.*"))
    assert written == sorted(path.relative_to(sample_dir) for path in sample_dir.rglob("*.*"))
    for relative in written:
        if relative.suffix == ".gz":  # gzip headers carry a timestamp; compare the content
            assert gzip.decompress((tmp_path / relative).read_bytes()) == gzip.decompress(
                (sample_dir / relative).read_bytes())
        else:
            assert (tmp_path / relative).read_bytes() == (sample_dir / relative).read_bytes()


def test_ground_truth_covers_every_source_record_once(sample_dir):
    truth = _csv(sample_dir / "ground_truth.csv")
    keys = [(row["source"], row["record_id"]) for row in truth]
    assert len(keys) == len(set(keys))
    expected = {("website", event["anonymousId"]) for event in _night_one(sample_dir, "website")}
    expected |= {("crm", row["Record ID"]) for row in _night_one(sample_dir, "crm")}
    expected |= {("social", row["id"]) for row in _night_one(sample_dir, "social")}
    expected |= {("pos", row["Name"]) for row in _night_one(sample_dir, "pos")}
    assert expected <= set(keys)
    people = {row["person_id"] for row in truth}
    assert len(people) >= SAMPLE_CUSTOMERS * 0.95


def test_the_hard_cases_are_present(sample_dir):
    contacts = _night_one(sample_dir, "crm")
    leads = _night_one(sample_dir, "social")
    orders = _night_one(sample_dir, "pos")
    events = _night_one(sample_dir, "website")
    phones = [row["Phone Number"] for row in contacts] + [row["Billing Phone"] for row in orders]
    assert any(phone.startswith("+84") for phone in phones)
    assert any(phone.startswith("0") and " " in phone for phone in phones)
    assert any(len(phone) == 9 and phone.isdigit() for phone in phones)  # lost its leading 0
    assert all(lead["phone_number"].startswith("p:") for lead in leads if lead["phone_number"])
    emails = [row["Email"] for row in contacts] + [lead["email"] for lead in leads]
    assert any(email != email.strip() for email in emails)
    assert any(email.isupper() for email in emails if email)
    assert any("+" in email.split("@")[0] for email in emails if "@gmail.com" in email.lower())
    assert {email for email in emails if email in JUNK_EMAILS}
    assert {row["Phone Number"] for row in contacts} & set(JUNK_PHONES)
    store_phones = {phone for _, _, phone in STORES}
    assert sum(row["Billing Phone"] in store_phones for row in orders) >= 5
    names = [row["First Name"] for row in contacts]
    assert any(name.isascii() for name in names) and any(not name.isascii() for name in names)
    web_orders = {row["Name"] for row in orders if row["Source"] == "web"}
    completed = {event["properties"]["order_id"] for event in events
                 if event.get("event") == "Order Completed"}
    assert web_orders and web_orders == completed
    truth = _csv(sample_dir / "ground_truth.csv")
    crm_people = [row["person_id"] for row in truth if row["source"] == "crm"]
    assert len(crm_people) > len(set(crm_people))  # duplicate CRM contacts


def test_next_night_holds_updates_new_orders_and_refunds(sample_dir):
    [contacts_file] = (sample_dir / "next_night" / "crm").iterdir()
    night_one = {row["Record ID"]: row for row in _night_one(sample_dir, "crm")}
    updated = [row for row in _csv(contacts_file) if row["Record ID"] in night_one
               and row["Last Modified Date"] != night_one[row["Record ID"]]["Last Modified Date"]]
    assert updated
    [orders_file] = (sample_dir / "next_night" / "pos").iterdir()
    statuses = {row["Financial Status"] for row in _csv(orders_file) if row["Financial Status"]}
    assert {"refunded", "paid"} <= statuses
