"""How long the `cdp` command keeps a person waiting before it answers, on a built deployment.

Each command runs as a user runs it (a new process, the venv's `cdp`), `--repeat` times; the
median and the worst are printed, beside the floor of starting Python and importing nothing.

    .venv/bin/python benchmarks/cli_latency.py --warehouse warehouse/cdp.duckdb \
        --exports sample_data/exports

Measured:
- `cdp --version`;
- a wrong exports folder, and a warehouse another run holds: the error line;
- `cdp run`: its first line (the run itself is not waited for: it is killed once the line came);
- `cdp explain --customer-id`, and `--phone` of the most shared phone;
- `cdp privacy erase --dry-run` of one customer.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

CDP = str(Path(sys.executable).parent / "cdp")


def _time(command: list[str], first_line_only: bool = False) -> tuple[float, str]:
    started = time.monotonic()
    if not first_line_only:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
        lines = (finished.stdout + finished.stderr).strip().splitlines()
        return time.monotonic() - started, lines[-1] if lines else ""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    line = process.stdout.readline().strip()
    elapsed = time.monotonic() - started
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return elapsed, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path("warehouse/cdp.duckdb"))
    parser.add_argument("--exports", type=Path, default=Path("sample_data/exports"))
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    warehouse = arguments.warehouse.resolve()
    published = warehouse.parent / "published" / warehouse.name
    with duckdb.connect(str(published), read_only=True) as connection:
        [(customer,)] = connection.execute(
            "select customer_id from marts.customers order by records_count desc limit 1"
        ).fetchall()
        [(phone,)] = connection.execute(
            "select identifier_value from marts.identity_exclusions "
            "where identifier_type = 'phone' order by records_count desc limit 1").fetchall() \
            or [(None,)]
    lock_holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from cdp.core.warehouse_lock import "
         "warehouse_lock; from pathlib import Path\nwith warehouse_lock(Path(sys.argv[1]), "
         "'the benchmark'):\n    print('held', flush=True); time.sleep(600)",
         str(warehouse)], stdout=subprocess.PIPE, text=True)
    if lock_holder.stdout.readline().strip() != "held":
        lock_holder.kill()
        sys.exit("the process meant to hold the warehouse lock did not take it (see above)")
    try:
        cases = {
            "python, importing nothing (the floor)": ([sys.executable, "-c", "pass"], False),
            "cdp --version": ([CDP, "--version"], False),
            "cdp run, a wrong exports folder": (
                [CDP, "run", "--exports-dir", "/nonexistent", "--warehouse", str(warehouse)],
                False),
            "cdp run, the warehouse held by another run": (
                [CDP, "run", "--exports-dir", str(arguments.exports), "--warehouse",
                 str(warehouse)], False),
        }
        results = {name: [_time(command, first) for _ in range(arguments.repeat)]
                   for name, (command, first) in cases.items()}
    finally:
        lock_holder.kill()
        lock_holder.wait()
    more = {
        "cdp run, its first line": ([CDP, "run", "--exports-dir", str(arguments.exports),
                                     "--warehouse", str(warehouse)], True),
        "cdp explain --customer-id (the largest customer)": (
            [CDP, "explain", "--customer-id", customer, "--warehouse", str(warehouse)], False),
        "cdp privacy erase --dry-run (that customer)": (
            [CDP, "privacy", "erase", "--customer-id", customer, "--requested-by", "benchmark",
             "--reason", "benchmark", "--yes", "--dry-run", "--warehouse", str(warehouse)],
            False),
    }
    if phone:
        more["cdp explain --phone (the most shared phone)"] = (
            [CDP, "explain", "--phone", phone, "--warehouse", str(warehouse)], False)
    results.update({name: [_time(command, first) for _ in range(arguments.repeat)]
                    for name, (command, first) in more.items()})
    floor = statistics.median(seconds for seconds, _ in results[
        "python, importing nothing (the floor)"])
    print(f"{'command':<52} {'median':>8} {'worst':>8} {'x floor':>8}  last line")
    for name, runs in results.items():
        times = [seconds for seconds, _ in runs]
        median = statistics.median(times)
        print(f"{name:<52} {median:>7.2f}s {max(times):>7.2f}s {median / floor:>7.0f}x  "
              f"{runs[-1][1][:70]}")


if __name__ == "__main__":
    main()
