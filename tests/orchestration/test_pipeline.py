"""The whole graph, materialized for real: dlt, dbt, Great Expectations and publishing."""

import json
from pathlib import Path

import duckdb
import pytest
from dagster import RunsFilter
from dagster._core.storage.tags import REPOSITORY_LABEL_TAG

from cdp.orchestration.definitions import defs
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.runner import instance_for, run_pipeline
from cdp.publishing.publish import current_manifest
from cdp.settings import use_settings
from tests.helpers import deliver_next_night, query


def _settings(tmp_path: Path, exports: Path) -> CdpSettings:
    warehouse = tmp_path / "warehouse" / "cdp.duckdb"
    return CdpSettings(
        exports_dir=str(exports),
        warehouse=str(warehouse),
        published_warehouse=str(tmp_path / "published" / "cdp.duckdb"),
        reports_dir=str(tmp_path / "reports"),
    )


@pytest.fixture
def settings(tmp_path: Path, exports_dir: Path) -> CdpSettings:
    return _settings(tmp_path, exports_dir)


def _published(settings: CdpSettings, sql: str) -> list[tuple]:
    with duckdb.connect(settings.published_warehouse, read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_two_nights_end_to_end(settings, sample_dir, exports_dir):
    first = run_pipeline(settings)

    assert first.success, first.failure_report()
    assert first.published and not first.failed_checks
    # Every check of the code location ran (dbt tests and GX suites) and passed.
    defined = {(key.asset_key.to_user_string(), key.name)
               for key in defs.get_repository_def().asset_graph.asset_check_keys}
    ran = {(check.asset_key.to_user_string(), check.check_name): check.passed
           for check in first.evaluations}
    assert set(ran) == defined
    assert [check for check, passed in ran.items() if not passed] == []
    customers = query(Path(settings.warehouse), "select count(*) from marts.customers")
    assert _published(settings, "select count(*) from marts.customers") == customers
    assert Path(settings.data_docs_index).exists()
    # The run's report carries the identity review and Splink's match weights chart, which
    # opens offline (its scripts inline, no URL to fetch).
    [run_page] = Path(settings.reports_dir).glob("runs/*/index.html")
    assert 'id="identity"' in run_page.read_text(encoding="utf-8")
    chart = (run_page.parent / "match_weights.html").read_text(encoding="utf-8")
    assert "vegaEmbed" in chart and "<script src" not in chart
    # One count of checks: the report files every check the run evaluated, dbt's tests and
    # the destinations' checks included, each with a description.
    filed = [json.loads(path.read_text()) for path in run_page.parent.glob("checks/*.json")]
    assert len(filed) == len(first.evaluations)
    assert all(record["description"] for record in filed)
    # Listed where Dagster's UI looks for the job's runs: by job and repository label.
    instance = instance_for(settings)
    listed = instance.get_runs(RunsFilter(job_name="cdp_nightly",
                                          tags={REPOSITORY_LABEL_TAG: "__repository__@cdp"}))
    assert [run.run_id for run in listed] == [first.run_id]
    assert listed[0].remote_job_origin.location_name == "cdp"
    instance.dispose()
    night_one_ids = dict(query(Path(settings.warehouse), """
        select source || ':' || record_id, customer_id from marts.customer_records"""))
    # A contact deleted in HubSpot tonight: one that is a customer on its own.
    [(deleted,)] = query(Path(settings.warehouse), """
        select min(record_id) from marts.customer_records
        where source = 'crm' and customer_id in (
            select customer_id from marts.customer_records group by 1 having count(*) = 1)""")
    night_one_ids.pop(f"crm:{deleted}")

    deliver_next_night(sample_dir, exports_dir)
    (exports_dir / "crm" / "deleted").mkdir()
    (exports_dir / "crm" / "deleted" / "deleted-contacts.csv").write_text(
        f"Record ID\n{deleted}\n")
    second = run_pipeline(settings)

    assert second.success, second.failure_report()
    # Retired, not lost: out of the published records, listed, its raw versions kept; the
    # night's summary counts the CRM load once.
    assert _published(settings, "select count(*) from marts.customer_records "
                                f"where source = 'crm' and record_id = '{deleted}'") == [(0,)]
    assert _published(settings, "select record_id from marts.retired_records") == [(deleted,)]
    assert query(Path(settings.warehouse), "select count(*) > 0 from raw_crm.contacts "
                                           f"where record_id = '{deleted}'") == [(True,)]
    assert [load.system for load in second.loads].count("crm") == 1
    warehouse = Path(settings.warehouse)
    # Nothing duplicated: every raw version once, every order once.
    assert query(warehouse, """
        select count(*) - count(distinct (record_id, _record_hash)) from raw_crm.contacts
    """) == [(0,)]
    assert _published(settings, "select count(*) - count(distinct order_id) "
                                "from marts.orders") == [(0,)]
    # Refunds applied.
    refunded = _published(settings, "select count(*), sum(refunded_amount) from marts.orders "
                                    "where is_refunded")
    assert refunded[0][0] > 0 and refunded[0][1] > 0
    # Ids stable: a night-1 record keeps its customer unless its customer merged into another.
    night_two_ids = dict(query(warehouse, """
        select source || ':' || record_id, customer_id from marts.customer_records"""))
    merged = dict(query(warehouse, "select merged_customer_id, surviving_customer_id "
                                   "from marts.customer_merges"))
    for record, customer in night_one_ids.items():
        assert night_two_ids[record] == merged.get(customer, customer), record


def test_a_failing_blocking_check_keeps_the_previous_version(settings, monkeypatch):
    assert run_pipeline(settings).success
    published = Path(settings.published_warehouse)
    before = current_manifest(published)
    customers_before = _published(settings, "select count(*) from marts.customers")

    # Tighten the over-merge guard below what the data holds: a customer larger than half the
    # population's 0.999 quantile of sizes now counts as an outlier, and that check guards
    # publishing.
    monkeypatch.setenv("CDP_CUSTOMER_SIZE_FACTOR", "0.5")
    monkeypatch.setenv("CDP_CUSTOMER_SIZE_FLOOR", "1")
    use_settings(None)  # read again, as the next night's process would
    outcome = run_pipeline(settings)

    assert not outcome.success and not outcome.published
    [failed] = outcome.failed_checks
    assert failed.check_name == "marts_customers_size_not_an_outlier"
    report = outcome.failure_report()
    assert "marts/customers / marts_customers_size_not_an_outlier" in report
    assert "offending rows" in report and "records_count" in report
    assert current_manifest(published) == before
    assert _published(settings, "select count(*) from marts.customers") == customers_before
