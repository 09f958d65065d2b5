"""Checks on the raw tables the loaders write."""

import great_expectations as gx

from data_quality.check import QualityCheck
from data_quality.thresholds import Thresholds

# system -> (table, key columns, timestamp every record must have)
_RAW_TABLES = {
    "website": ("events", ["message_id"], "timestamp"),
    "crm": ("contacts", ["record_id"], "create_date"),
    "social": ("leads", ["id"], "created_time"),
    "pos": ("order_lines", ["name", "line_position"], "created_at"),
}


def raw_checks(thresholds: Thresholds) -> list[QualityCheck]:
    checks = []
    for system, (table, keys, timestamp) in _RAW_TABLES.items():
        relation = f"raw_{system}.{table}"
        key_columns = [*keys, "_record_hash"]
        checks.append(QualityCheck(
            name=f"raw_{system}_{table}_keys_unique",
            asset=(system, table),
            description=f"Every {table} version is stored once: its natural key plus content "
                        "hash is unique.",
            blocking=True,
            query=f"select {', '.join(key_columns)} from {relation}",
            expectations=lambda columns=key_columns: [
                gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=columns),
                *(gx.expectations.ExpectColumnValuesToNotBeNull(column=column)
                  for column in columns),
            ],
        ))
        checks.append(QualityCheck(
            name=f"raw_{system}_{table}_timestamps_parse",
            asset=(system, table),
            description=f"Every {table} record has a parsed `{timestamp}`. The loader already "
                        "quarantines unparseable values, so a NULL here means the export left "
                        "it empty: flagged, not blocking, as raw history cannot be edited.",
            blocking=False,
            query=f'select "{timestamp}" as recorded_at from {relation}',
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToNotBeNull(column="recorded_at"),
            ],
        ))
        checks.append(QualityCheck(
            name=f"raw_{system}_{table}_volume_holds",
            asset=(system, table),
            description="The latest load did not collapse against the previous one (rows "
                        "read from its files, as a share of the previous load's).",
            blocking=False,
            query=f"""
                with loads as (
                    select _dlt_load_id, sum(records_read) as records
                    from raw_{system}.export_files
                    where status = 'loaded'
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
        ))
    checks.append(QualityCheck(
        name="raw_pos_order_lines_amounts_non_negative",
        asset=("pos", "order_lines"),
        description="Order totals, line prices and refunds are never negative, and an order "
                    "never refunds more than it charged.",
        blocking=True,
        query="""
            select total, lineitem_price, refunded_amount,
                case when total is not null then total - coalesce(refunded_amount, 0) end
                    as net_of_refunds
            from raw_pos.order_lines
        """,
        expectations=lambda: [
            gx.expectations.ExpectColumnValuesToBeBetween(column=column, min_value=0)
            for column in ["total", "lineitem_price", "refunded_amount", "net_of_refunds"]
        ],
    ))
    return checks
