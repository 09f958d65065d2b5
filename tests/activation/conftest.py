"""The audiences the delivery tests declare, built once on the sample, and a fresh copy of that
warehouse per test (deliveries write their record into it)."""

import shutil
from pathlib import Path

import pytest

from tests.helpers import audiences, run_transform


@pytest.fixture(scope="session")
def audience_warehouse(built_sample, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("audiences") / "warehouse"
    shutil.copytree(built_sample.parent, folder)
    warehouse = folder / built_sample.name
    run_transform(warehouse, audiences())
    return warehouse


@pytest.fixture
def warehouse(audience_warehouse, tmp_path) -> Path:
    folder = tmp_path / "warehouse"
    shutil.copytree(audience_warehouse.parent, folder)
    return folder / audience_warehouse.name
