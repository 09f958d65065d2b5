"""Fixtures shared by the suites: generated sample exports and throwaway warehouses."""

import os
import shutil
from pathlib import Path

import pytest

from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.runner import run_pipeline
from cdp.sample import generate_sample_exports
from tests.helpers import (
    SAMPLE_CUSTOMERS,
    SAMPLE_SEED,
    build_copy_of_sample,
    deliver_next_night,
    run_ingest,
    run_transform,
)
from tests.privacy_requests.traces import SOURCES, ground_truth, second_night_text

# The privacy salt is a deployment secret (.dlt/secrets.toml): tests must never write one
# into the repository's secrets file.
os.environ.setdefault("CDP_PRIVACY_SALT", "salt-of-the-test-suite")

@pytest.fixture(autouse=True)
def _settings_read_afresh():
    """Each test reads the settings tree again (`cdp.settings.current_settings` keeps the
    process's): a test that sets a variable (monkeypatch.setenv) sees it."""
    from cdp.settings import use_settings

    use_settings(None)
    yield
    use_settings(None)


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two nights of generated exports (read-only: copy before changing)."""
    out = tmp_path_factory.mktemp("sample")
    generate_sample_exports(out, SAMPLE_CUSTOMERS, SAMPLE_SEED)
    return out


@pytest.fixture(scope="session")
def built_sample(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Night 1 of the sample loaded and transformed, then night 2: a warehouse many suites
    read (read-only: copy the folder before changing it). Returns the warehouse file; its
    exports are in `exports/` beside its folder."""
    folder = tmp_path_factory.mktemp("built")
    warehouse = build_copy_of_sample(sample_dir, folder)
    deliver_next_night(sample_dir, folder / "exports")
    run_ingest(folder / "exports", warehouse)
    run_transform(warehouse)
    return warehouse


@pytest.fixture
def exports_dir(tmp_path: Path, sample_dir: Path) -> Path:
    """A private copy of night 1's exports that a test may add files to."""
    target = tmp_path / "exports"
    shutil.copytree(sample_dir / "exports", target)
    return target


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "cdp.duckdb"


@pytest.fixture(scope="module")
def privacy_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated exports holding a person on every source whose records come again in the
    second night (the erasure must keep them out): the first seed from the suite's whose
    population has one, found from the ground truth alone."""
    for seed in range(SAMPLE_SEED, SAMPLE_SEED + 50):
        folder = tmp_path_factory.mktemp(f"privacy-sample-{seed}")
        generate_sample_exports(folder, SAMPLE_CUSTOMERS, seed)
        second_night = second_night_text(folder)
        if sum(set(SOURCES) <= {source for source, _ in records}
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
