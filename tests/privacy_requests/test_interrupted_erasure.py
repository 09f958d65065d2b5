"""An erasure killed at any moment (`kill -9`) is finished — by running it again, or by the next
night — and leaves no trace of the person anywhere."""

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from cdp.activation.deliver import deliver
from cdp.activation.state import ERASED_REMOVALS_TABLE
from cdp.orchestration.resources import CdpSettings
from cdp.privacy.store import PrivacyStore
from tests.privacy_requests.deployment import CDP, cdp, cdp_environment, copy_deployment
from tests.privacy_requests.traces import (
    cleanly_resolved_person,
    everywhere,
    patterns_of,
    what_names_them,
)


def _journal(settings: CdpSettings) -> dict | None:
    folder = PrivacyStore(Path(settings.warehouse)).journal_folder
    for path in folder.glob("req_*.json") if folder.exists() else []:
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # being replaced
    return None


# A moment to kill at: the journal written; the published versions cleaned; the models being
# rebuilt (every step before them done).
KILL_MOMENTS = {
    "journaled": lambda journal: True,
    "after the published versions": lambda journal: "published versions" in journal["steps_done"],
    "while the models rebuild": lambda journal: "dagster storage" in journal["steps_done"],
}


@pytest.mark.parametrize(("moment", "finished_by"), [
    *((moment, "its rerun") for moment in KILL_MOMENTS),
    ("while the models rebuild", "the next night"),
])
def test_an_erasure_killed_at_any_moment_is_finished_and_leaves_no_trace(
        nightly, privacy_sample, tmp_path, moment, finished_by):
    settings = copy_deployment(nightly, tmp_path / "deployment")
    warehouse = Path(settings.warehouse)
    _, records = cleanly_resolved_person(warehouse, privacy_sample)
    patterns = patterns_of(what_names_them(Path(settings.exports_dir), records))
    crm_id = next(record_id for source, record_id in records if source == "crm")
    command = [CDP, "privacy", "erase", "--record", f"crm:{crm_id}", "--requested-by",
               "the person", "--reason", "erasure"]

    running = subprocess.Popen(command, env=cdp_environment(settings),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and running.poll() is None:
        journal = _journal(settings)
        if journal is not None and KILL_MOMENTS[moment](journal):
            running.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    assert running.wait(timeout=60) == -signal.SIGKILL, "the erasure ended before the moment"
    assert _journal(settings) is not None  # left under way

    if finished_by == "its rerun":
        rerun = cdp(settings, *command[1:])
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert "(interrupted, finished now)" in rerun.stdout
        assert "Nothing more to do" in rerun.stdout
    else:
        night = cdp(settings, "run", "--exports-dir", settings.exports_dir)
        assert night.returncode == 0, night.stdout + night.stderr
        assert "finished the interrupted request req_" in night.stdout
    assert _journal(settings) is None
    # Only the removals owed to the destinations that held them name them until delivered, and
    # then the removes files that take them out of each tool (a night delivers them itself).
    owed = f'"activation"."{ERASED_REMOVALS_TABLE.split(".")[1]}"'
    assert {hit.split(":")[0] for hit in everywhere(settings, patterns)
            if "-removes.csv" not in hit} <= {owed}
    for destination in ("csv", "meta", "google_ads"):
        deliver(destination, warehouse, settings.activation_dir, "after-erasure")
    for path in settings.activation_dir.rglob("*-removes.csv"):
        path.unlink()  # taken by the tools
    assert everywhere(settings, patterns) == []
    # The request, finished, in the audit (a rerun that found no one left is recorded too).
    [request] = [row for row in PrivacyStore(warehouse).requests()
                 if row["kind"] == "erase" and row["outcome"] == "done"]
    assert request["records_matched"] == len(records)
