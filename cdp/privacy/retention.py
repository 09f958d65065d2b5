"""Deleting what is older than its retention window: rows of the tables the policy names, and
run logs and quality reports past theirs. Counts per place are returned for the run's log and
metadata; nothing is deleted from a table the policy does not name."""

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from cdp.privacy.policy import LOADED, Policy


def apply_table_retention(connection: duckdb.DuckDBPyConnection, policy: Policy,
                          now: datetime) -> dict[str, int]:
    """Rows deleted per table (in the caller's transaction). A table not in the warehouse
    (a source not in use) is skipped."""
    deleted = {}
    for table, (relation, condition, cutoff) in _table_rules(connection, policy, now).items():
        count = connection.execute(f"select count(*) from {relation} where {condition}",
                                   [cutoff]).fetchone()[0]
        if count:
            connection.execute(f"delete from {relation} where {condition}", [cutoff])
        deleted[table] = count
    return deleted


def table_retention_due(connection: duckdb.DuckDBPyConnection, policy: Policy,
                        now: datetime) -> int:
    """Rows the retention windows would delete now (nothing is deleted)."""
    return sum(
        connection.execute(f"select count(*) from {relation} where {condition}",
                           [cutoff]).fetchone()[0]
        for relation, condition, cutoff in _table_rules(connection, policy, now).values())


def _table_rules(connection: duckdb.DuckDBPyConnection, policy: Policy,
                 now: datetime) -> dict[str, tuple[str, str, datetime]]:
    """Per table of the policy present in the warehouse: its relation, the condition its
    expired rows meet (one parameter: the cutoff), and the cutoff."""
    columns: dict[str, set[str]] = {}
    for schema, table, column in connection.execute("""
            select table_schema, table_name, column_name from information_schema.columns
            where table_catalog = current_database()""").fetchall():
        columns.setdefault(f"{schema}.{table}", set()).add(column)
    rules = {}
    for rule in policy.tables:
        if rule.table not in columns:
            continue
        schema, table = rule.table.split(".", 1)
        age_column = "_dlt_load_id" if rule.age_from == LOADED else rule.age_from
        if age_column not in columns[rule.table] and not schema.startswith("raw_"):
            # A table the models build, left by an older version without the column: the
            # next build, a full refresh since the code changed, makes it again from the raw
            # table, whose own rule has applied.
            continue
        dated = ("to_timestamp(try_cast(_dlt_load_id as double))" if rule.age_from == LOADED
                 else f'"{rule.age_from}"')
        rules[rule.table] = (f'"{schema}"."{table}"', f"{dated} < ?",
                             now - timedelta(days=rule.keep_days))
    return rules


def apply_file_retention(folder: Path, keep_days: int, now: datetime) -> int:
    """Files (and run folders) directly under `folder`, or one level down, older than the
    window: deleted; returns how many."""
    if not folder.exists():
        return 0
    cutoff = (now - timedelta(days=keep_days)).timestamp()
    count = 0
    for path in sorted(folder.rglob("*"), reverse=True):  # children before their folders
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink()
            count += 1
        elif path.is_dir() and not any(path.iterdir()) and path.stat().st_mtime < cutoff:
            shutil.rmtree(path)
    return count


def apply_file_retention_everywhere(warehouse: Path, reports_dir: Path,
                                    policy: Policy | None = None,
                                    now: datetime | None = None) -> dict[str, int]:
    """The policy's file windows applied beside a warehouse: its run logs, its quality
    reports' run folders and its activation upload files; files deleted per place."""
    from cdp.privacy.policy import load_policy

    policy = policy or load_policy()
    now = now or datetime.now(UTC)
    folders = {"logs": Path(warehouse).parent / "logs",
               "reports": Path(reports_dir) / "runs",
               "activation": Path(warehouse).parent / "activation"}
    return {place: apply_file_retention(folder, policy.file_days[place], now)
            if place in policy.file_days else 0
            for place, folder in folders.items()}
