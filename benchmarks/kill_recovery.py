"""`kill -9` at random moments of `cdp run`, then a normal rerun: nothing is lost or doubled.

For each scenario a deployment with night 1 published is restored, night 2 is delivered, and
`cdp run` is killed (SIGKILL to its process group: the run and the dbt it started) at a random
moment inside one stage: loading, the dbt build, the checks, publishing. A normal `cdp run`
follows. Then:

- the published marts equal, row for row, those of an uninterrupted night 2
  (`customer_merges.merged_at`, the time a run logged a merge, `data_issues._dlt_load_id`,
  the load that brought the row, and `_rebuilt_at` of events and sessions, when a build
  rebuilt the row's device, are left out of the comparison);
- every raw table holds as many rows as after the uninterrupted night 2, and no key twice;
- a reader in another process that opened the published file every few milliseconds through
  it all never failed, and only ever saw night 1's or night 2's customers, whole.

    .venv/bin/python benchmarks/kill_recovery.py --customers 400 --kills 12
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
CDP = str(Path(sys.executable).parent / "cdp")
# stage -> the log line that says it started
STAGES = {
    "load": "load_crm_exports - STEP_START",
    "dbt build": "dbt_build - STEP_START",
    "checks": "marts__customers_marts_customers_ids_unique - STEP_START",
    "publish": "published__warehouse - STEP_START",
}
RAW_TABLES = ["raw_website.events", "raw_crm.contacts", "raw_social.leads", "raw_pos.order_lines"]
# What says when a run did something, not what the data says: the time a run logged a merge,
# and the load (its time) that brought a data issue's row.
RUN_TIME_COLUMNS = {"customer_merges": ["merged_at"], "data_issues": ["_dlt_load_id"],
                    "events": ["_rebuilt_at"], "sessions": ["_rebuilt_at"]}
READER = """
import duckdb, json, sys, time, pathlib
published, stop = sys.argv[1], pathlib.Path(sys.argv[2])
seen, errors, queries = set(), [], 0
while not stop.exists():
    try:
        with duckdb.connect(published, read_only=True) as connection:
            seen.add(connection.execute(
                "select count(*) || '/' || sum(records_count) from marts.customers").fetchone()[0])
        queries += 1
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}"[:300])
    time.sleep(0.003)
