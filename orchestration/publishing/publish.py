"""Publishing the marts for BI tools, in versions that every kind of reader follows.

Layout, beside the published file (`published/cdp.duckdb` by default):

    cdp.duckdb               views `marts.<table>` over `cdp.current/<table>.parquet`, and
                             `cdp_meta.publication` (version, time, row counts)
    cdp.current -> cdp.versions/<version>      a symlink, replaced atomically on publish
    cdp.versions/<version>/  one Parquet file per mart and `manifest.json`; the last N kept

Why: a BI server keeps DuckDB connections in a pool, and inside one process every connection to
a path shares one database instance, which keeps the file it first opened. A file replaced
under it is never seen. Views, though, are re-read on every query, and they read the Parquet
files through `cdp.current`: each query sees the version current when it starts, pooled or not.
A version is written whole before the link moves, so a reader sees the old version or the new
one, never half of one. The views file itself changes only when the set of marts does, and is
then replaced atomically as well.
"""

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PublishedVersion:
    path: Path  # the file BI tools open
    version: str
    folder: Path  # the version's Parquet files
    tables: dict[str, int]  # mart -> rows


def versions_folder(published: Path) -> Path:
    return published.with_name(f"{published.stem}.versions")


def current_link(published: Path) -> Path:
    return published.with_name(f"{published.stem}.current")


