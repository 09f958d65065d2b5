"""When the pipeline runs: nightly, and as soon as new export files arrive."""

import hashlib
import os

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    sensor,
)

from ingestion.exports.files import list_export_files
from ingestion.pipeline import SOURCES
from orchestration.settings import CdpSettings

nightly_job = define_asset_job(
    name="cdp_nightly",
    selection=AssetSelection.all(),
    description="Load new exports, build the models, check them, publish the marts.",
)

nightly_schedule = ScheduleDefinition(
    name="cdp_nightly_schedule",
    job=nightly_job,
    cron_schedule=os.environ.get("CDP_SCHEDULE_CRON", "0 2 * * *"),
    execution_timezone=os.environ.get("CDP_SCHEDULE_TIMEZONE", "Asia/Ho_Chi_Minh"),
    default_status=DefaultScheduleStatus.RUNNING,
)


def exports_signature(exports_dir: str) -> str | None:
    """A fingerprint of the export files present (names, sizes, modification times); None when
    there are none."""
    listing = sorted(
        (file.relative_path, file.size_bytes, file.modified_at)
        for system in SOURCES
        for file in list_export_files(exports_dir, system, ("**/*",))
    )
    if not listing:
        return None
    return hashlib.sha1(repr(listing).encode(), usedforsecurity=False).hexdigest()


@sensor(
    name="new_export_files",
    job=nightly_job,
    minimum_interval_seconds=120,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a run when export files appear or change under the exports folder.",
)
def new_export_files(context: SensorEvaluationContext, settings: CdpSettings):
    signature = exports_signature(settings.exports_dir)
    if signature is None:
        return SkipReason(f"no export files under {settings.exports_dir} yet")
    if signature == context.cursor:
        return SkipReason("no new export files")
    context.update_cursor(signature)
    return RunRequest(run_key=signature)
