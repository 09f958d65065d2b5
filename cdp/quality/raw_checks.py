"""Checks on the raw tables the loaders write."""

import great_expectations as gx

from cdp.quality.check import QualityCheck
from cdp.quality.thresholds import Thresholds
from cdp.sources.registry import enabled_sources
from cdp.sources.source import RawCheck


def _keys_unique(system: str, table: str, keys: list[str]) -> QualityCheck:
    relation = f"raw_{system}.{table}"
    key_columns = [*keys, "_record_hash"]
    return QualityCheck(
        name=f"raw_{system}_{table}_keys_unique",
        asset=(system, table),
        description=f"Every {table} version is stored once: its natural key plus content "
                    "hash is unique.",
        blocking=True,
        # Aggregated in the warehouse: only keys stored more than once, or NULL, reach GX.
        query=f"""
            select {', '.join(key_columns)}, count(*) as copies
            from {relation}
            group by all
            having count(*) > 1 or {' or '.join(f'{column} is null' for column in key_columns)}
        """,
        expectations=lambda: [
            gx.expectations.ExpectColumnValuesToBeBetween(column="copies", max_value=1),
            *(gx.expectations.ExpectColumnValuesToNotBeNull(column=column)
              for column in key_columns),
        ],
    )


def raw_checks(thresholds: Thresholds) -> list[QualityCheck]:
    """Each enabled source's raw checks (its `RawCheck`s): keys always; a table with a required
    timestamp (its export, not a deletion list) also timestamps, volume and not emptied."""
    checks = []
    deletion_checks = []
    for source in enabled_sources():
        system = source.system
        for declared in source.raw_checks:
            if declared.timestamp_column is None:
                deletion_checks.append(_keys_unique(system, declared.table,
                                                    list(declared.key_columns)))
            else:
                folder = next((spec.folder for spec in source.specs
                               if spec.table == declared.table), system)
                checks += _table_checks(system, declared, thresholds, folder)
    return checks + deletion_checks


def _table_checks(system: str, declared: RawCheck, thresholds: Thresholds,
                  folder: str) -> list[QualityCheck]:
    """`folder`: where the table's export files are read from (`crm`, `email/mailchimp`)."""
    table, timestamp = declared.table, declared.timestamp_column
    where = declared.timestamp_required_where
    relation = f"raw_{system}.{table}"
    checks = [_keys_unique(system, table, list(declared.key_columns))]
    checks.append(QualityCheck(
        name=f"raw_{system}_{table}_timestamps_parse",
        asset=(system, table),
        description=f"Every {table} record has a parsed `{timestamp}`. The loader already "
                    "quarantines unparseable values, so a NULL here means the export left "
                    "it empty: flagged, not blocking, as raw history cannot be edited.",
        blocking=False,
        # Only the rows missing it reach GX: the check reads no whole table.
        query=f'select "{timestamp}" as recorded_at from {relation} '
              f'where {where} and "{timestamp}" is null',
        expectations=lambda: [
            gx.expectations.ExpectColumnValuesToNotBeNull(column="recorded_at"),
        ],
    ))
    if declared.volume_holds:
        checks.append(_volume_holds(system, table, folder, thresholds))
    checks.append(QualityCheck(
        name=f"raw_{system}_{table}_not_emptied",
        asset=(system, table),
        description=f"{relation} holds rows whenever it did when the published version was "
                    "built: an empty raw table under a published warehouse means the run "
                    "points at the wrong warehouse, or the data was lost.",
        blocking=True,
        query=f"""
            select count(*) as row_count from {relation}
            having (select coalesce(max(row_count), 0) from published_row_counts
                    where relation = '{relation}') > 0
        """,
        expectations=lambda: [
            gx.expectations.ExpectColumnValuesToBeBetween(column="row_count", min_value=1),
        ],
    ))
    return checks


def _volume_holds(system: str, table: str, folder: str, thresholds: Thresholds) -> QualityCheck:
    """A load far smaller than the one before: an export cut short, a filter changed."""
    return QualityCheck(
        name=f"raw_{system}_{table}_volume_holds",
        asset=(system, table),
        description="The latest load did not collapse against the previous one (rows "
                    f"read from its files in `{folder}/`, as a share of the previous load's; "
                    "deletion lists, in a subfolder, are no part of it).",
        blocking=False,
        query=f"""
            with loads as (
                select _dlt_load_id, sum(records_read) as records
                from raw_{system}.export_files
                where status = 'loaded' and source_file like '{folder}/%'
                    and source_file not like '{folder}/%/%'
                group by _dlt_load_id
            ),
            ordered as (
                select records, lag(records) over (order by cast(_dlt_load_id as double))
                    as previous_records,
                    row_number() over (order by cast(_dlt_load_id as double) desc) as recency
                from loads
            )
            select records, previous_records,
                coalesce(records / nullif(previous_records, 0), 1.0) as ratio_to_previous
            from ordered where recency = 1
        """,
        expectations=lambda: [
            gx.expectations.ExpectColumnValuesToBeBetween(
                column="ratio_to_previous",
                min_value=thresholds.min_volume_ratio_to_previous_load,
            ),
        ],
    )
