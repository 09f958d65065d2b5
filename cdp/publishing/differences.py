"""What a full refresh built differently from the incremental nights before it.

A full refresh over the inputs the published version was built from (nothing loaded since)
must build the same marts: any row one has and the other lacks is drift between the
incremental models and a build from all of history, reported as a warning per mart."""

from pathlib import Path

import duckdb

from cdp.publishing.publish import current_link

# Tonight's changes against what destinations confirmed since: after the incremental night
# delivered them, a later build finds none left.
NOT_COMPARED_TABLES = frozenset({"audience_changes"})
# When or by which load a row was made, not what the data says.
NOT_COMPARED_COLUMNS = frozenset({"_dlt_load_id", "_rebuilt_at"})


def differences_from_published(warehouse: Path,
                               published: Path) -> dict[str, tuple[int, int]]:
    """Per mart that differs: (rows only in the warehouse, rows only in the published
    version); marts present on one side only count all their rows."""
    version = current_link(Path(published).resolve())
    differences: dict[str, tuple[int, int]] = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{_quoted(warehouse)}' as working (read_only)")
        marts = {name for (name,) in connection.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'working' and table_schema = 'marts'").fetchall()}
        files = {path.stem: path for path in version.glob("*.parquet")}
        for name in sorted((marts | set(files)) - NOT_COMPARED_TABLES):
            if name not in files or name not in marts:
                side = f'working.marts."{name}"' if name in marts else \
                    f"read_parquet('{_quoted(files[name])}')"
                rows = connection.execute(f"select count(*) from {side}").fetchone()[0]
                differences[name] = (rows, 0) if name in marts else (0, rows)
                continue
            columns = ", ".join(
                f'"{column}"' for (column,) in connection.execute(
                    f'select column_name from (describe working.marts."{name}")').fetchall()
                if column not in NOT_COMPARED_COLUMNS)
            built = f'select {columns} from working.marts."{name}"'
            kept = f"select {columns} from read_parquet('{_quoted(files[name])}')"
            only_built, only_kept = (
                connection.execute(f"select count(*) from ({one} except all {other})").fetchone()[0]
                for one, other in ((built, kept), (kept, built)))
            if only_built or only_kept:
                differences[name] = (only_built, only_kept)
    return differences


def _quoted(path: Path) -> str:
    return str(Path(path).resolve()).replace("'", "''")
