"""The dbt models as Dagster assets through dagster-dbt; dbt tests become asset checks."""

import logging
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
from dagster import (
    AssetCheckEvaluation,
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    Failure,
    Output,
    TableColumn,
    TableSchema,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from cdp.orchestration.quality.filing import file_check_results
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.warehouse_lock_resource import WarehouseLock
from cdp.transformation.dbt_runner import DBT_PROJECT_DIR, built_with, full_refresh_needed
from cdp.transformation.dbt_vars import dbt_vars, dbt_vars_argument
from cdp.transformation.manifest import deployment_manifest
from cdp.transformation.targets import prune_dbt_targets

# Per-model progress for whoever shows it (the `cdp` command).
_log = logging.getLogger("cdp.transformation")
# dagster-dbt's per-invocation target folders kept (for debugging the last builds).
_TARGETS_KEPT = 3

# The nightly privacy step (cdp/orchestration/privacy/assets.py), named here to avoid an import
# cycle: it runs between the loads and the models.
PRIVACY_STEP_KEY = AssetKey(["privacy", "retention"])
# A run carrying this tag ("true") rebuilds every incremental model from all of history (dbt's
# --full-refresh): `cdp run --full-refresh`, the weekly full-refresh schedule, or the tag added
# in the launchpad.
FULL_REFRESH_TAG = "cdp/full_refresh"
# … and this one trains the probabilistic matching model again (`cdp run --retrain-matching`).
RETRAIN_MATCHING_TAG = "cdp/retrain_matching"

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _target_folder(project: DbtProject) -> Path:
    """dbt's target folder, in the project whatever folder the process started in."""
    return Path(project.project_dir) / project.target_path


# Parsed at load with this deployment's vars, and read whole (`cdp.transformation.manifest`).
MANIFEST = deployment_manifest()


class CdpDbtTranslator(DagsterDbtTranslator):
    """Sources keep `<source>/<table>` (the dlt assets' keys); models are `<layer>/<name>`."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["config"].get("schema")

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str,
                       project: DbtProject | None):
        """Models reading the raw tables wait for the nightly privacy step (retention,
        restrictions) as well as for the loads."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or {}
        parents = node.get("depends_on", {}).get("nodes", [])
        if node.get("resource_type") == "model" and any(
                parent.startswith("source.") for parent in parents):
            spec = spec.merge_attributes(deps=[PRIVACY_STEP_KEY])
        return spec


    def get_asset_check_spec(self, asset_spec, manifest: Mapping[str, Any], unique_id: str,
                             project: DbtProject | None):
        """dbt's generic tests carry no description: say what each one holds, in words."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or {}
        if spec is None or spec.description:
            return spec
        return spec._replace(description=test_description(node))


def _keep_partial_parse(invocation_target: Path) -> None:
    """dagster-dbt starts each build from the project's partial-parse file, parsed for the
    asset graph without the warehouse's path, which the build's vars carry: dbt would parse the
    whole project again (seconds) every night. The build's own file, made with tonight's vars,
    is the one the next night (same warehouse, same settings) can use; swapped in atomically,
    since another process may be reading the project's target folder."""
    built = invocation_target / "partial_parse.msgpack"
    if not built.exists():
        return
    kept = _target_folder(DBT_PROJECT) / "partial_parse.msgpack"
    staged = kept.with_name(f".partial_parse.{invocation_target.name}.msgpack")
    shutil.copyfile(built, staged)
    staged.replace(kept)


def _one_run_vars(context: AssetExecutionContext) -> dict[str, Any]:
    """What this run's tags ask of the models."""
    if context.run.tags.get(RETRAIN_MATCHING_TAG) == "true":
        return {"probabilistic_retrain": True}
    return {}


def test_description(node: Mapping[str, Any]) -> str:
    """"customer_id is never NULL", "(source, record_id) is unique", … from a test's metadata."""
    metadata = node.get("test_metadata") or {}
    kwargs = metadata.get("kwargs") or {}
    column = node.get("column_name") or kwargs.get("column_name")
    name = metadata.get("name") or node.get("name", "a test")
    severity = (node.get("config") or {}).get("severity", "ERROR").upper()
    outcome = " (blocks publishing)" if severity == "ERROR" else " (warns)"
    if name == "not_null":
        return f"{column} is never NULL{outcome}"
    if name == "unique":
        return f"{column} is unique{outcome}"
    if name == "unique_combination":
        columns = kwargs.get("columns") or kwargs.get("combination_of_columns") or []
        listed = ", ".join(columns) if isinstance(columns, list) else str(columns)
        return f"({listed}) is unique{outcome}"
    if name == "accepted_values":
        values = kwargs.get("values")
        shown = ", ".join(map(str, values)) if isinstance(values, list) else "the configured values"
        return f"{column} is one of {shown}{outcome}"
    if name == "relationships":
        target = str(kwargs.get("to", "")).replace("ref('", "").replace("')", "")
        return f"every {column} is a {kwargs.get('field')} of {target}{outcome}"
    return f"dbt test {name}" + (f" on {column}" if column else "") + outcome


DBT_TRANSLATOR = CdpDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=MANIFEST, project=DBT_PROJECT,
            dagster_dbt_translator=DBT_TRANSLATOR, name="dbt_build")
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, settings: CdpSettings,
               warehouse_lock: WarehouseLock):
    # dbt runs as a subprocess: the warehouse and the deployment's settings go in its --vars;
    # its lines go to the run's log, where colour codes are noise. Unit tests check the
    # models' logic on fixed inputs, not tonight's data: CI runs them.
    variables = dbt_vars(warehouse=Path(settings.warehouse), extra=_one_run_vars(context))
    full_refresh = context.run.tags.get(FULL_REFRESH_TAG) == "true"
    reason = "asked for" if full_refresh else full_refresh_needed(Path(settings.warehouse),
                                                                  variables)
    if reason:
        full_refresh = True
        _log.info("every model is rebuilt from all of history: %s", reason,
                  extra={"full_refresh": reason})
    invocation = dbt.cli(["build", "--exclude-resource-type", "unit_test", "--no-use-colors",
                          *(["--full-refresh"] if full_refresh else []),
                          *dbt_vars_argument(variables)],
                         context=context)
    # What dbt runs: every selected model and seed and every test (Dagster names an output for
    # each, a test's being its check's).
    nodes_total = len(context.op_execution_context.selected_output_names)
    events, models_done, nodes_done = [], 0, 0
    try:
        # Held until dbt exits: row counts need the warehouse, which dbt holds while it runs.
        for event in invocation.stream():
            events.append(event)
            if isinstance(event, Output | AssetCheckResult | AssetCheckEvaluation):
                nodes_done += 1
                models_done += isinstance(event, Output)
                _log.info("dbt: %d of %d done", nodes_done, nodes_total,
                          extra={"models_done": models_done, "nodes_done": nodes_done,
                                 "nodes_total": nodes_total})
    except DagsterDbtCliRuntimeError as error:
        raise Failure(description=_dbt_failure(invocation, error)) from None
    finally:
        prune_dbt_targets(_target_folder(DBT_PROJECT), keep=_TARGETS_KEPT)
    if len(context.selected_asset_keys) == len(dbt_models.keys):
        built_with(Path(settings.warehouse), variables)  # the next build can be incremental
    _keep_partial_parse(Path(invocation.target_path))
    # dbt's tests in the run's quality report beside the GX checks: one list of every check.
    file_check_results(settings.reports_dir, context.run.run_id, None,
                       [event for event in events if isinstance(event, AssetCheckResult)],
                       {(spec.asset_key, spec.name): spec.description or ""
                        for spec in dbt_models.check_specs})
    yield from _with_row_counts(context, events, Path(settings.warehouse))


