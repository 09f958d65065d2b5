"""Publishing the marts for BI tools, in versions that every kind of reader follows.

Layout, beside the published file (`published/cdp.duckdb` by default):

    cdp.duckdb               views `marts.<table>` over the live version's Parquet files, and
                             `cdp_meta.publication` (version, time, row counts)
    cdp.versions/<version>/  one Parquet file per mart and `manifest.json`; the last N kept
    cdp.live/0, 1, 2         slots, each a link to a version folder: the current version, the
                             one before it (queries may still be reading it), the next one
    cdp.current -> cdp.versions/<version>      the current version, for people and tools

Why: a BI server keeps DuckDB connections in a pool, and inside one process every connection to
a path shares one database instance, which keeps the file it first opened: a file replaced
under it is never seen. Views, though, are bound again on every query, so they find the current
version themselves. They cannot read it through one path that moves (a `current` link): DuckDB
opens a Parquet file by its path once to bind the query and again to scan it, so a link moved in
between paired one version's footer with the next one's bytes (`TProtocolException`), and two
marts of one query could come from two versions.

So a query picks its version by time, and reads it by a path that does not move under it. Each
manifest records `live_from_ms`, when its version becomes current, a moment after its slot is
set. Every view picks the slot whose version started last before the query's transaction did
(`now()` is one value per transaction), so all marts of a query come from one version, and
scans only that slot's files. A slot is given to a new version only once its own is older than
the previous one, so a query still reading it has a whole publish to finish. The views read the
schemas of every slot (`union_by_name`): a mart whose columns change reads without error across
the switch. `publish_marts` returns once the new version is current. The views file changes only
when the set of marts does, and is then replaced atomically as well.
"""

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

MANIFEST = "manifest.json"
# The current version, the previous one (queries that picked it may still be reading it), and
# the next one, set before it starts.
LIVE_SLOTS = 3
# A version starts this long after its slot is set (doubled when setting the slot took longer),
# and its slot is set only if at least the guard is left: every query that starts after it
# then finds the slot already set, in each of its views.
START_DELAY_MS, START_GUARD_MS = 50, 20


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


def live_folder(published: Path) -> Path:
    return published.with_name(f"{published.stem}.live")


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
                  holds_identifiers: bool = True,
                  memory_limit: str | None = None) -> PublishedVersion:
    """Write every table of the warehouse's `marts` schema as a new version and make it current.
    With `select`, each mart is written as that query makes it (a role's masked, filtered
    copy), and marts it skips are left out. `holds_identifiers`: the version's files are
    kept from other local users (modes 0640 / 0750). `memory_limit`: DuckDB's, while it
    writes (`[run] duckdb_memory_limit`)."""
    file_mode, folder_mode = PRIVATE_MODES if holds_identifiers else SHARED_MODES
    published = published.resolve()
    versions = versions_folder(published)
    versions.mkdir(parents=True, exist_ok=True)
    version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{run_id[:8]}"
    building = versions / f".building-{version}"
    building.mkdir()
    tables: dict[str, int] = {}
    with duckdb.connect(config={"memory_limit": memory_limit} if memory_limit else {}) \
            as connection:
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
    _go_live(published, final, folder_mode)
    _point_link(current_link(published), final)
    _write_views(published, sorted(tables), file_mode)
    live = {target for target, _ in _slots(live_folder(published)).values()}
    _prune(versions, keep=max(keep_versions, 2), in_use=live | {final})
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


def _go_live(published: Path, version_folder: Path, folder_mode: int) -> None:
    """Give the new version a free slot or the oldest live version's, and wait until it
    starts: every query that starts later reads it."""
    live = live_folder(published)
    live.mkdir(exist_ok=True)
    live.chmod(folder_mode)
    slots = _slots(live)
    free = [str(slot) for slot in range(LIVE_SLOTS) if str(slot) not in slots]
    slot = free[0] if free else min(slots, key=lambda name: slots[name][1])
    latest = max((live_from for _, live_from in slots.values()), default=0)
    link = live / slot
    # Staged outside the live folder: a leftover there would be read as a slot.
    staged = published.with_name(f".{live.name}.next")
    staged.unlink(missing_ok=True)
    staged.symlink_to(os.path.relpath(version_folder, live))
    delay = START_DELAY_MS
    while True:
        live_from = max(_now_ms() + delay, latest + 1)
        _record_live_from(version_folder, live_from)
        if link.exists():
            _newer_than(version_folder, link.resolve())
        if _now_ms() < live_from - START_GUARD_MS:
            break
        delay *= 2  # the disk or the machine is slow: leave more time
    os.replace(staged, link)
    time.sleep(max(0, live_from + 1 - _now_ms()) / 1000)


