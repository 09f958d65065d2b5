"""Ingestion throughput: `cdp ingest` (dlt, Arrow path) against DuckDB's own readers.

DuckDB's `read_json` / `read_csv` materializing the same files into a table is the floor we
measure ourselves against; the loader also checks every row, hashes it, dedups it against the
warehouse and records lineage, so it cannot beat the floor, but should stay within ~3x of it.
Each export format is timed alone: its files are delivered and loaded one format at a time.

    .venv/bin/python benchmarks/ingest.py --customers 120000   # ~1.1M events in one file
"""

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
from generated_sample import add_sample_arguments, generated_sample

from cdp.ingestion.files import list_export_files
from cdp.sources.pipeline import duckdb_destination, ingest_exports
from cdp.sources.registry import enabled_sources

SPECS = [spec for source in enabled_sources() for spec in source.export_specs]


def _files(exports: Path, spec) -> list[Path]:
    return [Path(file.item["file_url"].removeprefix("file://"))
            for file in list_export_files(str(exports), spec).readable]


def duckdb_floor(exports: Path) -> dict[str, tuple[int, float]]:
    """Rows and seconds for DuckDB alone to read each format's files into a table."""
    results = {}
    for spec in SPECS:
        files = [str(path) for path in _files(exports, spec)]
        if not files:
            continue
        reader = (
            "read_json({files}, format = 'newline_delimited', maximum_depth = 1, "
            "sample_size = -1, union_by_name = true)" if spec.file_format == "jsonl"
            else "read_csv({files}, all_varchar = true, header = true, union_by_name = true)"
        ).format(files=files)
        with duckdb.connect() as connection:
            started = time.perf_counter()
            connection.execute(f"create table floor as select * from {reader}")
            elapsed = time.perf_counter() - started
            rows = connection.execute("select count(*) from floor").fetchone()[0]
        results[spec.folder] = (rows, elapsed)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(parser, customers=120_000)
    args = parser.parse_args()

    sample = generated_sample(args)
    exports = sample / "exports"
    sizes = {spec.folder: sum(path.stat().st_size for path in _files(exports, spec))
             for spec in SPECS}

    floor = duckdb_floor(exports)
    with tempfile.TemporaryDirectory() as scratch:
        # The exports folder as the loader sees it: night 1's files delivered one format at a
        # time (each load reads only that format's new files), night 2 linked in later.
        delivered = Path(scratch) / "exports"
        destination, pipelines_dir = duckdb_destination(Path(scratch) / "bench.duckdb")
        loaded = {}
        for spec in SPECS:
            if spec.folder not in floor:
                continue
            for path in _files(exports, spec):
                _link(path, delivered / path.relative_to(exports))
            started = time.perf_counter()
            report = ingest_exports(str(delivered), destination, pipelines_dir, [spec.system])
            loaded[spec.folder] = (report.systems[0].rows_added, time.perf_counter() - started)
        started = time.perf_counter()
        again = ingest_exports(str(delivered), destination, pipelines_dir)
        rerun_seconds = time.perf_counter() - started
        assert sum(system.rows_added for system in again.systems) == 0
        for path in (sample / "next_night").rglob("*.*"):
            _link(path, delivered / path.relative_to(sample / "next_night"))
        started = time.perf_counter()
        next_night = ingest_exports(str(delivered), destination, pipelines_dir)
        next_night_seconds = time.perf_counter() - started

    print(f"\n{'format':<26} {'MB':>6} {'rows':>11} {'duckdb rows/s':>14} {'dlt rows/s':>12} "
          f"{'duckdb s':>9} {'dlt s':>7} {'ratio':>6}")
    for folder, (rows, floor_seconds) in floor.items():
        added, dlt_seconds = loaded[folder]
        # Rows that repeat within the files (the same activity exported twice) are stored once.
        note = "" if added == rows else f"  ({rows - added:,} repeated rows stored once)"
        print(f"{folder:<26} {sizes[folder] / 1e6:>6.0f} {rows:>11,} "
              f"{rows / floor_seconds:>14,.0f} {rows / dlt_seconds:>12,.0f} "
              f"{floor_seconds:>9.2f} {dlt_seconds:>7.2f} {dlt_seconds / floor_seconds:>5.1f}x"
              f"{note}")
    total_rows = sum(rows for rows, _ in floor.values())
    total_floor = sum(seconds for _, seconds in floor.values())
    total_dlt = sum(seconds for _, seconds in loaded.values())
    print(f"{'all':<26} {sum(sizes.values()) / 1e6:>6.0f} {total_rows:>11,} "
          f"{total_rows / total_floor:>14,.0f} {total_rows / total_dlt:>12,.0f} "
          f"{total_floor:>9.2f} {total_dlt:>7.2f} {total_dlt / total_floor:>5.1f}x")
    print(f"re-run with no new files: {rerun_seconds:.2f} s, 0 rows")
    rows_read = sum(file.records_read for system in next_night.systems for file in system.files)
    rows_added = sum(system.rows_added for system in next_night.systems)
    print(f"next night's delta (insert-only merge into the loaded history): {rows_read:,} rows "
          f"read, {rows_added:,} new, {next_night_seconds:.2f} s")


def _link(path: Path, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(path.resolve())


if __name__ == "__main__":
    main()
