"""One warehouse for the email, app and chat tests: the sample's first night with each suite's
scenarios laid out beside it, loaded and built once (a build is most of a test's time)."""

import shutil
from pathlib import Path

import pytest

from tests.helpers import run_ingest, run_transform
from tests.sources.test_app_source import lay_out_app_scenarios
from tests.sources.test_chat_source import lay_out_chat_scenarios
from tests.sources.test_email_source import AUDIENCES, lay_out_channel_scenarios


@pytest.fixture(scope="session")
def channel_warehouse(sample_dir: Path, tmp_path_factory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("channels")
    exports = folder / "exports"
    shutil.copytree(sample_dir / "exports", exports)
    lay_out_channel_scenarios(exports)
    lay_out_app_scenarios(exports)
    lay_out_chat_scenarios(exports)
    warehouse = folder / "warehouse" / "cdp.duckdb"
    report = run_ingest(exports, warehouse)
    run_transform(warehouse, AUDIENCES)
    return warehouse, report
