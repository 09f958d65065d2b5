"""Incremental nights against a full refresh and a build from nothing, on real runs.

Five generated nights (new people, updated contacts, refunds of orders weeks old, late
identifies of anonymous devices) go through the nightly job one by one, with an analyst's
override before night 3, an erasure before night 4, and, before night 5, a shorter retention
window on website events (older events deleted from the raw and the staged table, some devices
emptied). Then:
- a full refresh (`--full-refresh`: every model from all of history, the id history and the
  saved matching model kept) builds every mart identical, row for row, and says so itself;
- a build from nothing over the same files (and the same override and erasure) groups the
  records into exactly the same customers;
- a night with no new file runs no model.
"""

import dataclasses
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.runner import instance_for, run_pipeline
from cdp.privacy.policy import load_policy
from cdp.privacy.retention import apply_table_retention
from cdp.privacy_requests.requests import Selector, erase
from cdp.publishing.differences import NOT_COMPARED_COLUMNS, NOT_COMPARED_TABLES
from cdp.sample import generate_sample_exports, night_folders
from cdp.settings import load_settings, use_settings
from tests.helpers import SAMPLE_CUSTOMERS, SAMPLE_SEED, query
from tests.privacy_requests.deployment import CDP

PEOPLE, NIGHTS, SEED = SAMPLE_CUSTOMERS, 5, SAMPLE_SEED
OVERRIDES_HEADER = "action,record_or_identifier,other_record,reason\n"


def _deployment(folder: Path, overrides: Path) -> CdpSettings:
    """A deployment in `folder` whose settings come from its own cdp.toml (for the `cdp`
    command as well), reading the analysts' overrides from `overrides`."""
    folder.mkdir(parents=True, exist_ok=True)
    toml = folder / "cdp.toml"
    toml.write_text(f"""[paths]
exports_dir = "{folder / 'exports'}"
warehouse = "{folder / 'warehouse' / 'cdp.duckdb'}"
published_warehouse = "{folder / 'published' / 'cdp.duckdb'}"
reports_dir = "{folder / 'reports'}"

[models]
identity_overrides_csv = "{overrides}"
""")
    use_settings(load_settings(config_file=toml))
    return CdpSettings.from_settings()


def _night(settings: CdpSettings, night: Path, full_refresh: bool = False) -> None:
    shutil.copytree(night, settings.exports_dir, dirs_exist_ok=True)
    outcome = run_pipeline(settings, full_refresh=full_refresh)
    assert outcome.success, outcome.failure_report()


def _split_override(settings: CdpSettings) -> str:
    """A never_link between two records of one customer from two sources."""
    [(left, right)] = query(Path(settings.warehouse), """
        select min(source || ':' || record_id), max(source || ':' || record_id)
        from marts.customer_records
        where source in ('crm', 'pos')
        group by customer_id
        having count(distinct source) = 2
        order by count(*) desc, customer_id
        limit 1""")
    return f"never_link,{left},{right},two people (a test's ticket)\n"


def _erasure_subject(settings: CdpSettings) -> str:
    [(email,)] = query(Path(settings.warehouse), """
        select email from marts.customers
        where email is not null and orders_count > 0
        order by records_count desc, customer_id
        limit 1""")
    return email


def _shorten_website_retention(settings: CdpSettings, now: datetime) -> dict[str, int]:
    """Website events older than 600 days deleted from the raw and the staged table, as the
    nightly privacy step does with a policy saying so; `now` fixed, so that two deployments
    lose the same events."""
    policy = load_policy()
    shorter = dataclasses.replace(policy, tables=tuple(
        dataclasses.replace(rule, keep_days=600) for rule in policy.tables
        if rule.table in ("raw_website.events", "staging.stg_website__events")))
    with duckdb.connect(settings.warehouse) as connection:
        connection.execute("begin")
        deleted = apply_table_retention(connection, shorter, now)
        connection.execute("commit")
    return deleted


def _erase(settings: CdpSettings, email: str) -> None:
    erase(settings, Selector(email=email), requested_by="the person (ticket 7)",
          reason="erasure request", confirmed=True)


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CdpSettings]:
    root = tmp_path_factory.mktemp("incremental")
    sample = root / "sample"
    generate_sample_exports(sample, PEOPLE, SEED, nights=NIGHTS)
    folders = night_folders(sample)
    assert len(folders) == NIGHTS
    overrides = root / "overrides.csv"
    overrides.write_text(OVERRIDES_HEADER)
    retention_now = datetime.now(UTC)
    try:
        incremental = _deployment(root / "incremental", overrides)
        for number, night in enumerate(folders, start=1):
            if number == 3:
                overrides.write_text(OVERRIDES_HEADER + _split_override(incremental))
            if number == 4:
                subject = _erasure_subject(incremental)
                _erase(incremental, subject)
            if number == 5:
                deleted = _shorten_website_retention(incremental, retention_now)
            _night(incremental, night)

        # The marts as the nights left them, kept aside; then the same warehouse, every model
        # rebuilt from all of history, compares itself with what the nights published.
        shutil.copytree(root / "incremental", root / "nights_left", symlinks=True)
        outcome = run_pipeline(incremental, full_refresh=True)
        assert outcome.success, outcome.failure_report()
        drift = outcome.published_metadata["full_refresh_differences"]

        # Every night's files at once into a new warehouse, with the same requests.
        scratch = _deployment(root / "from_nothing", overrides)
        Path(scratch.exports_dir).mkdir(parents=True)
        for night in folders:
            shutil.copytree(night, scratch.exports_dir, dirs_exist_ok=True)
        _night(scratch, folders[0])
        _shorten_website_retention(scratch, retention_now)
        _erase(scratch, subject)  # restages the anonymized sales, builds the rest incrementally
    finally:
        use_settings(None)
    return {"incremental": root / "nights_left" / "warehouse" / "cdp.duckdb",
            "refreshed": incremental, "drift": drift, "from_nothing": scratch,
            "root": root, "erased": subject, "retention_deleted": deleted}


