"""Real dlt loads of generated exports into DuckDB: counts, incrementality, history, lineage."""

import csv
import gzip
import json
import shutil
from pathlib import Path

from tests.helpers import deliver_next_night, query, run_ingest


def _records_in(path: Path) -> int:
    """Records as the source system wrote them, counted without the loader's code."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        if ".jsonl" in path.name:
            return sum(1 for line in handle if json.loads(line))
        return sum(1 for _ in csv.DictReader(handle))


def _records_per_table(folder: Path) -> dict[str, int]:
    tables = {"website": "raw_website.events", "crm": "raw_crm.contacts",
              "social": "raw_social.leads", "pos": "raw_pos.order_lines",
              "email/mailchimp": "raw_email.mailchimp_members",
              "email/mailchimp_activity": "raw_email.mailchimp_activity",
              "email/events": "raw_email.events", "app": "raw_app.events",
              "chat/zalo": "raw_chat.zalo_events", "chat/messenger": "raw_chat.messenger_events"}
    return {
        table: sum(_records_in(path) for path in (folder / system).iterdir() if path.is_file())
        for system, table in tables.items()
    }


def test_each_raw_table_holds_every_record_of_its_files(exports_dir, warehouse):
    report = run_ingest(exports_dir, warehouse)

    for table, expected in _records_per_table(exports_dir).items():
        assert query(warehouse, f"select count(*) from {table}")[0][0] == expected, table
    assert sum(system.rows_added for system in report.systems) == sum(
        _records_per_table(exports_dir).values())
    assert not report.failed_files
    assert all(system.rows_quarantined == 0 for system in report.systems)


def test_every_raw_row_carries_its_file_and_load(exports_dir, warehouse):
    run_ingest(exports_dir, warehouse)

    for table in ["raw_website.events", "raw_crm.contacts", "raw_social.leads",
                  "raw_pos.order_lines", "raw_email.mailchimp_members",
                  "raw_email.mailchimp_activity", "raw_email.events", "raw_app.events"]:
        rows = query(warehouse, f"""
            select count(*) filter (where _source_file is null or _dlt_load_id is null),
                   count(*) filter (where _dlt_load_id not in (
                       select load_id from {table.split('.')[0]}._dlt_loads))
            from {table}""")
        assert rows == [(0, 0)], table


def test_a_second_run_without_new_files_loads_nothing(exports_dir, warehouse):
    run_ingest(exports_dir, warehouse)
    before = query(warehouse, "select count(*) from raw_website.events")

    report = run_ingest(exports_dir, warehouse)

    assert [system.rows_added for system in report.systems] == [0] * len(report.systems)
    assert all(system.files == [] for system in report.systems)
    assert query(warehouse, "select count(*) from raw_website.events") == before


def test_a_redelivered_file_adds_nothing_under_any_name(exports_dir, warehouse):
    run_ingest(exports_dir, warehouse)
    counts = _table_counts(warehouse)
    crm_file = next((exports_dir / "crm").iterdir())
    shutil.copy(crm_file, exports_dir / "crm" / "contacts-resent.csv")
    crm_file.write_bytes(crm_file.read_bytes())  # same name, new modification time
    events_file = next((exports_dir / "website").iterdir())
    with open(events_file, "rb") as plain, gzip.open(
            exports_dir / "website" / "events-resent.jsonl.gz", "wb") as compressed:
        compressed.write(plain.read())

    report = run_ingest(exports_dir, warehouse)

    assert _table_counts(warehouse) == counts
    statuses = {file.source_file: file.status for system in report.systems
                for file in system.files}
    assert statuses == {
        "crm/contacts-resent.csv": "duplicate",
        "website/events-resent.jsonl.gz": "duplicate",
    }
    assert query(warehouse, "select count(*) from raw_crm.export_files "
                            "where status = 'duplicate'") == [(1,)]


def test_next_night_adds_new_versions_beside_the_old_ones(sample_dir, exports_dir, warehouse):
    first = run_ingest(exports_dir, warehouse)
    deliver_next_night(sample_dir, exports_dir)

    second = run_ingest(exports_dir, warehouse)

    crm_load = {system.system: system.load_id for system in second.systems}["crm"]
    # A contact HubSpot changed: both versions stored, each with its own file and load.
    versions = query(warehouse, """
        select record_id, lifecycle_stage, _source_file, _dlt_load_id
        from raw_crm.contacts
        where record_id in (
            select record_id from raw_crm.contacts group by record_id having count(*) = 2
        )
        order by record_id, last_modified_date""")
    assert versions, "night 2 updates some contacts"
    first_version, second_version = versions[0], versions[1]
    assert first_version[0] == second_version[0]
    assert first_version[2].endswith("2026-11-22.csv") and second_version[2].endswith(
        "2026-11-23.csv")
    assert second_version[3] == crm_load != first_version[3]
    # Unchanged contacts re-exported on night 2 are not stored twice.
    assert query(warehouse, """
        select count(*) from (
            select record_id, _record_hash from raw_crm.contacts group by all having count(*) > 1
        )""") == [(0,)]
    # A refund: the order's first line has a second version; its other lines do not.
    refunds = query(warehouse, """
        select name, line_position, financial_status, refunded_amount, total
        from raw_pos.order_lines
        where financial_status in ('refunded', 'partially_refunded')""")
    assert refunds and all(position == 1 for _, position, *_ in refunds)
    for name, _, status, refunded, total in refunds:
        assert refunded > 0 and (status != "refunded" or refunded == total)
        assert query(warehouse, "select count(*) from raw_pos.order_lines "
                                "where name = ? and line_position = 1", [name]) == [(2,)]
    assert first.systems[3].rows_added > 0 and second.systems[3].rows_added > 0


def _table_counts(warehouse: Path) -> list[tuple]:
    return query(warehouse, """
        select (select count(*) from raw_website.events), (select count(*) from raw_crm.contacts),
               (select count(*) from raw_social.leads), (select count(*) from raw_pos.order_lines)
    """)
