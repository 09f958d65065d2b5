"""Retention deletes exactly what is past its window, and nothing else."""

import os
import shutil
from datetime import UTC, datetime, timedelta

import duckdb

from cdp.privacy.policy import load_policy
from cdp.privacy.retention import apply_file_retention, apply_table_retention
from tests.helpers import query


def test_rows_and_files_past_their_window_are_deleted(built_sample, tmp_path):
    warehouse = tmp_path / "cdp.duckdb"
    shutil.copy(built_sample, warehouse)
    [(newest,)] = query(warehouse, "select max(timestamp) from raw_website.events")
    now = newest + timedelta(days=1)
    # A window that cuts through the events; one no quarantined row is old enough for (they
    # were loaded minutes ago); one for a table this warehouse does not have.
    policy_file = tmp_path / "policy.yml"
    policy_file.write_text("""
retention:
  tables:
    - {table: raw_website.events, age_from: timestamp, keep_days: 60}
    - {table: raw_pos.quarantine, age_from: loaded, keep_days: 100}
    - {table: raw_nowhere.table, age_from: loaded, keep_days: 1}
  files: {logs: 30}
""")
    policy = load_policy(policy_file)
    cutoff = now - timedelta(days=60)
    [(old_events, total_events)] = query(warehouse, """
        select count(*) filter (where timestamp < ?), count(*) from raw_website.events""",
                                         [cutoff])
    contacts = query(warehouse, "select count(*) from raw_crm.contacts")
    assert 0 < old_events < total_events

    with duckdb.connect(str(warehouse)) as connection:
        deleted = apply_table_retention(connection, policy, now)

    assert deleted == {"raw_website.events": old_events, "raw_pos.quarantine": 0}
    assert query(warehouse, """
        select count(*), min(timestamp) >= ? from raw_website.events""", [cutoff]) == [
        (total_events - old_events, True)]
    assert query(warehouse, "select count(*) from raw_crm.contacts") == contacts

    logs = tmp_path / "logs"
    logs.mkdir()
    for age_days, name in [(45, "run-old.log"), (29, "run-recent.log"), (31, "run-edge.log")]:
        path = logs / name
        path.write_text("a run")
        moment = (datetime.now(UTC) - timedelta(days=age_days)).timestamp()
        os.utime(path, (moment, moment))
    assert apply_file_retention(logs, policy.file_days["logs"], datetime.now(UTC)) == 2
    assert sorted(path.name for path in logs.iterdir()) == ["run-recent.log"]


def test_a_staged_table_an_older_version_built_without_the_age_column_is_left_to_the_rebuild(
        tmp_path):
    """An upgrade: the staged copy of website events predates its `occurred_at_exported`. The
    night's privacy step applies the raw table's window and leaves the staged one to the build
    (a full refresh, the code having changed), instead of failing the night."""
    warehouse = tmp_path / "cdp.duckdb"
    now = datetime(2026, 12, 5, tzinfo=UTC)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema raw_website")
        connection.execute("create schema staging")
        connection.execute(
            "create table raw_website.events (message_id varchar, timestamp timestamptz)")
        connection.execute("insert into raw_website.events values ('old', ?), ('new', ?)",
                           [now - timedelta(days=800), now - timedelta(days=1)])
        connection.execute("create table staging.stg_website__events (event_id varchar)")
        connection.execute("insert into staging.stg_website__events values ('old'), ('new')")

        deleted = apply_table_retention(connection, load_policy(), now)

    assert deleted["raw_website.events"] == 1
    assert "staging.stg_website__events" not in deleted
    assert query(warehouse, "select count(*) from staging.stg_website__events") == [(2,)]
