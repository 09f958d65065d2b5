"""Ingestion throughput: `cdp ingest` (dlt, Arrow path) against DuckDB's own readers.

DuckDB's `read_json` / `read_csv` materializing the same files into a table is the floor we
measure ourselves against; the loader also checks every row, hashes it, dedups it against the
warehouse and records lineage, so it cannot beat the floor, but should stay within ~3x of it.

    .venv/bin/python benchmarks/ingest.py --customers 120000   # ~1.1M events in one file
"""

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
from generated_sample import add_sample_arguments, generated_sample

from cdp.sources.crm import CRM_CONTACTS
from cdp.sources.pipeline import duckdb_destination, ingest_exports
from cdp.sources.pos import POS_ORDER_LINES
from cdp.sources.social import SOCIAL_LEADS
from cdp.sources.website import WEBSITE_EVENTS

SPECS = [WEBSITE_EVENTS, CRM_CONTACTS, SOCIAL_LEADS, POS_ORDER_LINES]


def duckdb_floor(exports: Path) -> dict[str, tuple[int, float]]:
    """Rows and seconds for DuckDB alone to read each system's files into a table."""
    results = {}
    for spec in SPECS:
        files = sorted(str(path) for path in (exports / spec.system).iterdir())
        reader = (
            "read_json({files}, format = 'newline_delimited', maximum_depth = 1, "
            "sample_size = -1)" if spec.file_format == "jsonl"
            else "read_csv({files}, all_varchar = true, header = true)"
        ).format(files=files)
        with duckdb.connect() as connection:
            started = time.perf_counter()
            connection.execute(f"create table floor as select * from {reader}")
            elapsed = time.perf_counter() - started
            rows = connection.execute("select count(*) from floor").fetchone()[0]
        results[spec.system] = (rows, elapsed)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(parser, customers=120_000)
    args = parser.parse_args()

    sample = generated_sample(args)
    exports = sample / "exports"
    sizes = {spec.system: sum(p.stat().st_size for p in (exports / spec.system).iterdir())
             for spec in SPECS}

    floor = duckdb_floor(exports)
    with tempfile.TemporaryDirectory() as scratch:
        # The exports folder as the loader sees it: night 1 now, night 2 linked in later.
        delivered = Path(scratch) / "exports"
        _link_files(exports, delivered)
        destination, pipelines_dir = duckdb_destination(Path(scratch) / "bench.duckdb")
        loaded = {}
        for spec in SPECS:
            started = time.perf_counter()
            report = ingest_exports(str(delivered), destination, pipelines_dir, [spec.system])
            loaded[spec.system] = (report.systems[0].rows_added, time.perf_counter() - started)
        started = time.perf_counter()
        again = ingest_exports(str(delivered), destination, pipelines_dir)
        rerun_seconds = time.perf_counter() - started
        assert sum(system.rows_added for system in again.systems) == 0
        _link_files(sample / "next_night", delivered)
        started = time.perf_counter()
        next_night = ingest_exports(str(delivered), destination, pipelines_dir)
        next_night_seconds = time.perf_counter() - started

    print(f"\n{'system':<8} {'MB':>7} {'rows':>11} {'duckdb rows/s':>14} {'dlt rows/s':>12} "
          f"{'duckdb s':>9} {'dlt s':>7} {'ratio':>6}")
    for spec in SPECS:
        rows, floor_seconds = floor[spec.system]
        added, dlt_seconds = loaded[spec.system]
        assert added == rows, f"{spec.system}: loaded {added} of {rows} rows"
        print(f"{spec.system:<8} {sizes[spec.system] / 1e6:>7.0f} {rows:>11,} "
              f"{rows / floor_seconds:>14,.0f} {rows / dlt_seconds:>12,.0f} "
              f"{floor_seconds:>9.2f} {dlt_seconds:>7.2f} {dlt_seconds / floor_seconds:>5.1f}x")
    total_rows = sum(rows for rows, _ in floor.values())
    total_floor = sum(seconds for _, seconds in floor.values())
    total_dlt = sum(seconds for _, seconds in loaded.values())
    print(f"{'all':<8} {sum(sizes.values()) / 1e6:>7.0f} {total_rows:>11,} "
          f"{total_rows / total_floor:>14,.0f} {total_rows / total_dlt:>12,.0f} "
          f"{total_floor:>9.2f} {total_dlt:>7.2f} {total_dlt / total_floor:>5.1f}x")
    print(f"re-run with no new files: {rerun_seconds:.2f} s, 0 rows")
    rows_read = sum(file.records_read for system in next_night.systems for file in system.files)
    rows_added = sum(system.rows_added for system in next_night.systems)
    print(f"next night's delta (insert-only merge into the loaded history): {rows_read:,} rows "
          f"read, {rows_added:,} new, {next_night_seconds:.2f} s")


def _link_files(source: Path, target: Path) -> None:
    for path in source.rglob("*.*"):
        link = target / path.relative_to(source)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path.resolve())


if __name__ == "__main__":
    main()
