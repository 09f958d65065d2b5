"""Helpers the tests share: real loads and builds of a warehouse, queries, and the audiences
the delivery tests declare. Fixtures stay in the conftest files; what a test imports is here."""

import csv
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

from cdp.privacy.store import PrivacyStore
from cdp.sources.pipeline import IngestReport, duckdb_destination, ingest_exports
from cdp.transformation.dbt_runner import dbt_build

# The generated sample the session fixtures build (tests/conftest.py).
SAMPLE_CUSTOMERS = 400
SAMPLE_SEED = 11


def run_ingest(exports_dir: Path | str, warehouse: Path) -> IngestReport:
    destination, pipelines_dir = duckdb_destination(warehouse)
    suppression = PrivacyStore(warehouse).suppression()
    return ingest_exports(str(exports_dir), destination, pipelines_dir, suppression=suppression)


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def run_transform(warehouse: Path, variables: dict | None = None,
                  full_refresh: bool = False) -> None:
    """A real `dbt build` of the whole project against the warehouse (`full_refresh`: every
    model from all of history, as after raw rows were changed in place)."""
    dbt_build(warehouse, variables=variables, target_path=warehouse.parent / "dbt_target",
              full_refresh=full_refresh)


def build_copy_of_sample(sample_dir: Path, folder: Path,
                         change_exports: Callable[[Path], None] | None = None) -> Path:
    """Night 1 of the sample, copied into `folder/exports` (where `change_exports` may edit it),
    loaded into `folder/warehouse/cdp.duckdb` and transformed: the warehouse file."""
    exports = folder / "exports"
    shutil.copytree(sample_dir / "exports", exports)
    if change_exports:
        change_exports(exports)
    warehouse = folder / "warehouse" / "cdp.duckdb"
    run_ingest(exports, warehouse)
    run_transform(warehouse)
    return warehouse


def customer_of(warehouse: Path, source: str, record_id: str) -> str:
    [(customer_id,)] = query(
        warehouse,
        "select customer_id from marts.customer_records where source = ? and record_id = ?",
        [source, record_id],
    )
    return customer_id


def deliver_next_night(sample_dir: Path, exports_dir: Path) -> None:
    shutil.copytree(sample_dir / "next_night", exports_dir, dirs_exist_ok=True)


# --- audiences (tests/activation) ---------------------------------------------------------------

AUDIENCE_CONDITION = "orders_count > 0"


def audiences(condition: str = AUDIENCE_CONDITION) -> dict:
    """The dbt vars declaring the delivery tests' audiences: every destination named once."""
    return {"audiences": [
        {"name": "Buyers by email", "condition": condition, "consent_purpose": "email_marketing",
         "destinations": ["csv", "webhook"]},
        {"name": "Buyers for ads", "condition": condition, "consent_purpose": "advertising",
         "destinations": ["meta", "google_ads"]},
        {"name": "Everyone by email", "condition": "true", "consent_purpose": "email_marketing",
         "destinations": ["hubspot"]},
    ]}


def members_of(warehouse: Path, audience: str) -> set[str]:
    return {row[0] for row in query(warehouse, "select customer_id from marts.audience_members "
                                               "where audience_name = ?", [audience])}


def expected_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