def _slots(live: Path) -> dict[str, tuple[Path, int]]:
    """Each set slot: its version's folder and when that version started (or starts)."""
    slots = {}
    for link in live.iterdir():
        try:
            manifest = json.loads((link / MANIFEST).read_text())
            slots[link.name] = (link.resolve(), int(manifest["live_from_ms"]))
        except (OSError, ValueError, KeyError):
            continue  # its version is gone: the slot is free
    return slots


def _record_live_from(version_folder: Path, live_from: int) -> None:
    """Write when the version starts into its manifest, which the views read to pick it."""
    path = version_folder / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["live_from_ms"] = live_from
    staged = path.with_name(f".{MANIFEST}.live")
    staged.write_text(json.dumps(manifest, indent=2))
    staged.chmod(path.stat().st_mode & 0o777)
    with open(staged, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staged, path)


def _newer_than(version_folder: Path, replaced: Path) -> None:
    """DuckDB keeps the bytes it read from a file by path, and trusts them while the file's
    modification time, in whole seconds, is unchanged: the files a slot gets must never show
    the second of the files they replace there (two publishes within one second would)."""
    try:
        second = max(int(path.stat().st_mtime) for path in replaced.iterdir())
    except (OSError, ValueError):
        return
    for path in version_folder.iterdir():
        if int(path.stat().st_mtime) <= second:
            os.utime(path, (time.time(), second + 1))


def _now_ms() -> int:
    """The clock DuckDB's `now()` reads, in milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def _point_link(link: Path, version_folder: Path) -> None:
    """Point a link at a version folder, atomically."""
    staged = link.with_name(f".{link.name}.next")
    staged.unlink(missing_ok=True)
    staged.symlink_to(version_folder.relative_to(link.parent))
    os.replace(staged, link)  # atomic: readers follow the old link or the new one


def _write_views(published: Path, tables: list[str], file_mode: int) -> None:
    """(Re)write the views file when its marts differ from `tables`, atomically."""
    live = live_folder(published)
    wanted = {f"marts.{name}": _live_read(live, "read_parquet", f"{name}.parquet")
              for name in tables}
    wanted["cdp_meta.publication"] = _live_read(live, "read_json", MANIFEST)
    slot_sql = _live_slot_sql(live)
    layout = hashlib.sha1(json.dumps([wanted, slot_sql], sort_keys=True).encode()).hexdigest()
    wanted["cdp_meta.layout"] = f"select '{layout}' as layout_hash"
    if published.exists() and _layout_of(published) == layout:
        published.chmod(file_mode)
        return
    staged = published.with_name(f".{published.name}.publishing")
    staged.unlink(missing_ok=True)
    with duckdb.connect(str(staged)) as connection:
        connection.execute("create schema marts")
        connection.execute("create schema cdp_meta")
        connection.execute(f"create macro cdp_meta.live_slot() as {slot_sql}")
        for view, sql in wanted.items():
            connection.execute(f"create view {view} as {sql}")
        connection.execute("checkpoint")
    staged.chmod(file_mode)
    os.replace(staged, published)


def _live_slot_sql(live: Path) -> str:
    """The folder of the slot a query reads: the version that started last before the query's
    transaction did (for a transaction older than every live version, the oldest of them)."""
    manifests = _quoted(live / "*" / MANIFEST)
    return f"""(
        select regexp_replace(coalesce(
                arg_max(filename, live_from) filter (where live_from <= epoch_ms(now())),
                arg_min(filename, live_from)), '[^/]*$', '')
        from (select filename, json_extract(content, '$.live_from_ms')::bigint as live_from
              from read_text('{manifests}')))"""


def _live_read(live: Path, reader: str, file_name: str) -> str:
    """A view over one file of the slot the query reads: every slot is bound, by column name,
    and only the picked one is scanned (the filter on `filename` skips the others)."""
    return (f"select * exclude (filename) from {reader}('{_quoted(live / '*' / file_name)}', "
            "union_by_name = true, filename = true, hive_partitioning = false) "
            f"where filename = cdp_meta.live_slot() || '{_quoted(file_name)}'")


def _layout_of(published: Path) -> str | None:
    """The layout fingerprint the views file was written with (None for an older layout)."""
    try:
        with duckdb.connect(str(published), read_only=True) as connection:
            return connection.execute("select layout_hash from cdp_meta.layout").fetchone()[0]
    except duckdb.Error:
        return None


def _prune(versions: Path, keep: int, in_use: set[Path]) -> None:
    """Delete versions beyond the newest `keep` that no live slot holds, and leftovers of
    interrupted publishes."""
    finished = sorted((path for path in versions.iterdir()
                       if path.is_dir() and not path.name.startswith(".")), reverse=True)
    for old in finished[keep:]:
        if old.resolve() not in in_use:
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


def _quoted(path: Path | str) -> str:
    """An absolute path as a SQL string, not resolved: paths through the `current` link must
    stay through it."""
    return str(path).replace("'", "''")
