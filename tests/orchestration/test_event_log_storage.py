"""The instance `cdp run` writes: Dagster's SQLite files, through connections kept open."""

import os
import subprocess
import sys
from pathlib import Path

from dagster import (
    AssetCheckResult,
    DagsterInstance,
    Definitions,
    asset,
    asset_check,
    define_asset_job,
)
from dagster._core.instance.ref import InstanceRef

from cdp.orchestration.event_log_storage import PooledSqliteEventLogStorage
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.runner import instance_for


@asset
def numbers() -> list[int]:
    return [1, 2, 3]


@asset_check(asset=numbers)
def numbers_not_empty() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


JOB = Definitions(assets=[numbers], asset_checks=[numbers_not_empty],
                  jobs=[define_asset_job("small", selection="*")]).resolve_job_def("small")


def _settings(folder: Path) -> CdpSettings:
    return CdpSettings(exports_dir=str(folder / "exports"),
                       warehouse=str(folder / "warehouse" / "cdp.duckdb"),
                       published_warehouse=str(folder / "published" / "cdp.duckdb"),
                       reports_dir=str(folder / "reports"))


def _stock_instance(home: Path) -> DagsterInstance:
    """The instance as Dagster's defaults read the folder (no dagster.yaml of ours)."""
    return DagsterInstance.from_ref(InstanceRef.from_dir(str(home), config_filename="none.yaml"))


def test_runs_written_through_kept_connections_read_as_dagster_s_own(tmp_path):
    instance = instance_for(_settings(tmp_path))
    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    runs = [JOB.execute_in_process(instance=instance).run_id for _ in range(3)]
    home = Path(instance.root_directory)
    instance.dispose()

    stock = _stock_instance(home)
    assert type(stock.event_log_storage).__name__ == "SqliteEventLogStorage"
    for run_id in runs:
        types = [record.dagster_event_type.value
                 for record in stock.all_logs(run_id) if record.is_dagster_event]
        assert types.count("ASSET_MATERIALIZATION") == 1
        assert types.count("ASSET_CHECK_EVALUATION") == 1
        assert types[-1] == "PIPELINE_SUCCESS"
    latest = stock.get_latest_materialization_event(numbers.key)
    assert latest is not None and latest.run_id == runs[-1]
    assert stock.get_latest_asset_check_evaluation_record(
        numbers_not_empty.check_key).run_id == runs[-1]


def test_a_killed_process_loses_no_event_it_stored(tmp_path):
    """SIGKILL right after a run, its kept connections never closed: every committed event
    is on disk."""
    script = f"""
import os, signal, sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
from pathlib import Path
from cdp.orchestration.runner import instance_for
from tests.orchestration.test_event_log_storage import JOB, _settings
instance = instance_for(_settings(Path({str(tmp_path)!r})))
result = JOB.execute_in_process(instance=instance)
print(result.run_id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, env={**os.environ, "DAGSTER_HOME": ""}, timeout=300)
    assert killed.returncode == -9, killed.stderr[-2000:]
    run_id = killed.stdout.split()[-1]
    instance = instance_for(_settings(tmp_path))
    assert instance.get_run_by_id(run_id).is_success
    assert instance.get_latest_materialization_event(numbers.key).run_id == run_id
    types = [record.dagster_event_type.value
             for record in _stock_instance(Path(instance.root_directory)).all_logs(run_id)
             if record.is_dagster_event]
    assert types[-1] == "PIPELINE_SUCCESS"


def test_an_instance_file_cdp_wrote_is_brought_up_to_date_and_a_user_s_is_left_alone(tmp_path):
    earlier = ("# Written by cdp: the Dagster instance `cdp run` records its runs in.\n"
               "telemetry:\n  enabled: false\n")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    homes = {}
    for folder, text in ((ours, earlier), (theirs, "telemetry:\n  enabled: false\n")):
        instance = instance_for(_settings(folder))  # where its home is, and a first file
        homes[folder] = Path(instance.root_directory)
        instance.dispose()
        (homes[folder] / "dagster.yaml").write_text(text)

    upgraded = instance_for(_settings(ours))
    assert isinstance(upgraded.event_log_storage, PooledSqliteEventLogStorage)
    assert str((homes[ours] / "history" / "runs").resolve()) in \
        (homes[ours] / "dagster.yaml").read_text()
    left = instance_for(_settings(theirs))
    assert type(left.event_log_storage).__name__ == "SqliteEventLogStorage"
    assert (homes[theirs] / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"
