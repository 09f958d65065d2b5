"""The dbt models as Dagster assets through dagster-dbt; dbt tests become asset checks."""

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.settings import CdpSettings
from orchestration.transformation.dbt_runner import DBT_PROJECT_DIR, dbt_environment

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The venv's dbt, whether or not the venv is on PATH when Dagster or cdp starts.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def _manifest_is_stale(project: DbtProject) -> bool:
    """Missing, or older than a file of the project: the assets must match what dbt will run."""
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    sources = [Path(project.project_dir) / name for name in
               ("dbt_project.yml", "models", "macros", "seeds", "tests")]
    return any(
        path.stat().st_mtime > built
        for folder in sources
        for path in ([folder] if folder.is_file() else folder.rglob("*"))
    )


if _manifest_is_stale(DBT_PROJECT):
    DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE).cli(
        ["parse", "--quiet"], target_path=DBT_PROJECT.target_path).wait()


class CdpDbtTranslator(DagsterDbtTranslator):
    """Sources keep `<source>/<table>` (the dlt assets' keys); models are `<layer>/<name>`."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["config"].get("schema")


DBT_TRANSLATOR = CdpDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT,
            dagster_dbt_translator=DBT_TRANSLATOR, name="dbt_build")
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, settings: CdpSettings):
    # dbt runs as a subprocess and reads the warehouse path from its environment.
    os.environ.update(dbt_environment(Path(settings.warehouse)))
    yield from dbt.cli(["build"], context=context).stream()


def mart_keys() -> list[AssetKey]:
    """Every mart model's asset key: what publishing copies."""
    return [key for key in dbt_models.keys if key.path[0] == "marts"]
