"""Nothing wrong is ever published, and every failure says why in one line. Real runs of the
nightly job (dlt, dbt, Great Expectations, Dagster) against one published deployment; each test
that must not publish checks that the version BI tools read did not change."""

import csv
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cdp.cli.main import main
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.runner import run_pipeline
from cdp.publishing.publish import current_manifest
from cdp.quality.thresholds import Thresholds
from cdp.testing.exports_builder import lay_out, write_contacts, write_events, write_orders

BAD_PHONE = "+84 12 345"


def _settings(root: Path, exports: Path, warehouse: str = "warehouse",
              published: Path | None = None, **options) -> CdpSettings:
    return CdpSettings(
        exports_dir=str(exports),
        warehouse=str(root / warehouse / "cdp.duckdb"),
        published_warehouse=str(published or root / "published" / "cdp.duckdb"),
        reports_dir=str(root / warehouse / "reports"),
        **options,
    )


def _published(settings: CdpSettings, sql: str) -> list[tuple]:
    with duckdb.connect(settings.published_warehouse, read_only=True) as connection:
        return connection.execute(sql).fetchall()


@dataclass(frozen=True)
class NightOne:
    settings: CdpSettings
    run_id: str
    manifest: dict  # what night one published, before any later test replaces it


@pytest.fixture(scope="module")
def night_one(tmp_path_factory, sample_dir) -> NightOne:
    """Night 1 of the sample, plus one bad value of each kind, run and published."""
    root = tmp_path_factory.mktemp("deployment")
    exports = root / "exports"
    shutil.copytree(sample_dir / "exports", exports)
    write_contacts(exports, "contacts-typo.csv", [
        {"Record ID": "typo-1", "First Name": "An", "Last Name": "Lê", "Phone Number": BAD_PHONE,
         "Email": "...@gmail.com"},
    ])
    write_orders(exports, "orders-typo.csv", [
        {"Name": "#TYPO-1", "Billing Name": "Lê An", "Total": "-50000", "Email": "an@x.vn"},
    ])
    write_events(exports, "events-typo.jsonl", [
        {"messageId": "typo-1", "type": "track", "event": "Order Completed",
         "anonymousId": "typo-device", "timestamp": "2026-11-20T01:00:00Z",
         "properties": {"order_id": "#TYPO-2", "revenue": "1.000.000", "currency": "VND"}},
        {"messageId": "typo-2", "type": "track", "event": "Order Completed",
         "anonymousId": "typo-device", "timestamp": "2026-11-20T02:00:00Z",
         "properties": {"order_id": "#TYPO-3", "revenue": "1.2.3", "currency": "VND"}},
    ])
    settings = _settings(root, exports)
    outcome = run_pipeline(settings)
    assert outcome.success, outcome.failure_report()
    return NightOne(settings, outcome.run_id, current_manifest(Path(settings.published_warehouse)))


@pytest.fixture(scope="module")
def deployment(night_one) -> CdpSettings:
    return night_one.settings


def test_bad_values_are_set_aside_one_by_one_and_the_night_publishes(deployment):
    issues = _published(deployment, """
        select source, record_id, column_name, value, reason from marts.data_issues
        where record_id like '%typo%' or record_id like '%TYPO%' order by all""")
    assert issues == [
        ("crm", "typo-1", "email", "...@gmail.com", "not a valid email address"),
        ("crm", "typo-1", "phone_number", BAD_PHONE, "not a valid phone number"),
        ("pos", "#TYPO-1", "total", "-50000.00", "negative amount"),
        ("website", "typo-2", "properties.revenue", "1.2.3", "unparseable amount"),
    ]
    # The records themselves are kept; only the values are left out.
    assert _published(deployment, """
        select count(*) from marts.customer_records where record_id in ('typo-1', '#TYPO-1')
    """) == [(2,)]
    assert _published(deployment, "select total, net_revenue from marts.orders "
                                   "where order_id = '#TYPO-1'") == [(None, None)]
    # A Vietnamese-written web revenue is read as written: one million, not one.
    assert _published(deployment, "select order_revenue from marts.events "
                                   "where event_id = 'typo-1'")[0][0] == 1_000_000
    # What is published holds only well-formed identifiers.
    assert _published(deployment, r"""
        select count(*) from marts.customers
        where not regexp_matches(phone, '^\+[1-9][0-9]{7,14}$')
            or not regexp_matches(email, '^[^@\s]+@[^@\s]+\.[a-z]{2,}$')""") == [(0,)]


def test_a_missing_exports_folder_stops_run_and_ingest_with_one_line(deployment, tmp_path):
    before = current_manifest(Path(deployment.published_warehouse))
    missing = tmp_path / "no" / "such" / "folder"
    for command in (["run", "--published", deployment.published_warehouse],
                    ["ingest"]):
        result = CliRunner().invoke(main, [
            *command[:1], "--exports-dir", str(missing),
            "--warehouse", str(tmp_path / "new" / "cdp.duckdb"), *command[1:]])

        assert result.exit_code == 2, result.output
        # `cdp run` names what it runs on first, at once; then the one line of the cause.
        lines = result.output.strip().splitlines()
        assert lines[-1] == f"error: exports folder {missing} does not exist"
        assert len(lines) <= 2
    assert current_manifest(Path(deployment.published_warehouse)) == before


