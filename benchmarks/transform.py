"""`cdp transform` (dbt build) on a large generated set, and identity resolution on its own.

The floor for the identity step is scipy's `connected_components` over the same edges, already
in memory as integers; the dbt model also reads the edges from the warehouse and writes the
components back.

    .venv/bin/python benchmarks/transform.py --customers 1000000
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
from generated_sample import add_sample_arguments, generated_sample, load_exports
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from cdp.transformation.dbt_runner import dbt_build

IDENTITY_FOLDER = "models/intermediate/identity/"
PROBABILISTIC_FOLDER = IDENTITY_FOLDER + "probabilistic/"


def models_under(target_path: Path, folder: str) -> set[str]:
    """The enabled models whose files are under `folder` of the dbt project."""
    manifest = json.loads((target_path / "manifest.json").read_text())
    return {node["name"] for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["original_file_path"].startswith(folder)}


def scipy_floor(warehouse: Path) -> tuple[int, int, float]:
    """Nodes, edges and seconds of scipy's connected_components alone on the model's edges."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        records = connection.execute(
            "select count(*) from intermediate.int_records_unioned").fetchone()[0]
        edges = connection.execute(
            "select record_node, identifier_node from intermediate.int_identity_edges"
        ).to_arrow_table()
    sources = edges.column(0).to_numpy()
    targets = edges.column(1).to_numpy()
    nodes = int(max(records, targets.max() + 1))
    graph = coo_matrix((np.ones(len(sources), np.int8), (sources, targets)),
                       shape=(nodes, nodes)).tocsr()
    started = time.perf_counter()
    connected_components(graph, directed=False)
    return nodes, len(sources), time.perf_counter() - started


def node_seconds(target_path: Path) -> dict[str, float]:
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    return {result["unique_id"].split(".")[-1]: result["execution_time"] for result in results
            if result["unique_id"].startswith("model.")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(parser, customers=1_000_000)
    parser.add_argument("--sql-engine", action="store_true",
                        help="also time the set-based SQL connected components")
    args = parser.parse_args()

    sample = generated_sample(args)

    with tempfile.TemporaryDirectory(dir=sample.parent) as scratch:
        warehouse = Path(scratch) / "bench.duckdb"
        started = time.perf_counter()
        report = load_exports(sample / "exports", warehouse)
        rows = sum(system.rows_added for system in report.systems)
        print(f"cdp ingest: {rows:,} raw rows in {time.perf_counter() - started:.0f} s")

        target = Path(scratch) / "dbt_target"
        started = time.perf_counter()
        dbt_build(warehouse, target_path=target)
        transform_seconds = time.perf_counter() - started
        seconds = node_seconds(target)
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            customers, records = connection.execute(
                "select (select count(*) from marts.customers), "
                "(select count(*) from marts.customer_records)").fetchone()
        print(f"cdp transform (dbt build, models and tests): {transform_seconds:.0f} s -> "
              f"{records:,} records resolved to {customers:,} customers")
        print("slowest models:")
        for name, elapsed in sorted(seconds.items(), key=lambda item: -item[1])[:8]:
            print(f"  {elapsed:7.1f} s  {name}")

        nodes, edges, floor = scipy_floor(warehouse)
        components = seconds["int_identity_components"]
        print(f"\nidentity graph: {nodes:,} nodes, {edges:,} edges")
        print(f"  scipy connected_components alone (floor): {floor:.2f} s")
        print(f"  int_identity_components (python engine, incl. reading and writing): "
              f"{components:.2f} s = {components / floor:.1f}x the floor")
        identity = models_under(target, IDENTITY_FOLDER)
        probabilistic = models_under(target, PROBABILISTIC_FOLDER)
        print(f"  identity resolution, all {len(identity)} models of "
              f"{IDENTITY_FOLDER}: {sum(seconds.get(name, 0) for name in identity):.1f} s, of "
              f"which probabilistic matching (Splink) "
              f"{sum(seconds.get(name, 0) for name in probabilistic):.1f} s")
        if args.sql_engine:
            started = time.perf_counter()
            dbt_build(warehouse, variables={"identity_engine": "sql"},
                      select="int_identity_components", target_path=target)
            print(f"  int_identity_components (sql engine): "
                  f"{time.perf_counter() - started:.1f} s (dbt invocation included)")


if __name__ == "__main__":
    main()
