"""A processing restriction keeps the person's data but takes them out of every consent and
segment, and holds on later builds."""

import shutil
from pathlib import Path

from cdp.orchestration.resources import CdpSettings
from cdp.privacy.store import PrivacyStore
from cdp.privacy_requests.requests import Selector, restrict
from tests.helpers import query, run_transform


def test_a_restricted_customer_keeps_their_data_and_leaves_every_segment(
        built_sample, tmp_path, monkeypatch):
    monkeypatch.setenv("CDP_PRIVACY_SALT", "a-test-salt")
    folder = tmp_path / "warehouse"
    shutil.copytree(built_sample.parent, folder)
    warehouse = folder / built_sample.name
    settings = CdpSettings(exports_dir=str(tmp_path / "exports"), warehouse=str(warehouse),
                           published_warehouse=str(tmp_path / "published" / "cdp.duckdb"),
                           reports_dir=str(tmp_path / "reports"))
    [(customer_id, records, record_id)] = query(warehouse, """
        select customers.customer_id, customers.records_count, any_value(records.record_id)
        from marts.customers
        inner join marts.customer_records as records using (customer_id)
        where customers.has_marketing_consent and customers.orders_count > 0
            and records.source = 'crm'
        group by all order by customers.customer_id limit 1""")
    segments_before = query(warehouse, """
        select customer_id, segment_type, segment_name from marts.customer_segments
        where customer_id != ? order by all""", [customer_id])

    result = restrict(settings, Selector(record=f"crm:{record_id}"), requested_by="the person",
                      reason="objects to profiling")

    assert result.subject.customer_ids == [customer_id] and not result.notes
    assert query(warehouse, """
        select records_count, is_processing_restricted, has_marketing_consent,
            consent_email_marketing, consent_sms_marketing, consent_advertising,
            consent_analytics
        from marts.customers where customer_id = ?""", [customer_id]) == [
        (records, True, False, "withdrawn", "withdrawn", "withdrawn", "withdrawn")]
    assert query(warehouse, "select count(*) from marts.customer_segments "
                            "where customer_id = ?", [customer_id]) == [(0,)]
    # Not profiled: no predicted traits, and their history is left out of the models' fit.
    assert query(warehouse, """
        select prediction_status, p_active, churn_probability_90d, predicted_clv_12m
        from marts.customers where customer_id = ?""", [customer_id]) == [
        ("restricted", None, None, None)]
    assert query(warehouse, "select count(*) from intermediate.int_customer_predictions "
                            "where customer_id = ?", [customer_id]) == [(0,)]
    assert query(warehouse, """
        select customer_id, segment_type, segment_name from marts.customer_segments
        order by all""") == segments_before
    [request] = PrivacyStore(warehouse).requests()
    assert (request["kind"], request["customers_matched"]) == ("restrict", 1)
    assert record_id not in str(request)  # the audit names nobody

    # The restriction lives in the privacy store and holds on every later build.
    run_transform(warehouse)
    assert query(warehouse, "select is_processing_restricted from marts.customers "
                            "where customer_id = ?", [customer_id]) == [(True,)]
    assert Path(PrivacyStore(warehouse).path).exists()