print(json.dumps({"queries": queries, "answers": sorted(seen), "errors": errors[:10]}))
"""


def cdp_run(deployment: Path, **popen) -> subprocess.Popen:
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                   "DAGSTER_HOME": str(deployment / "dagster_home")}
    return subprocess.Popen(
        [CDP, "run", "--exports-dir", str(deployment / "exports"),
         "--warehouse", str(deployment / "warehouse" / "cdp.duckdb"), "--quiet"],
        cwd=deployment, env=environment, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)


def finish(run: subprocess.Popen) -> tuple[int, str]:
    output, _ = run.communicate(timeout=900)
    return run.returncode, output.strip()


def published_rows(deployment: Path) -> dict[str, list]:
    path = deployment / "warehouse" / "published" / "cdp.duckdb"
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = [row[0] for row in connection.execute(
            "select view_name from duckdb_views() where schema_name = 'marts'").fetchall()]
        rows = {}
        for table in sorted(tables):
            left_out = RUN_TIME_COLUMNS.get(table)
            columns = f"* exclude ({', '.join(left_out)})" if left_out else "*"
            rows[table] = sorted(connection.execute(
                f"select {columns} from marts.{table}").fetchall(), key=repr)
    return rows


def customers_answer(deployment: Path) -> str:
    """What the reader sees of a version: customers and their records, together."""
    path = deployment / "warehouse" / "published" / "cdp.duckdb"
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(
            "select count(*) || '/' || sum(records_count) from marts.customers").fetchone()[0]


def raw_state(deployment: Path) -> dict[str, tuple[int, int]]:
    """Rows and distinct (key, content hash) pairs per raw table."""
    keys = {"raw_website.events": "message_id", "raw_crm.contacts": "record_id",
            "raw_social.leads": "id", "raw_pos.order_lines": "name, line_position"}
    with duckdb.connect(str(deployment / "warehouse" / "cdp.duckdb"), read_only=True) as db:
        return {table: db.execute(
            f"select count(*), count(distinct ({keys[table]}, _record_hash)) from {table}"
        ).fetchone() for table in RAW_TABLES}


def wait_for(log_folder: Path, marker: str, run: subprocess.Popen, timeout: float = 600) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and run.poll() is None:
        for log in log_folder.glob("run-*.log"):
            if marker in log.read_text(errors="replace"):
                return True
        time.sleep(0.01)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    work = REPO / "benchmarks" / ".data" / f"kill_recovery_{arguments.customers}"
    shutil.rmtree(work, ignore_errors=True)
    deployment, snapshot, sample = work / "deployment", work / "night_one", work / "sample"
    subprocess.run([CDP, "sample", "--customers", str(arguments.customers), "--out",
                    str(sample)], check=True, capture_output=True)
    shutil.copytree(sample / "exports", deployment / "exports")

    started = time.monotonic()
    code, output = finish(cdp_run(deployment))
    assert code == 0, output
    night_one_seconds = time.monotonic() - started
    shutil.copytree(deployment, snapshot, symlinks=True)
    whole_answers = {customers_answer(deployment)}

    def restore_and_deliver() -> None:
        shutil.rmtree(deployment)
        shutil.copytree(snapshot, deployment, symlinks=True)
        shutil.copytree(sample / "next_night", deployment / "exports", dirs_exist_ok=True)

    restore_and_deliver()
    started = time.monotonic()
    code, output = finish(cdp_run(deployment))
    assert code == 0, output
    night_two_seconds = time.monotonic() - started
    reference, reference_raw = published_rows(deployment), raw_state(deployment)
    whole_answers.add(customers_answer(deployment))
    print(f"{arguments.customers} customers: night 1 in {night_one_seconds:.0f} s, "
          f"night 2 in {night_two_seconds:.0f} s (uninterrupted)")
    print(f"{'#':>2}  {'stage killed':<12} {'after':>7}  {'rerun':>6}  {'marts':<10} "
          f"{'raw':<10} reader")

    stages = [list(STAGES)[index % len(STAGES)] for index in range(arguments.kills)]
    failures = 0
    for number, stage in enumerate(stages, start=1):
        restore_and_deliver()
        stop = work / "stop"
        stop.unlink(missing_ok=True)
        reader = subprocess.Popen(
            [sys.executable, "-c", READER,
             str(deployment / "warehouse" / "published" / "cdp.duckdb"), str(stop)],
            stdout=subprocess.PIPE, text=True)
        run = cdp_run(deployment)
        kill_started = time.monotonic()
        reached = wait_for(deployment / "warehouse" / "logs", STAGES[stage], run)
        # A random moment inside the stage (publishing lasts a fraction of a second).
        time.sleep(rng.uniform(0, 0.3 if stage == "publish" else 4.0))
        killed_at = time.monotonic() - kill_started
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        rerun_started = time.monotonic()
        code, output = finish(cdp_run(deployment))
        rerun_seconds = time.monotonic() - rerun_started
        stop.touch()
        seen = json.loads(reader.communicate(timeout=60)[0])
        marts_ok = code == 0 and published_rows(deployment) == reference
        raw = raw_state(deployment)
        raw_ok = raw == reference_raw and all(rows == keys for rows, keys in raw.values())
        reader_ok = not seen["errors"] and set(seen["answers"]) <= whole_answers
        failures += not (marts_ok and raw_ok and reader_ok and reached)
        note = "" if reached else " (stage not reached before the run ended)"
        print(f"{number:>2}  {stage:<12} {killed_at:>6.1f}s  {rerun_seconds:>5.0f}s  "
              f"{'identical' if marts_ok else 'DIFFERENT':<10} "
              f"{'same' if raw_ok else 'DIFFERENT':<10} {seen['queries']:,} reads, "
              f"{len(seen['errors'])} errors, {len(seen['answers'])} versions seen{note}")
        if not marts_ok:
            print(f"    rerun exit {code}: {output[-500:]}")
        if seen["errors"]:
            print(f"    reader: {seen['errors'][0]}")
    print(f"{arguments.kills - failures} of {arguments.kills} interrupted nights recovered "
          "exactly")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
