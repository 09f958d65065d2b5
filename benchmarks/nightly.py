"""A deployment's nights as `cdp run` runs them: a year and more of history, then five
incremental nights, a night with no new file, a micro-batch of ~1,000 events, a restriction and
an erasure (`cdp privacy`, each republishing), and a full refresh.

For each population size it generates the nights (`cdp sample --nights`), runs each as a user
does (a new `cdp run` process on the same warehouse) and prints per night: the raw rows it
added, its wall time, the time of each stage (loads, dbt, checks, publish, deliveries) from the
run's log, and the process tree's peak memory. Then the ratios the targets are stated in, and
the floor of ingestion: DuckDB alone reading night 1's files into tables.

    .venv/bin/python benchmarks/nightly.py --customers 100000 1000000
"""

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from generated_sample import generated_sample
from ingest import duckdb_floor

from cdp.sample import night_folders

CDP = str(Path(sys.executable).parent / "cdp")
INCREMENTAL_NIGHTS = 5
MICRO_BATCH_EVENTS = 1000
# Dagster writes a step's duration as 533ms, 5.6s, 4m52s or 1h4m.
_STEP = re.compile(r" - (?P<step>[a-z_0-9]+) - STEP_SUCCESS - Finished execution of step "
                   r"\"[a-z_0-9]+\" in (?P<duration>[0-9.hms]+?)\.?$", re.MULTILINE)
