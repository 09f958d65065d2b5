"""The `cdp` command says what is wrong before it imports Dagster, dbt, dlt or Great
Expectations (seconds each): a wrong exports folder or a busy warehouse is reported at once.
(How long it takes is measured by benchmarks/cli_latency.py, not here.)"""

import json
import subprocess
import sys

from cdp.core.warehouse_lock import warehouse_lock

_PROBE = """
import json, sys
from click.testing import CliRunner
from cdp.cli.main import main
result = CliRunner().invoke(main, sys.argv[1:])
heavy = sorted(name for name in ("dagster", "dbt", "dlt", "great_expectations", "splink")
               if name in sys.modules)
print(json.dumps({"code": result.exit_code, "output": result.output, "heavy": heavy}))
"""


def _cdp(*arguments: str) -> dict:
    finished = subprocess.run([sys.executable, "-c", _PROBE, *arguments], capture_output=True,
                              text=True, timeout=120)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_a_wrong_exports_folder_is_named_without_loading_the_stack(tmp_path):
    answer = _cdp("run", "--exports-dir", str(tmp_path / "nowhere"),
                  "--warehouse", str(tmp_path / "cdp.duckdb"))
    assert answer["code"] == 2
    assert answer["output"].splitlines()[-1] == \
        f"error: exports folder {tmp_path / 'nowhere'} does not exist"
    assert answer["heavy"] == []


def test_a_busy_warehouse_is_named_without_loading_the_stack(tmp_path):
    exports = tmp_path / "exports"
    for system in ("website", "crm", "social", "pos"):
        (exports / system).mkdir(parents=True)
    warehouse = tmp_path / "cdp.duckdb"
    with warehouse_lock(warehouse, purpose="a night already running"):
        answer = _cdp("run", "--exports-dir", str(exports), "--warehouse", str(warehouse))
    assert answer["code"] == 75
    assert "a night already running" in answer["output"].splitlines()[-1]
    assert answer["output"].splitlines()[0].startswith("cdp ")
    assert answer["heavy"] == []
