"""Publishing the marts to the BI database atomically (write, audit, publish).

The new version is written to a temporary file next to the published one, checkpointed and
closed, then renamed over it. A rename is atomic: a BI tool that opens the file sees the old
version or the new one, whole; one that already has it open keeps reading the old version until
it reconnects. Readers never hold a lock the writer waits for, and never see a half-built table.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class PublishedVersion:
    path: Path
    tables: dict[str, int]  # table -> rows


def publish_marts(warehouse: Path, published: Path) -> PublishedVersion:
    """Copy every table of the `marts` schema of `warehouse` into `published`, atomically."""
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(f".{published.name}.publishing")
    staging.unlink(missing_ok=True)
    tables: dict[str, int] = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{_quoted(warehouse)}' as working (read_only)")
        connection.execute(f"attach '{_quoted(staging)}' as next_version")
        connection.execute("create schema next_version.marts")
        names = [row[0] for row in connection.execute("""
            select table_name from information_schema.tables
            where table_catalog = 'working' and table_schema = 'marts'
                and table_type = 'BASE TABLE'
            order by table_name
        """).fetchall()]
        for name in names:
            connection.execute(
                f'create table next_version.marts."{name}" as select * from working.marts."{name}"'
            )
            tables[name] = connection.execute(
                f'select count(*) from next_version.marts."{name}"').fetchone()[0]
        connection.execute("checkpoint next_version")
        connection.execute("detach next_version")
    os.replace(staging, published)
    return PublishedVersion(published, tables)


def _quoted(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")