_PART = re.compile(r"([0-9.]+)(ms|h|m|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


@dataclass
class Night:
    name: str
    seconds: float
    peak_mb: float
    rows_added: int
    stages: dict[str, float] = field(default_factory=dict)
    line: str = ""


def run_night(name: str, folder: Path, *options: str) -> Night:
    """`cdp run` in a new process; its wall time, the process tree's peak RSS, its stages."""
    logs = folder / "warehouse" / "logs"
    before = set(logs.glob("run-*.log")) if logs.exists() else set()
    env = {**os.environ, "CDP_CONFIG": str(folder / "cdp.toml")}
    started = time.perf_counter()
    process = subprocess.Popen([CDP, "run", "--quiet", *options], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{name}: cdp run failed:\n{output}")
    new_logs = sorted(set(logs.glob("run-*.log")) - before) if logs.exists() else []
    stages = _stages(new_logs[-1]) if new_logs else {}
    return Night(name, seconds, usage.ru_maxrss / 1024, _rows_added(folder), stages,
                 output.strip().splitlines()[-1] if output.strip() else "")


def _stages(log: Path) -> dict[str, float]:
    stages: dict[str, float] = {}
    for match in _STEP.finditer(log.read_text(encoding="utf-8", errors="replace")):
        step = match["step"]
        seconds = sum(float(amount) * _UNIT_SECONDS[unit]
                      for amount, unit in _PART.findall(match["duration"]))
        stage = ("load" if step.startswith("load_") else "dbt" if step == "dbt_build"
                 else "publish" if step.startswith("published") else
                 "deliver" if step.startswith("activation__") else
                 "privacy" if step.startswith("privacy") else "checks")
        stages[stage] = stages.get(stage, 0) + seconds
    return stages


_ROWS_SEEN: dict[Path, int] = {}


def _rows_added(folder: Path) -> int:
    """Raw rows in the warehouse now, less those before (read through a copy: the run is over,
    but nothing here should hold the warehouse)."""
    import duckdb

    warehouse = folder / "warehouse" / "cdp.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        total = sum(connection.execute(f"select count(*) from {table}").fetchone()[0]
                    for table in ("raw_website.events", "raw_crm.contacts", "raw_social.leads",
                                  "raw_pos.order_lines"))
    added = total - _ROWS_SEEN.get(folder, 0)
    _ROWS_SEEN[folder] = total
    return added


def privacy_request(kind: str, folder: Path) -> Night:
    """`cdp privacy <kind>` of the buyer with the most records: its rebuild and republish."""
    import duckdb

    with duckdb.connect(str(folder / "warehouse" / "cdp.duckdb"), read_only=True) as connection:
        [(customer_id,)] = connection.execute(f"""
            select customer_id from marts.customers where orders_count > 0
            order by records_count desc, customer_id
            limit 1 offset {1 if kind == "erase" else 0}""").fetchall()
    env = {**os.environ, "CDP_CONFIG": str(folder / "cdp.toml")}
    started = time.perf_counter()
    process = subprocess.Popen([CDP, "privacy", kind, "--customer-id", customer_id, "--yes",
                                "--requested-by", "the benchmark", "--reason", "benchmark"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"cdp privacy {kind} failed:\n{output}")
    return Night(f"privacy {kind} (1 customer)", seconds, usage.ru_maxrss / 1024,
                 _rows_added(folder), {}, output.strip().splitlines()[-1] if output else "")


def micro_batch(night: Path, exports: Path) -> int:
    """The first ~1,000 events of a later night's website file, as a new file of its own."""
    source = next((night / "website").iterdir())
    opener = gzip.open if source.suffix == ".gz" else open
    target = exports / "website" / f"events_micro_batch_{source.name.split('_')[1][:10]}.jsonl"
    with opener(source, "rt", encoding="utf-8") as lines, target.open("w") as out:
        for count, line in enumerate(lines, start=1):
            out.write(line)
            if count >= MICRO_BATCH_EVENTS:
                break
    return count


def deployment(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cdp.toml").write_text(f"""[paths]
exports_dir = "{folder / 'exports'}"
warehouse = "{folder / 'warehouse' / 'cdp.duckdb'}"
published_warehouse = "{folder / 'published' / 'cdp.duckdb'}"
reports_dir = "{folder / 'reports'}"
""")
    (folder / "exports").mkdir(exist_ok=True)


def benchmark(args: argparse.Namespace, customers: int) -> list[Night]:
    args.customers = customers
    incremental = args.incremental_nights
    sample = generated_sample(args, nights=INCREMENTAL_NIGHTS + 2)
    nights = night_folders(sample)
    with tempfile.TemporaryDirectory(dir=sample.parent) as scratch:
        folder = Path(scratch)
        deployment(folder)
        exports = folder / "exports"
        results = []
        for number, night in enumerate(nights[:incremental + 1], start=1):
            shutil.copytree(night, exports, dirs_exist_ok=True)
            label = "night 1 (history)" if number == 1 else f"night {number} (a day)"
            results.append(run_night(label, folder))
            print(f"  {customers:,}: {results[-1].name}: {results[-1].seconds:.1f} s", flush=True)
        results.append(run_night("no new file", folder))
        if not args.quick:
            events = micro_batch(nights[INCREMENTAL_NIGHTS + 1], exports)
            results.append(run_night(f"micro-batch ({events:,} events)", folder))
            for kind in ("restrict", "erase"):
                results.append(privacy_request(kind, folder))
                print(f"  {customers:,}: {results[-1].name}: {results[-1].seconds:.1f} s",
                      flush=True)
            results.append(run_night("full refresh", folder, "--full-refresh"))
        floor = duckdb_floor(nights[0])
    _print(customers, results, floor)
    return results


def _print(customers: int, results: list[Night], floor: dict[str, tuple[int, float]]) -> None:
    print(f"\n{customers:,} customers")
    print(f"  {'night':<28} {'raw rows':>10} {'wall s':>8} {'load':>6} {'dbt':>6} "
          f"{'checks':>6} {'publish':>7} {'deliver':>7} {'peak MB':>8}")
    for night in results:
        stage = night.stages
        print(f"  {night.name:<28} {night.rows_added:>10,} {night.seconds:>8.1f} "
              f"{stage.get('load', 0):>6.1f} {stage.get('dbt', 0):>6.1f} "
              f"{stage.get('checks', 0):>6.1f} {stage.get('publish', 0):>7.1f} "
              f"{stage.get('deliver', 0):>7.1f} {night.peak_mb:>8,.0f}")
    first = results[0]
    # Without a full refresh run (--quick), night 1 is the full build: every model from nothing.
    full = next((night for night in results if night.name == "full refresh"), first)
    days = [night for night in results if "(a day)" in night.name]
    day = sum(night.seconds for night in days) / len(days)
    idle = next(night for night in results if night.name == "no new file")
    micro = next((night for night in results if night.name.startswith("micro-batch")), None)
    floor_seconds = sum(seconds for _, seconds in floor.values())
    print(f"  a day's night / full refresh: {day:.1f} / {full.seconds:.1f} s = "
          f"{day / full.seconds:.0%} (target <= 10 %)")
    print(f"  no new file: {idle.seconds:.1f} s (target <= 5 s): {idle.line}")
    if micro:
        print(f"  micro-batch, file to published: {micro.seconds:.1f} s (target <= 60 s)")
    print(f"  {full.name}: {full.seconds:.1f} s, peak {full.peak_mb:,.0f} MB "
          f"(target for a full refresh at 1M: <= 300 s, <= 8 GB)")
    print(f"  ingest of night 1: {first.stages.get('load', 0):.1f} s; DuckDB alone reading the "
          f"same files (floor): {floor_seconds:.1f} s = "
          f"{first.stages.get('load', 0) / floor_seconds:.1f}x (target <= 3x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", default="default")
    parser.add_argument("--data-dir", type=Path, default=Path("benchmarks/.data"))
    parser.add_argument("--incremental-nights", type=int, default=INCREMENTAL_NIGHTS,
                        choices=range(1, INCREMENTAL_NIGHTS + 1),
                        help="how many of the five incremental nights to run")
    parser.add_argument("--quick", action="store_true",
                        help="no micro-batch and no full refresh at the end (night 1, a build "
                             "from nothing, stands for the full build)")
    args = parser.parse_args()
    everything = {customers: benchmark(args, customers) for customers in args.customers}
    if len(everything) > 1:
        print("\na day's night, side by side (the cost should follow the night's data):")
        for customers, results in everything.items():
            days = [night for night in results if "(a day)" in night.name]
            print(f"  {customers:>10,} customers: "
                  + ", ".join(f"{night.seconds:.1f} s" for night in days))


if __name__ == "__main__":
    main()
