"""The code location `dagster dev` loads: exports -> raw (dlt) -> staging, intermediate, marts
(dbt) -> published, with Great Expectations checks on raw tables and marts."""

from dagster import Definitions, in_process_executor
from dagster_dlt import DagsterDltResource

from cdp.orchestration.activation.assets import DELIVERY_ASSETS
from cdp.orchestration.automation import (
    full_refresh_schedule_for,
    new_export_files,
    nightly_job,
    nightly_schedule_for,
)
from cdp.orchestration.ingestion.assets import EXPORT_FOLDERS, LOAD_ASSETS
from cdp.orchestration.privacy.assets import privacy_retention
from cdp.orchestration.publishing.assets import published_warehouse, serving_database
from cdp.orchestration.quality.checks import quality_checks
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.transformation.assets import DBT_PROJECT, dbt_models
from cdp.orchestration.transformation.dbt_resource import DbtBuildResource
from cdp.orchestration.warehouse_lock_resource import WarehouseLock
from cdp.publishing.serving import serving_url
from cdp.settings import Settings, current_settings
from cdp.transformation.manifest import DBT_EXECUTABLE


def build_definitions(settings: CdpSettings, tree: Settings | None = None) -> Definitions:
    """The whole code location, reading and writing where `settings` say (`tree`: the
    deployment's settings, for the schedule)."""
    tree = tree or current_settings()
    return Definitions(
        assets=[*EXPORT_FOLDERS, *LOAD_ASSETS, privacy_retention, dbt_models,
                published_warehouse,
                # A shared PostgreSQL serving database, when the deployment names one.
                *([serving_database] if serving_url() else []),
                # Audiences to ads platforms, CRMs and messaging tools, after the publish.
                *DELIVERY_ASSETS],
        asset_checks=QUALITY_CHECKS,
        jobs=[nightly_job],
        schedules=[nightly_schedule_for(tree.schedule),
                   *full_refresh_schedule_for(tree.schedule)],
        sensors=[new_export_files],
        resources={
            "dlt": DagsterDltResource(),
            "dbt": DbtBuildResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE),
            "settings": settings,
            "warehouse_lock": WarehouseLock(settings=settings),
        },
        # One box: the multiprocess executor costs ~1.5 s a step, and DuckDB has one writer.
        executor=in_process_executor,
    )


QUALITY_CHECKS = quality_checks()
defs = build_definitions(CdpSettings.from_settings())
