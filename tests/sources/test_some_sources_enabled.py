"""A deployment that uses some of the built-in systems only: with `CDP_SOURCES_ENABLED=crm,pos`
and no folder for the website or social leads, the sample's CRM and shop exports load, dbt
builds every model and test, and the marts hold what those two systems imply and nothing of
the others."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cdp.settings import use_settings
from tests.helpers import query, run_ingest, run_transform

ENABLED = ("crm", "pos")
DELETED_CONTACT = "10000001"  # a sample contact a HubSpot deletion list then retires


@pytest.fixture
def crm_and_pos_only(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CDP_SOURCES_ENABLED", ",".join(ENABLED))
    use_settings(None)  # read the environment again
    yield
    use_settings(None)


@pytest.fixture
def built(crm_and_pos_only, sample_dir: Path, tmp_path: Path) -> Path:
    exports = tmp_path / "exports"
    for system in ENABLED:  # the others have no folder at all
        shutil.copytree(sample_dir / "exports" / system, exports / system)
    (exports / "crm" / "deleted").mkdir()
    (exports / "crm" / "deleted" / "deleted-contacts.csv").write_text(
        f"Record ID\n{DELETED_CONTACT}\n")  # undated: retired as of its load
    warehouse = tmp_path / "warehouse" / "cdp.duckdb"
    report = run_ingest(exports, warehouse)
    assert [load.system for load in report.systems] == list(ENABLED)
    run_transform(warehouse)  # raises naming the model or test that failed
    return warehouse


def test_a_deployment_of_some_sources_builds_marts_of_those_sources_only(built):
    assert query(built, "select distinct source from marts.customer_records order by 1") == [
        ("crm",), ("pos",)]
    # Every contact not deleted and every order is a record of exactly one customer.
    [(expected,)] = query(built, f"""
        select
            (select count(distinct record_id) from raw_crm.contacts
             where record_id <> '{DELETED_CONTACT}')
            + (select count(distinct name) from raw_pos.order_lines)""")
    assert query(built, """
        select count(*), count(distinct (source, record_id)), count(customer_id)
        from marts.customer_records""") == [(expected, expected, expected)]
    assert query(built, "select count(*) from marts.customer_records where record_id = ?",
                 [DELETED_CONTACT]) == [(0,)]
    # Names come from both systems' records.
    assert query(built, """
        select count(*) filter (where full_name is null) * 10 < count(*)
        from marts.customer_records""") == [(True,)]

    # Orders: every order, net of refunds as Shopify states them, on its buyer.
    [(raw_orders, raw_net)] = query(built, """
        with first_lines as (
            select name, total, refunded_amount,
                row_number() over (
                    partition by name order by _dlt_load_id desc, _source_file desc) as newest
            from raw_pos.order_lines where line_position = 1
        )
        select count(*), sum(total - refunded_amount) from first_lines where newest = 1""")
    assert query(built, "select count(*), sum(net_revenue), count(customer_id) "
                        "from marts.orders") == [(raw_orders, raw_net, raw_orders)]
    assert query(built, "select count(*) from marts.order_lines") == query(
        built, "select count(*) from raw_pos.order_lines")
    assert query(built, "select sum(orders_count), sum(net_revenue) from marts.customers") == [
        (raw_orders, raw_net)]

    # Customers: made of CRM contacts and orders only; no web activity, no leads.
    assert query(built, """
        select distinct sources from marts.customers order by 1""") == [
        ("crm",), ("crm, pos",), ("pos",)]
    assert query(built, """
        select sum(events_count), sum(web_sessions_count), sum(leads_count)
        from marts.customers""") == [(0, 0, 0)]
    assert query(built, """
        select count(*) from marts.customers
        where sources like '%crm%' and crm_lifecycle_stage is null""") == [(0,)]
    for empty in ("events", "sessions"):
        assert query(built, f"select count(*) from marts.{empty}") == [(0,)], empty
    assert query(built, "select distinct source from marts.data_issues "
                        "where source not in ('crm', 'pos')") == []


def test_a_night_of_the_website_alone_passes_every_check_and_publishes(
        sample_dir: Path, tmp_path: Path):
    """`cdp run`, checks and publishing included, with one system: the checks that reconcile
    the marts with the raw tables (every record mapped, revenue, bad-value shares) read the
    enabled sources, so none names a raw table that is not there. (A process of its own: the
    Dagster code location is built once, from the deployment's settings.)"""
    exports = tmp_path / "exports"
    shutil.copytree(sample_dir / "exports" / "website", exports / "website")
    published = tmp_path / "published" / "cdp.duckdb"
    environment = {**os.environ, "CDP_SOURCES_ENABLED": "website",
                   "DAGSTER_HOME": str(tmp_path / "dagster"),
                   "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    night = subprocess.run(
        [str(Path(sys.executable).with_name("cdp")), "run", "--quiet", "--exports-dir",
         str(exports), "--warehouse", str(tmp_path / "warehouse" / "cdp.duckdb"),
         "--published", str(published)],
        env=environment, capture_output=True, text=True, timeout=900)
    assert night.returncode == 0, night.stdout + night.stderr
    assert query(published, "select distinct source from marts.customer_records") == [
        ("website",)]
    assert query(published, "select count(*) from marts.orders") == [(0,)]
