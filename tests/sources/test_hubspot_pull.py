"""HubSpot contacts pulled from its CRM search API, on real dlt loads against a HubSpot-shaped
server on 127.0.0.1: the contacts land as the export's rows, a search capped at 10,000 results
(scaled down) is continued by a new query from the last modification reached, the next pull
asks only for what changed, and a row that cannot be read is set aside."""

from datetime import UTC, datetime, timedelta

import dlt
import pytest

from cdp.settings import use_settings
from cdp.sources.crm.hubspot_api import hubspot_contacts
from cdp.testing.exports_builder import lay_out
from cdp.testing.hubspot_server import HubSpotServer
from tests.helpers import query, run_ingest, run_transform

TOKEN = "pat-test-0123"
START = datetime(2026, 10, 1, tzinfo=UTC)


def _contact(server: HubSpotServer, number: int, minutes: int, **properties: str) -> None:
    modified = (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    server.contacts[str(5000 + number)] = {
        "firstname": "Lan", "lastname": f"Nguyễn {number}", "email": f"c{number}@hs-test.vn",
        "createdate": "2026-09-01T00:00:00.000Z", "lastmodifieddate": modified,
        "lifecyclestage": "lead", "hs_marketable_status": "true", **properties}


@pytest.fixture
def hubspot(monkeypatch) -> HubSpotServer:
    server = HubSpotServer(TOKEN)
    monkeypatch.setenv("CDP_HUBSPOT_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("CDP_HUBSPOT_BASE_URL", server.url)
    use_settings(None)
    yield server
    server.close()
    use_settings(None)


def test_contacts_are_pulled_past_the_search_cap_and_then_only_what_changed(hubspot, tmp_path):
    for number in range(450):
        _contact(hubspot, number, minutes=number)
    hubspot.search_results_limit = 200  # HubSpot's 10,000, scaled down on both sides
    pipeline = dlt.pipeline("hubspot_cap", destination=dlt.destinations.duckdb(
        str(tmp_path / "pull.duckdb")), pipelines_dir=str(tmp_path / "dlt"),
        dataset_name="raw_crm")

    def pull() -> int:
        info = pipeline.run(hubspot_contacts(TOKEN, hubspot.url, None, results_limit=200))
        return query(tmp_path / "pull.duckdb", "select count(*) from raw_crm.contacts "
                     "where _dlt_load_id = ?", [info.loads_ids[0]])[0][0]

    assert pull() == 450
    assert query(tmp_path / "pull.duckdb", """
        select count(distinct record_id), min(_source_file), count(*) filter (
            where first_name = 'Lan' and marketing_contact_status = 'Marketing contact'
            and last_modified_date is not null)
        from raw_crm.contacts""") == [(450, "hubspot api: contacts search", 450)]
    restarts = [body for body in hubspot.searches
                if body["filterGroups"][0]["filters"][0]["operator"] == "GTE"]
    # Each restart is a new query (no `after`), from the last modification time reached.
    firsts = [body for body in restarts if "after" not in body]
    assert len(firsts) == 2 and all(int(body["after"]) < 200 for body in restarts
                                    if "after" in body)

    hubspot.searches.clear()
    _contact(hubspot, 7, minutes=1000, lifecyclestage="customer")
    assert pull() == 1
    [body] = hubspot.searches
    since = int(body["filterGroups"][0]["filters"][0]["value"])
    assert since == int((START + timedelta(minutes=449)).timestamp() * 1000)


def test_pulled_contacts_are_the_crm_source_s_records(hubspot, tmp_path):
    _contact(hubspot, 7, minutes=1, lifecyclestage="customer")
    exports, warehouse = lay_out(tmp_path / "exports"), tmp_path / "warehouse" / "cdp.duckdb"

    [crm] = [system for system in run_ingest(exports, warehouse).systems
             if system.system == "crm"]

    assert crm.rows_added == 1
    run_transform(warehouse)
    assert query(warehouse, """
        select lifecycle_stage, email_normalized from staging.stg_crm__contacts
        where contact_id = '5007'""") == [("customer", "c7@hs-test.vn")]


def test_a_contact_that_cannot_be_read_is_set_aside(hubspot, tmp_path):
    _contact(hubspot, 1, minutes=1)
    _contact(hubspot, 2, minutes=2, createdate="the day we met")
    exports, warehouse = lay_out(tmp_path / "exports"), tmp_path / "warehouse" / "cdp.duckdb"

    run_ingest(exports, warehouse)

    assert query(warehouse, "select record_id from raw_crm.contacts") == [("5001",)]
    [(source, reason)] = query(warehouse, """
        select source_file, reason from raw_crm.hubspot_quarantine""")
    assert source == "hubspot api: contacts search"
    assert reason == "unparseable timestamp in 'createdate': the day we met"
