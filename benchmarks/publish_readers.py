"""Readers through back-to-back publishes: a BI tool in another process (a connection per query)
and a pooled one in this process (SQLAlchemy + duckdb-engine's QueuePool, as Superset keeps
them), each query checking that it saw one version whole. Small marts, so the publishes are
the switch and little else.

    .venv/bin/python benchmarks/publish_readers.py --publishes 1000
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cdp.publishing.publish import current_manifest, publish_marts
from tests.publishing.publish_race import race, small_warehouse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publishes", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=3000,
                        help="rows of the first version's customers (orders: twice as many); "
                             "each publish holds one customer fewer")
    args = parser.parse_args()
    if args.customers <= args.publishes:
        sys.exit("--customers must exceed --publishes: each publish drops one")
    with tempfile.TemporaryDirectory(prefix="publish-readers-") as scratch:
        warehouse = Path(scratch) / "warehouse" / "cdp.duckdb"
        published = Path(scratch) / "published" / "cdp.duckdb"
        small_warehouse(warehouse, args.customers)
        publish_marts(warehouse, published, run_id="first")
        started = time.perf_counter()
        result = race(warehouse, published, args.publishes)
        wall = time.perf_counter() - started
        current = current_manifest(published)["version"]
    process, pooled = result.process, result.pooled
    seconds = sorted(result.publish_seconds)
    print(f"publishes            {result.publishes} in {wall:.0f} s")
    print(f"publish time         mean {statistics.mean(seconds) * 1000:.0f} ms, "
          f"median {statistics.median(seconds) * 1000:.0f} ms, "
          f"p95 {seconds[int(len(seconds) * 0.95)] * 1000:.0f} ms, "
          f"max {seconds[-1] * 1000:.0f} ms")
    print(f"process reader       {process['queries']} queries, "
          f"{process['error_count']} errors, {process['half_version_count']} half versions, "
          f"{process['versions']} versions seen")
    print(f"pooled reader        {pooled.queries} queries, {len(pooled.errors)} errors, "
          f"{len(pooled.half_versions)} half versions, {len(pooled.versions)} versions seen, "
          f"in order: {pooled.versions == sorted(set(pooled.versions))}, "
          f"last is current: {pooled.versions[-1:] == [current] == [result.last_version]}")
    for error in (process["errors"] + pooled.errors)[:5]:
        print(f"  error: {error}")
    for mixed in (process["half_versions"] + pooled.half_versions)[:5]:
        print(f"  {mixed}")


if __name__ == "__main__":
    main()
