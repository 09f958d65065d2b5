"""Fixtures shared by the suites: generated sample exports and throwaway warehouses."""

import os
import shutil
from pathlib import Path

import pytest

from cdp.sample import generate_sample_exports
from tests.helpers import SAMPLE_CUSTOMERS, SAMPLE_SEED, run_ingest, run_transform

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
    exports = folder / "exports"
    shutil.copytree(sample_dir / "exports", exports)
    warehouse = folder / "warehouse" / "cdp.duckdb"
    run_ingest(exports, warehouse)
    run_transform(warehouse)
    shutil.copytree(sample_dir / "next_night", exports, dirs_exist_ok=True)
    run_ingest(exports, warehouse)
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
