"""Deleting what is older than its retention window: rows of the tables the policy names, and
run logs and quality reports past theirs. Counts per place are returned for the run's log and
metadata; nothing is deleted from a table the policy does not name."""

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from cdp.privacy.policy import LOADED, Policy


def apply_table_retention(connection: duckdb.DuckDBPyConnection, policy: Policy,
                          now: datetime) -> dict[str, int]:
    """Rows deleted per table (in the caller's transaction). A table not in the warehouse
    (a source not in use) is skipped."""
    deleted = {}
    existing = {f"{schema}.{table}" for schema, table in connection.execute("""
        select table_schema, table_name from information_schema.tables
        where table_catalog = current_database()""").fetchall()}
    for rule in policy.tables:
        if rule.table not in existing:
            continue
        schema, table = rule.table.split(".", 1)
        dated = ("to_timestamp(try_cast(_dlt_load_id as double))" if rule.age_from == LOADED
                 else f'"{rule.age_from}"')
        cutoff = now - timedelta(days=rule.keep_days)
        relation = f'"{schema}"."{table}"'
        count = connection.execute(f"select count(*) from {relation} where {dated} < ?",
                                   [cutoff]).fetchone()[0]
        if count:
            connection.execute(f"delete from {relation} where {dated} < ?", [cutoff])
        deleted[rule.table] = count
    return deleted


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
