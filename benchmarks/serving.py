"""Publishing to the PostgreSQL serving database, on a real server this benchmark starts.

The floor is the same marts' rows alone through DuckDB's CSV writer and PostgreSQL's COPY into
plain tables: no hashed columns, no views, no grants, no swap. The publish adds those.

    .venv/bin/python benchmarks/serving.py --customers 100000
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import psycopg
from generated_sample import add_sample_arguments, generated_sample, load_exports

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cdp.privacy.policy import load_policy
from cdp.publishing.publish import mart_names
from cdp.publishing.serving import publish_serving
from cdp.testing.postgres_server import PostgresServer, why_no_server
from cdp.transformation.dbt_runner import dbt_build


def copy_floor(url: str, warehouse: Path, scratch: Path) -> tuple[int, float]:
    """Rows and seconds of the marts, as they are, through CSV and COPY into plain tables."""
    started = time.perf_counter()
    rows = 0
    with duckdb.connect() as duck, psycopg.connect(url, autocommit=True) as connection:
        duck.execute(f"attach '{warehouse}' as working (read_only)")
        connection.execute("drop schema if exists floor cascade; create schema floor")
        for name in mart_names(duck, "working"):
            columns = duck.execute(f"describe working.marts.{name}").fetchall()
            definitions = ", ".join(f"{column[0]} text" for column in columns)
            connection.execute(f"create table floor.{name} ({definitions})")
            csv_file = scratch / f"{name}.csv"
            duck.execute(f"copy working.marts.{name} to '{csv_file}' (header false)")
            with connection.cursor() as cursor, csv_file.open("rb") as source:
                with cursor.copy(f"copy floor.{name} from stdin (format csv)") as copy:
                    while block := source.read(1 << 20):
                        copy.write(block)
                rows += cursor.rowcount
        connection.execute("drop schema floor cascade")
    return rows, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(parser, customers=100_000)
    args = parser.parse_args()
    reason = why_no_server()
    if reason:
        sys.exit(f"cannot benchmark: {reason}")
    sample = generated_sample(args)
    server = PostgresServer().start()
    try:
        with tempfile.TemporaryDirectory(dir=sample.parent) as scratch:
            warehouse = Path(scratch) / "bench.duckdb"
            load_exports(sample / "exports", warehouse)
            dbt_build(warehouse, target_path=Path(scratch) / "dbt_target")
            with server.superuser() as admin:
                admin.execute("create database serving")
            url = server.url(database="serving")
            rows, floor = copy_floor(url, warehouse, Path(scratch))
            print(f"floor (the marts through CSV and COPY, plain tables): {rows:,} rows "
                  f"in {floor:.1f} s")
            policy = load_policy()
            for night in ("first", "second"):
                started = time.perf_counter()
                served = publish_serving(url, warehouse, policy, "benchmark-salt",
                                         run_id=f"{night}-night")
                elapsed = time.perf_counter() - started
                print(f"publish_serving, {night} night: {sum(served.tables.values()):,} rows "
                      f"in {len(served.tables)} marts, {len(served.roles)} role schemas: "
                      f"{elapsed:.1f} s = {elapsed / floor:.2f}x the floor "
                      f"(customers: {served.tables.get('customers', 0):,})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
