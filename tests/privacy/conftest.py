"""A sample with a person on every source in both nights, and a deployment built from it by one
real nightly run (loaded, modelled, checked, published and delivered)."""

import shutil
from pathlib import Path

import pytest

from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.runner import run_pipeline
from cdp.sample import generate_sample_exports
from tests.conftest import SAMPLE_CUSTOMERS, SAMPLE_SEED
from tests.privacy.traces import SOURCES, ground_truth, second_night_text


@pytest.fixture(scope="module")
def privacy_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated exports holding a person on every source whose records come again in the
    second night (the erasure must keep them out): the first seed from the suite's whose
    population has one, found from the ground truth alone."""
    for seed in range(SAMPLE_SEED, SAMPLE_SEED + 50):
        folder = tmp_path_factory.mktemp(f"privacy-sample-{seed}")
        generate_sample_exports(folder, SAMPLE_CUSTOMERS, seed)
        second_night = second_night_text(folder)
        if sum({source for source, _ in records} == set(SOURCES)
               and any(record_id in second_night for _, record_id in records)
               for records in ground_truth(folder).values()) >= 5:  # some are unfit
            return folder
    raise AssertionError("no seed gives a person on every source in both nights")


@pytest.fixture(scope="module")
def nightly(privacy_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> CdpSettings:
    """Both nights' exports through one real nightly run: loaded, modelled, checked, reported
    and published."""
    folder = tmp_path_factory.mktemp("privacy")
    exports = folder / "exports"
    shutil.copytree(privacy_sample / "exports", exports)
    shutil.copytree(privacy_sample / "next_night", exports, dirs_exist_ok=True)
    settings = CdpSettings(
        exports_dir=str(exports), warehouse=str(folder / "warehouse" / "cdp.duckdb"),
        published_warehouse=str(folder / "published" / "cdp.duckdb"),
        reports_dir=str(folder / "reports"),
    )
    outcome = run_pipeline(settings)
    assert outcome.success, outcome.failure_report()
    return settings
