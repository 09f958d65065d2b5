"""When the pipeline runs: nightly, and as soon as export files with new content arrive."""

import hashlib
import json
from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    sensor,
)
from dagster import schedule as dagster_schedule

from cdp.ingestion.folder import ExportsFolderError, check_exports_folder
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.transformation.assets import FULL_REFRESH_TAG
from cdp.settings import ScheduleSettings
from cdp.sources.new_files import unloaded_files
from cdp.sources.registry import configured_systems

nightly_job = define_asset_job(
    name="cdp_nightly",
    selection=AssetSelection.all(),
    description="Load new exports, build the models, check them, publish the marts.",
)


def nightly_schedule_for(schedule: ScheduleSettings) -> ScheduleDefinition:
    """The nightly job at the deployment's hour (`[schedule]` in the settings). A night that
    brought nothing (no new export file, no request or delivery owed) is a skipped tick, its
    reason shown in the UI, as `cdp run` ends at once on such a night."""

    @dagster_schedule(
        name="cdp_nightly_schedule", job=nightly_job, cron_schedule=schedule.cron,
        execution_timezone=schedule.timezone, default_status=DefaultScheduleStatus.RUNNING,
        description="The nightly run; skipped when the night brought nothing new.")
    def nightly(context: ScheduleEvaluationContext):
        from cdp.transformation.nothing_new import night_to_skip

        unchanged = night_to_skip()
        if unchanged:
            return SkipReason(unchanged.line())
        return RunRequest()

    return nightly


def full_refresh_schedule_for(schedule: ScheduleSettings) -> list[ScheduleDefinition]:
    """The weekly (or any) full refresh, when `[schedule] full_refresh_cron` is set: every
    model rebuilt from all of history, the id history and the saved matching model kept."""
    if not schedule.full_refresh_cron:
        return []
    return [ScheduleDefinition(
        name="cdp_full_refresh_schedule", job=nightly_job,
        cron_schedule=schedule.full_refresh_cron, execution_timezone=schedule.timezone,
        default_status=DefaultScheduleStatus.RUNNING, tags={FULL_REFRESH_TAG: "true"},
        description="Every model rebuilt from all of history (dbt --full-refresh).")]


@sensor(
    name="new_export_files",
    job=nightly_job,
    minimum_interval_seconds=120,
    # Off until switched on in the UI (Automation): the nightly schedule is the default way a
    # night runs; this sensor adds a run as soon as files with new content arrive.
    default_status=DefaultSensorStatus.STOPPED,
    description="Starts a run when export files arrive whose content is not loaded yet (files "
                "a `cdp run` or an earlier run loaded never start one).",
)
def new_export_files(context: SensorEvaluationContext, settings: CdpSettings):
    try:
        check_exports_folder(settings.exports_dir, configured_systems())
    except ExportsFolderError as error:
        return SkipReason(str(error))
    cursor = json.loads(context.cursor) if context.cursor else {}
    new, cursor = unloaded_files(settings.exports_dir, Path(settings.warehouse), cursor)
    context.update_cursor(json.dumps(cursor))
    if not new:
        return SkipReason("no export files with new content")
    fingerprints = sorted(cursor["files"][name][2] for name in new)
    key = hashlib.sha1(json.dumps(fingerprints).encode(), usedforsecurity=False).hexdigest()
    return RunRequest(run_key=key, tags={"cdp/new_files": str(len(new))})