def test_an_empty_exports_folder_never_replaces_the_published_marts(deployment, tmp_path):
    published = Path(deployment.published_warehouse)
    before = current_manifest(published)
    # A typo in a cron line: the right layout, an empty folder, and a new warehouse.
    settings = _settings(tmp_path, lay_out(tmp_path / "empty"), published=published)

    outcome = run_pipeline(settings)

    assert not outcome.published and not outcome.success
    assert "not_emptied failed" in outcome.cause()
    assert "holds rows whenever it did when the published version was built" in outcome.cause()
    assert current_manifest(published) == before
    assert _published(deployment, "select count(*) from marts.customers")[0][0] == \
        before["tables"]["customers"]


def test_a_check_that_errors_blocks_publishing_like_a_failed_one(deployment, monkeypatch):
    published = Path(deployment.published_warehouse)
    before = current_manifest(published)

    def unreadable_limits(cls, *arguments, **keywords):  # what a bug in a check would raise
        raise ValueError("could not convert string to float: 'two hundred'")

    monkeypatch.setattr(Thresholds, "from_settings", classmethod(unreadable_limits))

    outcome = run_pipeline(deployment)

    assert not outcome.published
    cause = outcome.cause()
    # The first check to error names itself: a raw table's, the first source's in name order.
    assert re.match(r"[a-z]+__[a-z_]+_raw_[a-z]+_", cause) and "ValueError" in cause
    assert "'two hundred'" in cause and "\n" not in cause
    assert current_manifest(published) == before


def test_a_typo_in_a_setting_stops_the_night_before_it_starts(deployment):
    published = Path(deployment.published_warehouse)
    before = current_manifest(published)
    result = CliRunner().invoke(main, [
        "run", "--quiet", "--exports-dir", deployment.exports_dir,
        "--warehouse", deployment.warehouse, "--published", str(published)],
        env={"CDP_CUSTOMER_SIZE_FLOOR": "two hundred"})
    assert result.exit_code == 2
    assert result.output.splitlines()[-1].startswith(
        "error: setting quality.customer_size_floor (from CDP_CUSTOMER_SIZE_FLOOR)")
    assert current_manifest(published) == before


def test_a_collapsed_mart_is_published_only_when_the_run_allows_it(deployment, tmp_path,
                                                                    sample_dir):
    published = Path(deployment.published_warehouse)
    before = current_manifest(published)
    # The same systems, but the exports cut to a fifth of their records (a broken export).
    exports = lay_out(tmp_path / "exports")
    for source in (sample_dir / "exports").rglob("*.*"):
        target = exports / source.relative_to(sample_dir / "exports")
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
        head = 0 if source.suffix == ".jsonl" else 1
        target.write_text("".join(lines[:head] + lines[head:][: len(lines) // 5]),
                          encoding="utf-8")

    shrunk = run_pipeline(_settings(tmp_path, exports, published=published))

    assert not shrunk.published
    assert "marts_customers_not_shrunk failed" in shrunk.cause()
    assert current_manifest(published) == before

    allowed = run_pipeline(_settings(tmp_path, exports, published=published, allow_shrink=True))

    assert allowed.published, allowed.failure_report()
    after = current_manifest(published)
    assert after["tables"]["customers"] < before["tables"]["customers"] * 0.5


def test_the_run_records_its_steps_and_report_for_people(night_one):
    """Row counts on every raw and dbt asset, the run in the persistent Dagster instance, and a
    quality report that opens offline."""
    from cdp.orchestration.runner import instance_for

    instance = instance_for(night_one.settings)
    try:
        run = instance.get_run_by_id(night_one.run_id)
        materializations = {
            event.asset_materialization.asset_key.to_user_string():
                event.asset_materialization.metadata
            for event in instance.all_logs(night_one.run_id) if event.asset_materialization
        }
    finally:
        instance.dispose()
    assert run.tags["cdp/launched_by"] == "cdp run"
    assert materializations["crm/contacts"]["dagster/row_count"].value > 0
    assert materializations["marts/customers"]["dagster/row_count"].value == \
        night_one.manifest["tables"]["customers"]
    report = Path(night_one.settings.data_docs_index).read_text(encoding="utf-8")
    assert "<style>" in report and "http" not in report


def test_files_set_aside_make_the_run_exit_3_with_the_reason(tmp_path, sample_dir):
    exports = lay_out(tmp_path / "exports")
    rows = list(csv.DictReader((sample_dir / "exports" / "crm").glob("*.csv").__next__().open(
        encoding="utf-8")))[:20]
    write_contacts(exports, "contacts.csv", rows)
    (exports / "website" / "events.jsonl.gz").write_text(json.dumps({"messageId": "m"}))

    result = CliRunner().invoke(main, ["run", "--exports-dir", str(exports),
                                       "--warehouse", str(tmp_path / "w" / "cdp.duckdb")])

    assert result.exit_code == 3, result.output
    assert "set aside: website/events.jsonl.gz: named .gz but not gzip-compressed" in \
        result.output
    last = result.output.strip().splitlines()[-2]  # the last line before the elapsed time
    assert last.startswith("Published version ") and "1 file set aside" in last