def _marts(warehouse: Path) -> list[str]:
    return [table for (table,) in query(warehouse, """
        select table_name from information_schema.tables
        where table_schema = 'marts' order by 1""")]


def test_a_full_refresh_after_incremental_nights_builds_every_mart_identical(nights):
    incremental = nights["incremental"]
    refreshed = Path(nights["refreshed"].warehouse)
    # What the run itself reports, comparing with the version the last night published.
    assert nights["drift"] == {}
    tables = _marts(incremental)
    assert {"customers", "customer_records", "orders", "events", "sessions",
            "identity_graph", "customer_merges"} <= set(tables)
    assert tables == _marts(refreshed)
    different = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{incremental}' as incremental (read_only)")
        connection.execute(f"attach '{refreshed}' as refreshed (read_only)")
        for table in sorted(set(tables) - NOT_COMPARED_TABLES):
            columns = ", ".join(
                f'"{name}"' for (name,) in connection.execute(
                    f"select column_name from (describe incremental.marts.{table})").fetchall()
                if name not in NOT_COMPARED_COLUMNS)
            rows = [connection.execute(
                f"select count(*) from (select {columns} from {one}.marts.{table} "
                f"except all select {columns} from {other}.marts.{table})").fetchone()[0]
                for one, other in (("incremental", "refreshed"), ("refreshed", "incremental"))]
            if any(rows):
                different[table] = rows
    assert not different, f"rows only in (incremental, full refresh): {different}"
    # The nights did change what the marts hold: late identifies, refunds, the override.
    assert query(incremental, "select count(*) from marts.customers")[0][0] > PEOPLE
    # The shorter retention window deleted events before night 5, and emptied devices.
    assert nights["retention_deleted"]["raw_website.events"] > 0
    assert query(incremental, "select count(*) from intermediate.int_events_sessionized "
                              "where event_id is null")[0][0] > 0


def _groups(warehouse: Path) -> set[frozenset[str]]:
    return {frozenset(keys.split("|")) for (keys,) in query(warehouse, """
        select string_agg(source || ':' || record_id, '|' order by source, record_id)
        from marts.customer_records group by customer_id""")}


def test_a_build_from_nothing_groups_the_records_into_the_same_customers(nights):
    incremental = _groups(nights["incremental"])
    from_nothing = _groups(Path(nights["from_nothing"].warehouse))
    assert len(incremental) > PEOPLE
    assert incremental == from_nothing, (
        f"{len(incremental - from_nothing)} customers only incremental, "
        f"{len(from_nothing - incremental)} only from nothing")


def test_the_override_and_the_erasure_hold_through_the_later_nights(nights):
    warehouse = nights["incremental"]
    overrides = (nights["root"] / "overrides.csv").read_text().splitlines()[1:]
    [(left, right)] = [tuple(line.split(",")[1:3]) for line in overrides]
    customers = query(warehouse, """
        select count(distinct customer_id) from marts.customer_records
        where source || ':' || record_id in (?, ?)""", [left, right])
    assert customers == [(2,)]
    # Nights 4 and 5 brought the erased person's records again: dropped at loading.
    assert query(warehouse, "select count(*) from marts.customers where email = ?",
                 [nights["erased"]]) == [(0,)]


def test_a_night_with_no_new_file_runs_no_model(nights):
    settings = nights["refreshed"]
    warehouse = Path(settings.warehouse)
    built_before = query(warehouse, "select built_at from cdp_state.model_builds")
    runs_before = len(instance_for(settings).get_run_records())
    versions_before = sorted((Path(settings.published_warehouse).parent).rglob("*.parquet"))

    night = subprocess.run(
        [CDP, "run"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "CDP_CONFIG": str(Path(settings.warehouse).parents[1] / "cdp.toml")})

    assert night.returncode == 0, night.stdout + night.stderr
    lines = night.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("nothing new since run "), night.stdout
    assert query(warehouse, "select built_at from cdp_state.model_builds") == built_before
    assert len(instance_for(settings).get_run_records()) == runs_before
    assert sorted((Path(settings.published_warehouse).parent).rglob("*.parquet")) \
        == versions_before


def test_the_nightly_schedule_skips_a_night_with_nothing_new(nights):
    from dagster import build_schedule_context

    from cdp.orchestration.automation import nightly_schedule_for

    toml = Path(nights["refreshed"].warehouse).parents[1] / "cdp.toml"
    use_settings(load_settings(config_file=toml))
    schedule = nightly_schedule_for(load_settings(config_file=toml).schedule)

    tick = schedule.evaluate_tick(build_schedule_context())

    assert not tick.run_requests
    assert tick.skip_message.startswith("nothing new since run "), tick.skip_message
