"""What dbt is told of the deployment, on every invocation, as `--vars`.

dbt reads `var()` inside `dbt_project.yml` (which models are enabled: the identity engine,
probabilistic matching) and `profiles.yml` (the warehouse) only from `--vars`, never from the
project's own `vars:` block. So every dbt command the product runs (the nightly build, the
requests' rebuilds, `dbt parse` for Dagster, `cdp dbt …`) passes the whole modelling tree, the
source and destination registries and the warehouse path here; `dbt_project.yml`'s `vars:`
block is only where the defaults are written down, with their comments."""

import json
from pathlib import Path
from typing import Any

from cdp.settings import Settings, current_settings
from cdp.sources.registry import dbt_source_vars


def dbt_vars(settings: Settings | None = None, warehouse: Path | None = None,
             extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The vars for one dbt invocation: the modelling settings, the registry, the warehouse
    (`warehouse` when given, else the settings'), then `extra` (one command's own, e.g. an
    as-of date), each later one winning."""
    # Imported here: the destinations bring their clients (dlt, requests), which only a dbt
    # command, seconds long anyway, needs.
    from cdp.activation.destinations.registry import DESTINATIONS

    settings = settings or current_settings()
    warehouse = warehouse or settings.paths.warehouse
    return {
        **settings.models,
        **dbt_source_vars(),
        "cdp_destinations": list(DESTINATIONS),
        "cdp_warehouse": str(Path(warehouse).resolve()),
        "cdp_duckdb_memory_limit": (settings.run.duckdb_memory_limit
                                    or duckdb_default_memory_limit()),
        **(extra or {}),
    }


def duckdb_default_memory_limit() -> str:
    """DuckDB's own limit on this machine (80 % of its memory), for a deployment that sets
    none: the profile always passes one."""
    import duckdb

    with duckdb.connect() as connection:
        return connection.execute("select current_setting('memory_limit')").fetchone()[0]


def dbt_vars_argument(variables: dict[str, Any]) -> list[str]:
    """`--vars` with its JSON, keys sorted so the same settings give the same text (dbt's
    partial parsing reparses everything when the text changes)."""
    return ["--vars", json.dumps(variables, sort_keys=True, default=str)]