def _with_row_counts(context: AssetExecutionContext, events: list,
                     warehouse: Path) -> Iterator:
    """The build's events, each model's materialization with its row count and column types
    (asset keys are `<schema>/<model>`, and a model's relation is named after it)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        columns: dict[tuple[str, str], list[TableColumn]] = {}
        for schema, table, column, data_type in connection.execute("""
                select table_schema, table_name, column_name, data_type
                from information_schema.columns where table_catalog = current_database()
                order by table_schema, table_name, ordinal_position""").fetchall():
            columns.setdefault((schema, table), []).append(TableColumn(column, data_type))
        for event in events:
            if isinstance(event, Output):
                schema, name = context.asset_key_for_output(event.output_name).path
                metadata = dict(event.metadata)
                if (schema, name) in columns:
                    metadata["dagster/column_schema"] = TableSchema(columns[(schema, name)])
                try:
                    rows = connection.execute(f'select count(*) from "{schema}"."{name}"')
                    metadata["dagster/row_count"] = int(rows.fetchone()[0])
                except duckdb.Error:
                    pass  # a relation without a table of its name: no count, no harm
                event = event.with_metadata(metadata)
            yield event


def _dbt_failure(invocation, error: DagsterDbtCliRuntimeError) -> str:
    """One line: the first model or test that failed and why, from dbt's run results."""
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except Exception:  # no run results: dbt did not get that far
        return " ".join(str(error).split())[:300]
    failed = [result for result in results if result["status"] in ("error", "fail")]
    if not failed:
        return " ".join(str(error).split())[:300]
    first = failed[0]
    node = first["unique_id"].split(".", 2)[-1]
    message = " ".join((first.get("message") or first["status"]).split())
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    return f"dbt {first['status']} in {node}: {message}{more}"


def mart_keys() -> list[AssetKey]:
    """Every mart model's asset key: what publishing copies."""
    return [key for key in dbt_models.keys if key.path[0] == "marts"]
