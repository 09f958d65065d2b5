"""The raw tables as Dagster assets, loaded by dlt through dagster-dlt.

Each table is keyed `<source>/<table>`, the key dagster-dbt gives `source('<source>', '<table>')`,
so the lineage runs unbroken from the export folders to the marts.
"""

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    RetryRequested,
)
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData
from dlt import Pipeline

from cdp.ingestion.files import list_files_outside
from cdp.ingestion.folder import ExportsFolderError, check_exports_folder
from cdp.ingestion.resource import FileOutcome
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.warehouse_lock_resource import WarehouseLock
from cdp.privacy.store import PrivacyStore
from cdp.sources.pipeline import duckdb_destination, pipeline_for, rows_of_load
from cdp.sources.registry import configured_systems, enabled_sources, source_of
from cdp.sources.source import Source

LOAD_RETRIES = 3
LOAD_RETRY_SECONDS = 30


def export_folder_key(system: str) -> AssetKey:
    return AssetKey(["exports", system])


EXPORT_FOLDERS = [
    AssetSpec(
        key=export_folder_key(source.system),
        description=f"Export files the {source.system} system drops in "
                    f"`<exports_dir>/{source.system}/`"
                    + (f" (deletion lists in `{source.spec.deletions.folder}/`)."
                       if source.spec.deletions else "")
                    + (" (exports in "
                       + ", ".join(f"`{spec.folder}/`" for spec in source.export_specs) + ")."
                       if any(spec.subfolder for spec in source.export_specs) else "."),
        group_name="exports",
        kinds={"file"},
    )
    for source in enabled_sources()
]


class CdpDltTranslator(DagsterDltTranslator):
    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        system = data.resource.source_name
        table = data.resource.name
        what = (f"every deletion a {system} deletion list states (`{system}/deleted/`), the "
                "record's key and when it was deleted, keyed by key and content hash"
                if table in {spec.table for spec in source_of(system).deletion_specs} else
                f"every version of every record of the {system} exports, as exported, keyed "
                "by its natural key and content hash")
        return super().get_asset_spec(data).replace_attributes(
            key=AssetKey([system, table]),
            deps=[export_folder_key(system)],
            group_name="raw",
            description=f"`raw_{system}.{table}`: {what}. Rows that cannot be loaded are in "
                        f"`raw_{system}.quarantine`; every file read, set aside or ignored is "
                        f"in `raw_{system}.export_files`.",
        )


def _is_transient(error: BaseException) -> bool:
    """Worth another try: the warehouse locked by a reader, a bucket or disk hiccup."""
    while error is not None:
        if isinstance(error, duckdb.IOException | TimeoutError | ConnectionError):
            return True
        if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _load_assets(source: Source) -> AssetsDefinition:
    system, make_source = source.system, source.make_dlt_source
    export_tables = [*(spec.table for spec in source.export_specs), *source.pulled_tables]

    # The source and pipeline given here only describe the assets; the run builds its own
    # from the settings (exports folder, warehouse).
    @dlt_assets(
        dlt_source=make_source(exports_dir="configured-at-run-time"),
        dlt_pipeline=pipeline_for(system, "duckdb", None),
        name=f"load_{system}_exports",
        dagster_dlt_translator=CdpDltTranslator(),
    )
    def load_exports(context: AssetExecutionContext, dlt: DagsterDltResource,
                     settings: CdpSettings, warehouse_lock: WarehouseLock):
        try:
            check_exports_folder(settings.exports_dir, configured_systems())
        except ExportsFolderError as error:
            raise Failure(description=str(error)) from None
        outcomes: list[FileOutcome] = []
        warehouse = Path(settings.warehouse).resolve()
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as open_warehouse:
            try:
                # One connection for the whole load, dlt's and the counts below.
                connection = open_warehouse.enter_context(duckdb.connect(str(warehouse)))
                destination, pipelines_dir = duckdb_destination(warehouse, connection)
                pipeline = pipeline_for(system, destination, pipelines_dir)
                results = list(dlt.run(
                    context=context,
                    dlt_source=make_source(
                        exports_dir=settings.exports_dir, outcomes=outcomes,
                        suppression=PrivacyStore(Path(settings.warehouse)).suppression()),
                    dlt_pipeline=pipeline,
                ))
            except Exception as error:
                if _is_transient(error) and context.retry_number < LOAD_RETRIES:
                    raise RetryRequested(max_retries=LOAD_RETRIES,
                                         seconds_to_wait=LOAD_RETRY_SECONDS) from error
                raise
            yield from _load_results(context, source, export_tables, settings, pipeline,
                                     outcomes, results)

    return load_exports


def _load_results(context: AssetExecutionContext, source: Source, export_tables: list[str],
                  settings: CdpSettings, pipeline: Pipeline, outcomes: list[FileOutcome],
                  results: list) -> Iterator[MaterializeResult]:
    """Each loaded table's materialization, with the load's figures on the system's table."""
    system, table = source.system, source.table
    load_id = pipeline.last_trace.last_load_info.loads_ids[0] \
        if pipeline.last_trace and pipeline.last_trace.last_load_info \
        and pipeline.last_trace.last_load_info.loads_ids else None
    failed = [f"{file.source_file}: {file.detail}" for file in outcomes
              if file.status == "failed"]
    for file in failed:
        context.log.warning(f"set aside whole: {file}")
    outside = [f"{file.relative_path}: {file.reason}"
               for file in list_files_outside(
                   settings.exports_dir, configured_systems(),
                   [spec for each in enabled_sources() for spec in each.export_specs])]
    metadata = {
        "rows_added": sum(rows_of_load(pipeline, export_table, load_id)
                          for export_table in export_tables),
        "rows_quarantined": sum(rows_of_load(pipeline, quarantine, load_id) for quarantine
                                in ("quarantine", *filter(None, [source.pulled_quarantine]))),
        "dagster/row_count": _row_count(pipeline, table),
        "files": [f"{file.status}: {file.source_file}" for file in outcomes
                  if file.status != "ignored"],
        "files_set_aside": failed,
        "files_ignored": [f"{file.source_file}: {file.detail}" for file in outcomes
                          if file.status == "ignored"] + outside,
        "schema_warnings": [f"{file.source_file}: {file.warnings}" for file in outcomes
                            if file.warnings],
        "records_of_erased_people_dropped": sum(file.records_suppressed
                                                for file in outcomes),
        "quarantine_table": f"raw_{system}.quarantine",
        "exports_folder": MetadataValue.path(f"{settings.exports_dir}/{system}"),
    }
    for result in results:
        # The system's figures go on its export's table; a deletion list's table carries
        # its own counts only, so a run's summary counts each system once.
        result_table = result.asset_key.path[-1]
        own = metadata if result_table == table else {
            "table_rows_added" if result_table in export_tables else "deletions_added":
                rows_of_load(pipeline, result_table, load_id),
            "dagster/row_count": _row_count(pipeline, result_table),
        }
        yield MaterializeResult(asset_key=result.asset_key,
                                metadata={**(result.metadata or {}), **own})


def _row_count(pipeline, table: str) -> int:
    with pipeline.sql_client() as client:
        qualified = client.make_qualified_table_name(table)
        return int(client.execute_sql(f"select count(*) from {qualified}")[0][0])


LOAD_ASSETS = [_load_assets(source) for source in enabled_sources()]