def current_manifest(published: Path) -> dict | None:
    """The manifest of the version readers see now, or None when nothing is published."""
    try:
        return json.loads((current_link(published) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def published_row_counts(published: Path) -> dict[str, int]:
    """Rows per relation (`marts.customers`, `raw_crm.contacts`) in the current version."""
    manifest = current_manifest(published) or {}
    return {**manifest.get("raw_row_counts", {}),
            **{f"marts.{name}": rows for name, rows in manifest.get("tables", {}).items()}}


# A role's copy of a mart: (mart name, its [(column, type)]) -> the SELECT over
# `working.marts."<name>"` that builds it, or None when the role does not read that mart.
MartSelect = Callable[[str, list[tuple[str, str]]], str | None]


# File modes: a version holding direct identifiers is readable by its owner and group only
# (give the BI service that group); one with none (a masking role's) by every local user.
PRIVATE_MODES, SHARED_MODES = (0o640, 0o750), (0o644, 0o755)


def publish_marts(warehouse: Path, published: Path, run_id: str = "manual",
                  keep_versions: int = 5, select: MartSelect | None = None,
                  holds_identifiers: bool = True) -> PublishedVersion:
    """Write every table of the warehouse's `marts` schema as a new version and make it current.
    With `select`, each mart is written as that query makes it (a role's masked, filtered
    copy), and marts it skips are left out. `holds_identifiers`: the version's files are
    kept from other local users (modes 0640 / 0750)."""
    file_mode, folder_mode = PRIVATE_MODES if holds_identifiers else SHARED_MODES
    published = published.resolve()
    versions = versions_folder(published)
    versions.mkdir(parents=True, exist_ok=True)
    version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{run_id[:8]}"
    building = versions / f".building-{version}"
    building.mkdir()
    tables: dict[str, int] = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{_quoted(warehouse.resolve())}' as working (read_only)")
        for name in mart_names(connection, "working"):
            relation = f'working.marts."{name}"'
            query = f"select * from {relation}"
            if select is not None:
                columns = [(row[0], row[1]) for row in connection.execute(
                    f"describe {relation}").fetchall()]
                query = select(name, columns)
                if query is None:
                    continue
            target = building / f"{name}.parquet"
            connection.execute(f"copy ({query}) to '{_quoted(target)}' (format parquet)")
            # The Parquet footer has the count: no second pass over the mart.
            tables[name] = connection.execute(
                f"select count(*) from read_parquet('{_quoted(target)}')").fetchone()[0]
        raw_counts = _raw_row_counts(connection) if select is None else {}
    (building / MANIFEST).write_text(json.dumps({
        "version": version, "run_id": run_id,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": tables, "raw_row_counts": raw_counts,
    }, indent=2))
    for path in building.iterdir():
        path.chmod(file_mode)
    building.chmod(folder_mode)
    versions.chmod(folder_mode)
    _sync(building)
    final = versions / version
    building.rename(final)
    _point_current_at(published, final)
    _write_views(published, sorted(tables), file_mode)
    _prune(versions, keep=max(keep_versions, 2), current=final)
    return PublishedVersion(published, version, final, tables)


def mart_names(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """The tables of the `marts` schema of an attached warehouse, by name."""
    return [row[0] for row in connection.execute("""
        select table_name from information_schema.tables
        where table_catalog = ? and table_schema = 'marts' and table_type = 'BASE TABLE'
        order by table_name""", [catalog]).fetchall()]


def _raw_row_counts(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per raw table, recorded with the version: the next run must not publish over it
    from a warehouse that has lost them."""
    relations = connection.execute("""
        select table_schema || '.' || table_name from information_schema.tables
        where table_catalog = 'working' and table_schema like 'raw\\_%' escape '\\'
            and table_name not like '\\_dlt%' escape '\\'
            and table_name not in ('quarantine', 'export_files')
        order by 1
    """).fetchall()
    return {
        relation: connection.execute(f"select count(*) from working.{relation}").fetchone()[0]
        for (relation,) in relations
    }


def _point_current_at(published: Path, version_folder: Path) -> None:
    link = current_link(published)
    staged = link.with_name(f".{link.name}.next")
    staged.unlink(missing_ok=True)
    staged.symlink_to(version_folder.relative_to(link.parent))
    os.replace(staged, link)  # atomic: readers follow the old link or the new one


def _write_views(published: Path, tables: list[str], file_mode: int) -> None:
    """(Re)write the views file when its marts differ from `tables`, atomically."""
    current = current_link(published)
    wanted = {
        f"marts.{name}": f"select * from read_parquet('{_quoted(current / (name + '.parquet'))}')"
        for name in tables
    }
    wanted["cdp_meta.publication"] = (
        f"select * from read_json('{_quoted(current / MANIFEST)}', format = 'auto')")
    layout = hashlib.sha1(json.dumps(wanted, sort_keys=True).encode()).hexdigest()
    wanted["cdp_meta.layout"] = f"select '{layout}' as layout_hash"
    if published.exists() and _layout_of(published) == layout:
        published.chmod(file_mode)
        return
    staged = published.with_name(f".{published.name}.publishing")
    staged.unlink(missing_ok=True)
    with duckdb.connect(str(staged)) as connection:
        connection.execute("create schema marts")
        connection.execute("create schema cdp_meta")
        for view, sql in wanted.items():
            connection.execute(f"create view {view} as {sql}")
        connection.execute("checkpoint")
    staged.chmod(file_mode)
    os.replace(staged, published)


def _layout_of(published: Path) -> str | None:
    """The layout fingerprint the views file was written with (None for an older layout)."""
    try:
        with duckdb.connect(str(published), read_only=True) as connection:
            return connection.execute("select layout_hash from cdp_meta.layout").fetchone()[0]
    except duckdb.Error:
        return None


def _prune(versions: Path, keep: int, current: Path) -> None:
    """Delete versions beyond the newest `keep`, and leftovers of interrupted publishes. A
    reader still in a query on a deleted version keeps its open files."""
    finished = sorted((path for path in versions.iterdir()
                       if path.is_dir() and not path.name.startswith(".")), reverse=True)
    for old in finished[keep:]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in versions.glob(".building-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _sync(folder: Path) -> None:
    """Flush a version to disk before it becomes current: a crash after the link moves must
    not leave it pointing at files the disk never received."""
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _quoted(path: Path) -> str:
    """An absolute path as a SQL string, not resolved: paths through the `current` link must
    stay through it."""
    return str(path).replace("'", "''")
