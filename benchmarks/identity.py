"""Identity resolution against ground truth: pairwise precision and recall, per profile and scale.

For each generated population (`cdp sample --profile ...`, both nights delivered), the identity
models are built with dbt and every pair of records put in one customer is scored against the
generator's ground truth:

- precision: of the record pairs we joined, the share that are one real person;
- recall: of the record pairs that are one real person, the share we joined;
- ceiling: the recall of an oracle that joins only records of the same real person that share an
  (normalized) identifier: what any identifier-based linking can reach. "of ceiling" is our
  recall as a share of it;
- the identity models' own time (dbt's per-model execution time, summed).

    .venv/bin/python benchmarks/identity.py --customers 2000 100000 --profile default messy
"""

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
from dbt.cli.main import dbtRunner
from generated_sample import generated_sample, load_exports

from cdp.sample import PROFILES
from cdp.transformation.dbt_runner import dbt_command, release_warehouse

SCORES_SQL = """
with truth as (
    select source || ':' || record_id as record_key, person_id
    from read_csv('{truth}', all_varchar = true)
),
ours as (
    select record_key, customer_id from intermediate.int_records_clustered
),
joined as (
    select ours.customer_id, truth.person_id, ours.record_key
    from ours inner join truth using (record_key)
),
pairs as (
    select
        (select sum(n * (n - 1) / 2) from (select count(*) as n from joined group by customer_id))
            as predicted_pairs,
        (select sum(n * (n - 1) / 2) from (select count(*) as n from joined group by person_id))
            as true_pairs,
        (select sum(n * (n - 1) / 2) from (
            select count(*) as n from joined group by customer_id, person_id)) as correct_pairs,
        (select count(*) from joined) as records,
        (select count(distinct customer_id) from joined) as customers,
        (select count(distinct person_id) from joined) as people
)
select * from pairs
"""


def oracle_pairs(connection: duckdb.DuckDBPyConnection, truth: Path) -> int:
    """Pairs joined by the oracle: components of same-person records sharing an identifier."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    edges = connection.execute(f"""
        with truth as (
            select source || ':' || record_id as record_key, person_id
            from read_csv('{truth}', all_varchar = true)
        ),
        records as (
            select record_key, person_id, row_number() over (order by record_key) - 1 as node
            from truth
        ),
        keyed as (
            select records.node, records.person_id,
                dense_rank() over (order by identifiers.identifier_type,
                    identifiers.identifier_value, records.person_id) as identifier_node
            from intermediate.int_identifiers_unioned as identifiers
            inner join records using (record_key)
        )
        select node, identifier_node, (select count(*) from records) as record_count
        from keyed
    """).fetchnumpy()
    record_count = int(edges["record_count"][0])
    sources = edges["node"].astype(np.int64)
    targets = edges["identifier_node"].astype(np.int64) + record_count
    size = int(targets.max()) + 1
    graph = coo_matrix((np.ones(len(sources), np.int8), (sources, targets)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    _, counts = np.unique(labels[:record_count], return_counts=True)
    return int((counts * (counts - 1) // 2).sum())


def identity_seconds(target: Path) -> float:
    manifest = json.loads((target / "manifest.json").read_text())
    identity_nodes = {unique_id for unique_id, node in manifest["nodes"].items()
                      if "intermediate/identity" in node.get("original_file_path", "")}
    results = json.loads((target / "run_results.json").read_text())["results"]
    return sum(result["execution_time"] for result in results
               if result["unique_id"] in identity_nodes)


def score(customers: int, profile: str, seed: int, data_dir: Path,
          keep: Path | None = None) -> dict:
    sample = generated_sample(SimpleNamespace(customers=customers, seed=seed, profile=profile,
                                              data_dir=data_dir))
    with tempfile.TemporaryDirectory(dir=sample.parent) as scratch:
        if keep:  # the warehouse stays for a closer look
            scratch = keep / f"{profile}-{customers}"
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir(parents=True)
        exports = Path(scratch) / "exports"
        shutil.copytree(sample / "exports", exports)
        shutil.copytree(sample / "next_night", exports, dirs_exist_ok=True)
        warehouse = Path(scratch) / "identity.duckdb"
        load_exports(exports, warehouse)

        target = Path(scratch) / "target"
        started = time.perf_counter()
        try:
            for command in (["seed"], ["run", "--select", "+int_records_clustered"]):
                result = dbtRunner().invoke([*dbt_command([*command, "--quiet"], warehouse),
                                             "--target-path", str(target)])
                if not result.success:
                    raise SystemExit(f"dbt {command[0]} failed: {result.exception}")
        finally:
            release_warehouse()
        wall = time.perf_counter() - started
        truth = sample / "ground_truth.csv"
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            row = connection.execute(SCORES_SQL.format(truth=truth)).fetchone()
            names = [column[0] for column in connection.description]
            figures = dict(zip(names, row, strict=True))
            figures["oracle_pairs"] = oracle_pairs(connection, truth)
        figures["identity_seconds"] = identity_seconds(target)
    figures["dbt_wall_seconds"] = wall
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[2000, 100_000])
    parser.add_argument("--profile", nargs="+", choices=sorted(PROFILES),
                        default=sorted(PROFILES))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=Path("benchmarks/.data"))
    parser.add_argument("--keep", type=Path, help="keep each warehouse under this folder")
    args = parser.parse_args()

    header = (f"{'profile':<9}{'people':>9}{'records':>10}{'customers':>11}{'precision':>11}"
              f"{'recall':>8}{'ceiling':>9}{'of ceiling':>12}{'identity s':>12}")
    rows = []
    for profile in args.profile:
        for customers in args.customers:
            figures = score(customers, profile, args.seed, args.data_dir, args.keep)
            predicted, true = figures["predicted_pairs"] or 0, figures["true_pairs"] or 0
            correct, oracle = figures["correct_pairs"] or 0, figures["oracle_pairs"]
            precision = correct / predicted if predicted else 1.0
            recall = correct / true if true else 1.0
            ceiling = oracle / true if true else 1.0
            rows.append(
                f"{profile:<9}{figures['people']:>9,}{figures['records']:>10,}"
                f"{figures['customers']:>11,}{precision:>11.4f}{recall:>8.4f}{ceiling:>9.4f}"
                f"{correct / oracle if oracle else 1.0:>12.4f}"
                f"{figures['identity_seconds']:>12.1f}")
            print(rows[-1] if len(rows) > 1 else f"{header}\n{rows[-1]}", flush=True)
    print("\n" + header + "\n" + "\n".join(rows))


if __name__ == "__main__":
    main()
