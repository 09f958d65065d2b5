"""The nightly privacy step, between loading and modelling: retention windows applied, and
the privacy store's processing restrictions copied where the models read them."""

from datetime import UTC, datetime
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, Failure, MaterializeResult, asset

from cdp.orchestration.ingestion.assets import LOAD_ASSETS
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.transformation.assets import PRIVACY_STEP_KEY
from cdp.orchestration.warehouse_lock_resource import WarehouseLock
from cdp.privacy.policy import PolicyError, load_policy
from cdp.privacy.retention import apply_file_retention_everywhere, apply_table_retention
from cdp.privacy.store import PrivacyStore
from cdp.privacy_requests.requests import finish_interrupted, sync_restrictions

RETENTION_KEY = PRIVACY_STEP_KEY


@asset(
    key=RETENTION_KEY,
    deps=[key for assets in LOAD_ASSETS for key in assets.keys],
    group_name="privacy",
    kinds={"duckdb"},
    description="Deletes what is older than its retention window (cdp/privacy/policy.yml: raw "
                "website events 25 months, quarantined rows 90 days, run logs 30 days, "
                "reports 90 days, activation upload files 30 days) and copies the processing "
                "restrictions of `cdp privacy restrict` where the models read them; "
                "finishes a privacy request an interruption left under way. Runs before the "
                "models are built.",
)
def privacy_retention(context: AssetExecutionContext, settings: CdpSettings,
                      warehouse_lock: WarehouseLock) -> MaterializeResult:
    try:
        policy = load_policy()
    except PolicyError as error:
        raise Failure(description=str(error)) from None
    # An erasure a crash left half-done is finished before anything is built from the data:
    # the night never publishes a person it was asked to erase.
    finished = finish_interrupted(settings, during_night=True)
    for result in finished:
        context.log.info(f"finished the interrupted privacy request {result.request.request_id}")
    now = datetime.now(UTC)
    warehouse = Path(settings.warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("begin")
        deleted = apply_table_retention(connection, policy, now)
        connection.execute("commit")
    files = apply_file_retention_everywhere(warehouse, Path(settings.reports_dir), policy, now)
    sync_restrictions(warehouse, PrivacyStore(warehouse))
    for table, count in deleted.items():
        if count:
            context.log.info(f"retention: {count} rows older than the window deleted "
                             f"from {table}")
    return MaterializeResult(metadata={
        "rows_deleted": sum(deleted.values()),
        "rows_deleted_per_table": deleted,
        "files_deleted": files,
        "restricted_records": len(PrivacyStore(warehouse).restricted_record_keys()),
        "interrupted_requests_finished": [result.request.request_id for result in finished],
    })
