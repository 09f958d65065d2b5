"""Running the enabled sources' export loaders (cdp.sources.registry) into one destination, and
reporting what each one did."""

import logging
from dataclasses import dataclass, field
from pathlib import Path

import dlt
import duckdb
from dlt.common.destination import Destination

from cdp.ingestion.files import IgnoredFile, list_files_outside
from cdp.ingestion.folder import check_exports_folder
from cdp.ingestion.quarantine import QUARANTINE_TABLE
from cdp.ingestion.resource import FileOutcome
from cdp.ingestion.suppression import Suppression
from cdp.ingestion.working_folder import dlt_working_folder
from cdp.settings import current_settings
from cdp.sources.registry import enabled_sources, source_of


class _ExpectedJsonHintNotice(logging.Filter):
    """dlt warns on every load that Arrow strings were loaded as the JSON columns we declared:
    that is the intent (Arrow has no JSON type dlt reads), so the warning is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "when merging arrow schema with dlt schema" not in record.getMessage()


logging.getLogger("dlt").addFilter(_ExpectedJsonHintNotice())

# No copies of loaded rows outside the raw tables (erasure and retention reach only what they
# know of): dlt empties its merge staging tables after each load instead of at the next, and
# deletes a load package's job files once they are loaded. Either can be set back in dlt
# config ([load] truncate_staging_dataset, delete_completed_jobs) for debugging.
_NO_COPIES = ("load.truncate_staging_dataset", "load.delete_completed_jobs")


def _keep_no_copies() -> None:
    """Set `_NO_COPIES` in dlt's own configuration, where the deployment's dlt config says
    nothing of them."""
    for key in _NO_COPIES:
        if dlt.config.get(key) is None:
            dlt.config[key] = True


@dataclass
class SystemLoad:
    """One system's part of a run."""

    system: str
    dataset: str
    table: str
    load_id: str | None
    rows_added: int
    rows_quarantined: int
    files: list[FileOutcome] = field(default_factory=list)
    deletions_added: int = 0  # rows added to its deletion lists' table (`deleted_<table>`)

    @property
    def failed_files(self) -> list[FileOutcome]:
        return [file for file in self.files if file.status == "failed"]


@dataclass
class IngestReport:
    systems: list[SystemLoad]
    ignored_outside: list[IgnoredFile] = field(default_factory=list)  # in no system's folder

    @property
    def failed_files(self) -> list[FileOutcome]:
        return [file for system in self.systems for file in system.failed_files]


def dataset_name(system: str) -> str:
    return f"raw_{system}"


def pipeline_for(
    system: str, destination: Destination | str, pipelines_dir: Path | None,
) -> dlt.Pipeline:
    _keep_no_copies()
    return dlt.pipeline(
        pipeline_name=f"cdp_{system}",
        destination=destination,
        dataset_name=dataset_name(system),
        pipelines_dir=str(pipelines_dir) if pipelines_dir else None,
        progress="log" if current_settings().run.load_progress else None,
    )


def duckdb_destination(
    warehouse: Path, connection: duckdb.DuckDBPyConnection | None = None,
) -> tuple[Destination, Path]:
    """The embedded warehouse, with dlt's working folder beside it (its state is per warehouse).
    Given an open `connection` to it, dlt uses that one: it would otherwise open the file a
    dozen times a load, each time reading its whole catalog (~50 ms on the sample's)."""
    warehouse = warehouse.resolve()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return (
        dlt.destinations.duckdb(credentials=connection or str(warehouse)),
        dlt_working_folder(warehouse),
    )


def ingest_exports(
    exports_dir: str | None,
    destination: Destination | str,
    pipelines_dir: Path | None = None,
    systems: list[str] | None = None,
    suppression: Suppression | None = None,
) -> IngestReport:
    """Load every new export file under `exports_dir` (a folder or an fsspec URL; None reads
    it from dlt config, `sources.exports_dir`). Raises ExportsFolderError when the folder is
    missing or lacks a system's folder. Records of erased people (`suppression`) are dropped
    and counted per file."""
    sources = enabled_sources()
    every_system = [source.system for source in sources]
    if exports_dir:
        check_exports_folder(exports_dir, every_system)
    loads = []
    for system in systems or every_system:
        source = source_of(system, sources)
        outcomes: list[FileOutcome] = []
        pipeline = pipeline_for(system, destination, pipelines_dir)
        arguments = {"exports_dir": exports_dir} if exports_dir else {}
        info = pipeline.run(source.make_dlt_source(outcomes=outcomes, suppression=suppression,
                                                   **arguments))
        load_id = info.loads_ids[0] if info.loads_ids else None
        rows_added = sum(rows_of_load(pipeline, table, load_id) for table in (
            *(spec.table for spec in source.export_specs), *source.pulled_tables))
        quarantined = sum(rows_of_load(pipeline, table, load_id) for table in (
            QUARANTINE_TABLE, *filter(None, [source.pulled_quarantine])))
        deletions = sum(rows_of_load(pipeline, spec.table, load_id)
                        for spec in source.deletion_specs)
        tables = ", ".join(spec.table for spec in source.export_specs)
        loads.append(SystemLoad(system, dataset_name(system),
                                tables if len(source.export_specs) == 1 else f"{{{tables}}}",
                                load_id, rows_added, quarantined, outcomes, deletions))
    outside = list_files_outside(
        exports_dir, every_system,
        [spec for source in sources for spec in source.export_specs]) if exports_dir else []
    return IngestReport(loads, outside)


def loaded_fingerprints(warehouse: Path) -> set[str]:
    """Content fingerprints of every file loaded (or found empty) into the DuckDB warehouse,
    from dlt's local pipeline state: read without opening the warehouse, which a run may hold."""
    _, pipelines_dir = duckdb_destination(warehouse)
    fingerprints: set[str] = set()
    for source in enabled_sources():
        system = source.system
        state_file = pipelines_dir / f"cdp_{system}" / "state.json"
        if not state_file.exists():
            continue
        pipeline = dlt.attach(pipeline_name=f"cdp_{system}", pipelines_dir=str(pipelines_dir))
        resources = pipeline.state.get("sources", {}).get(system, {}).get("resources", {})
        for spec in source.specs:
            fingerprints |= set(resources.get(spec.table, {}).get("loaded_fingerprints", {}))
    return fingerprints


def rows_of_load(pipeline: dlt.Pipeline, table: str, load_id: str | None) -> int:
    """Rows this load inserted: insert-only merges skip stored rows, so count in the warehouse."""
    if load_id is None:
        return 0
    with pipeline.sql_client() as client:
        if not client.has_dataset() or table not in pipeline.default_schema.tables:
            return 0
        qualified = client.make_qualified_table_name(table)
        rows = client.execute_sql(
            f"select count(*) from {qualified} where _dlt_load_id = %s", load_id,
        )
    return int(rows[0][0])
