"""One writer per warehouse: a second run waits or leaves with one line, a dead holder's lock is
taken over, and two runs started at once never load anything twice."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cdp.core.warehouse_lock import WarehouseLocked, lock_path, warehouse_lock
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.runner import run_pipeline
from cdp.testing.exports_builder import write_contacts, write_leads, write_orders
from tests.helpers import query

BIN = Path(sys.executable).parent
HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from cdp.core.warehouse_lock import warehouse_lock
with warehouse_lock(Path(sys.argv[1]), purpose="a long night"):
    print("holding", flush=True)
    time.sleep(600)
"""


def _holder(warehouse: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(warehouse)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_held_lock_names_its_holder_and_a_dead_holders_lock_is_taken_over(tmp_path):
    warehouse = tmp_path / "cdp.duckdb"
    holder = _holder(warehouse)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseLocked) as locked, \
                warehouse_lock(warehouse, "test", wait_seconds=0.5, poll_seconds=0.1):
            pass
        assert time.monotonic() - started >= 0.5  # it waited as long as it was told
        assert f"in use by pid {holder.pid} (a long night, since " in str(locked.value)
        assert "\n" not in str(locked.value)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()

    assert lock_path(warehouse).exists()  # kill -9 leaves the file, not the lock
    with warehouse_lock(warehouse, "test") as note:
        assert f"took over a stale lock on cdp.duckdb: its holder (pid {holder.pid}" in note
        with warehouse_lock(warehouse, "a step of the same run") as again:  # re-entrant
            assert again is None
    with warehouse_lock(warehouse, "test") as note:  # released cleanly: nothing stale
        assert note is None


def test_a_dagster_run_meeting_a_held_lock_fails_naming_the_holder(tmp_path, exports_dir,
                                                                    monkeypatch):
    settings = CdpSettings(exports_dir=str(exports_dir),
                           warehouse=str(tmp_path / "w" / "cdp.duckdb"),
                           published_warehouse=str(tmp_path / "p" / "cdp.duckdb"),
                           reports_dir=str(tmp_path / "reports"))
    monkeypatch.setenv("CDP_LOCK_WAIT_SECONDS", "1")
    holder = _holder(Path(settings.warehouse))
    try:
        outcome = run_pipeline(settings)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()

    assert not outcome.published
    assert f"is in use by pid {holder.pid} (a long night" in outcome.cause()
    assert not Path(settings.warehouse).exists()  # nothing was loaded


def test_two_runs_started_at_once_never_load_twice(tmp_path):
    exports = tmp_path / "exports"
    write_contacts(exports, "contacts.csv", [
        {"Record ID": str(number), "First Name": "An", "Last Name": "Lê",
         "Email": f"an{number}@example.vn"} for number in range(50)])
    write_leads(exports, "leads.csv", [{"id": "l:1", "full_name": "Lê An",
                                        "email": "an1@example.vn"}])
    write_orders(exports, "orders.csv", [{"Name": "#1", "Email": "an2@example.vn"}])
    warehouse = tmp_path / "warehouse" / "cdp.duckdb"
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    command = [str(BIN / "cdp"), "run", "--exports-dir", str(exports), "--warehouse",
               str(warehouse), "--quiet"]

    runs = [subprocess.Popen(command, env=environment, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(timeout=600), run.stdout.read(), run.stderr.read()) for run in runs]

    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 75], results
    [(_, _, refused)] = [result for result in results if result[0] == 75]
    assert refused.strip().count("\n") == 0
    assert refused.startswith(f"error: warehouse {warehouse} is in use by pid ")
    assert query(warehouse, "select count(*), count(distinct record_id) "
                            "from raw_crm.contacts") == [(50, 50)]
