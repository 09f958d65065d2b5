"""A person erased or restricted under the privacy requests leaves every destination on the next
delivery — hashed removes files for Meta and Google Ads, the CSV's removes, the webhook and the
HubSpot-shaped server — and is never delivered again; the erased person's identifiers are kept
only until each destination confirmed their removal."""

from pathlib import Path

import pytest

from cdp.activation.deliver import deliver
from cdp.activation.state import ERASED_REMOVALS_TABLE, delivered_members, pending_changes
from cdp.orchestration.activation.assets import _holds_exactly_the_members
from cdp.orchestration.resources import CdpSettings
from cdp.privacy_requests.requests import Selector, erase, restrict
from cdp.testing.hubspot_server import HubSpotServer
from cdp.testing.receiver import Receiver
from tests.helpers import audiences, expected_hash, query, read_rows, run_transform

AUDIENCE_OF = {"csv": "Buyers by email", "webhook": "Buyers by email",
               "meta": "Buyers for ads", "google_ads": "Buyers for ads",
               "hubspot": "Everyone by email"}


@pytest.fixture
def destinations(monkeypatch):
    receiver = Receiver(secret="a-shared-secret")
    hubspot = HubSpotServer(token="pat-test-token")
    monkeypatch.setenv("CDP_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("CDP_WEBHOOK_SECRET", "a-shared-secret")
    monkeypatch.setenv("DESTINATION__HUBSPOT__ACCESS_TOKEN", "pat-test-token")
    monkeypatch.setenv("DESTINATION__HUBSPOT__API_BASE_URL", hubspot.url)
    monkeypatch.setenv("CDP_PRIVACY_SALT", "a-test-salt")
    yield receiver, hubspot
    receiver.close()
    hubspot.close()


def deliver_everywhere(warehouse: Path, folder: Path, run_id: str) -> dict:
    reports = {destination: deliver(destination, warehouse, folder, run_id)
               for destination in AUDIENCE_OF}
    assert not [report.failures for report in reports.values() if report.failures]
    return reports


def test_an_erased_and_a_restricted_person_leave_every_destination_and_never_come_back(
        warehouse, destinations, tmp_path):
    receiver, hubspot = destinations
    settings = CdpSettings(exports_dir=str(tmp_path / "exports"), warehouse=str(warehouse),
                           published_warehouse=str(tmp_path / "published" / "cdp.duckdb"),
                           reports_dir=str(tmp_path / "reports"))
    folder = settings.activation_dir
    # Two people every destination holds: members of the three audiences, email and phone.
    [erased, restricted] = [row for row in query(warehouse, """
        select customer_id, any_value(email), any_value(phone) from marts.audience_members
        group by customer_id
        having count(distinct audience_name) = 3
            and bool_and(email is not null and phone is not null)
        order by customer_id limit 2""")]
    deliver_everywhere(warehouse, folder, "night-one-0000")
    for destination, audience in AUDIENCE_OF.items():
        assert {erased[0], restricted[0]} <= delivered_members(warehouse, destination, audience)
    assert {erased[1], restricted[1]} <= hubspot.list_members_emails("CDP: Everyone by email")

    result = erase(settings, Selector(customer_id=erased[0]), requested_by="the person",
                   reason="erasure request")
    restrict(settings, Selector(customer_id=restricted[0]), requested_by="the person",
             reason="objects to marketing")

    assert not result.notes
    # Their delivery record is gone with the rest of their data; what each destination was
    # given is kept, apart, until it confirms the removal (and it is in no mart).
    owed = query(warehouse, f"select destination, audience_name, customer_id, email, phone "
                            f"from {ERASED_REMOVALS_TABLE} order by 1")
    assert owed == sorted((destination, audience, *erased)
                          for destination, audience in AUDIENCE_OF.items())
    assert query(warehouse, "select count(*) from activation.delivered_audience_members "
                            "where customer_id = ?", [erased[0]]) == [(0,)]
    assert result.request.removed[
        f"warehouse: {ERASED_REMOVALS_TABLE} (owed, sent by the next delivery)"] \
        == len(AUDIENCE_OF)
    # Until a destination is told, its check fails naming the removal it is owed.
    check = _holds_exactly_the_members(warehouse, "csv", [])
    assert not check.passed and check.metadata["erased_removals_owed"].value == 1

    run_transform(warehouse, audiences())  # the next night's build, then its deliveries
    for destination in AUDIENCE_OF:
        removes = {change.customer_id for changes in pending_changes(
            warehouse, destination).values() for change in changes if change.change == "remove"}
        assert {erased[0], restricted[0]} <= removes, destination
    reports = deliver_everywhere(warehouse, folder, "night-two-0000")

    for destination, audience in AUDIENCE_OF.items():
        assert reports[destination].removed_after_erasure == 1, destination
        held = delivered_members(warehouse, destination, audience)
        assert erased[0] not in held and restricted[0] not in held, destination
        assert _holds_exactly_the_members(warehouse, destination, [audience]).passed
    assert query(warehouse, f"select count(*) from {ERASED_REMOVALS_TABLE}") == [(0,)]
    # Each destination was told, in its own terms.
    files = {destination: [Path(path) for path in reports[destination].files
                           if path.endswith("-removes.csv")]
             for destination in ("meta", "google_ads", "csv")}
    [meta_removes] = files["meta"]
    [google_removes] = files["google_ads"]
    [csv_removes] = files["csv"]
    for email, phone in (erased[1:], restricted[1:]):
        assert {"email": expected_hash(email.strip().lower()),
                "phone": expected_hash(phone.removeprefix("+"))} in read_rows(meta_removes)
        assert {"Email": expected_hash(email.strip().lower()),
                "Phone": expected_hash(phone)} in read_rows(google_removes)
    assert {erased[0], restricted[0]} <= {row["customer_id"] for row in read_rows(csv_removes)}
    assert erased[0] not in receiver.members["Buyers by email"]
    assert restricted[0] not in receiver.members["Buyers by email"]
    assert receiver.erased == {erased[0]}  # told to delete, not only to unlist
    assert receiver.bad_signatures == 0
    held = hubspot.list_members_emails("CDP: Everyone by email")
    assert erased[1] not in held and restricted[1] not in held

    # Never delivered again: a third delivery sends nothing to anyone.
    requests_before = (receiver.requests, hubspot.requests)
    third = deliver_everywhere(warehouse, folder, "night-three-000")
    assert all(report.added == report.removed == 0 for report in third.values())
    assert (receiver.requests, hubspot.requests) == requests_before
    assert query(warehouse, "select count(*) from marts.audience_members "
                            "where customer_id in (?, ?)", [erased[0], restricted[0]]) == [(0,)]
