"""The audiences the delivery tests declare, built once on the sample, and a fresh copy of that
warehouse per test (deliveries write their record into it)."""

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from tests.conftest import query, run_transform

CONDITION = "orders_count > 0"


def audiences(condition: str = CONDITION) -> dict:
    return {"audiences": [
        {"name": "Buyers by email", "condition": condition, "consent_purpose": "email_marketing",
         "destinations": ["csv", "webhook"]},
        {"name": "Buyers for ads", "condition": condition, "consent_purpose": "advertising",
         "destinations": ["meta", "google_ads"]},
        {"name": "Everyone by email", "condition": "true", "consent_purpose": "email_marketing",
         "destinations": ["hubspot"]},
    ]}


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


def members_of(warehouse: Path, audience: str) -> set[str]:
    return {row[0] for row in query(warehouse, "select customer_id from marts.audience_members "
                                               "where audience_name = ?", [audience])}


def expected_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
