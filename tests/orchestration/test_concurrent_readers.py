"""A BI reader querying the published database during a refresh never sees an error, a lock
or a half-built table."""

import json
import subprocess
import sys
from pathlib import Path

from orchestration.publishing.publish import publish_marts
from orchestration.runner import run_pipeline
from orchestration.settings import CdpSettings
from tests.conftest import deliver_next_night


def test_readers_in_another_process_never_fail_while_runs_publish(tmp_path, sample_dir,
                                                                   exports_dir):
    settings = CdpSettings(
        exports_dir=str(exports_dir),
        warehouse=str(tmp_path / "warehouse" / "cdp.duckdb"),
        published_warehouse=str(tmp_path / "published" / "cdp.duckdb"),
        reports_dir=str(tmp_path / "reports"),
    )
    assert run_pipeline(settings).success
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("bi_reader.py")),
         settings.published_warehouse, str(stop)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        deliver_next_night(sample_dir, exports_dir)
        second = run_pipeline(settings)  # publishes a new version while the reader reads
        for _ in range(30):  # and many more refreshes, to land inside reads
            publish_marts(Path(settings.warehouse), Path(settings.published_warehouse))
    finally:
        stop.touch()
        output, _ = reader.communicate(timeout=60)
    seen = json.loads(output)

    assert second.success, second.failure_report()
    assert seen["errors"] == []
    assert seen["queries"] > 100
    assert len(seen["answers"]) == 2  # the first night's version, then the second's
