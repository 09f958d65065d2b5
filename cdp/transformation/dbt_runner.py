"""Running `dbt build` on the bundled dbt project, in-process, against a DuckDB warehouse."""

import shutil
import tempfile
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner, dbtRunnerResult

from cdp.settings import Settings
from cdp.transformation.dbt_vars import dbt_vars, dbt_vars_argument
from cdp.transformation.night_inputs import (
    full_refresh_reason,
    pending_restaging,
    record_build,
    restaged,
)

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


class DbtBuildFailed(RuntimeError):
    """dbt build finished with failed models or tests; the message names them."""


def release_warehouse() -> None:
    """Close the DuckDB handle dbt-duckdb keeps open in-process after a command: until it is
    closed, nothing else in this process (a check, the publisher, the next load) can open the
    warehouse with other settings, and no other process can write it."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def dbt_build(
    warehouse: Path, variables: dict | None = None, select: str | None = None,
    target_path: Path | None = None, settings: Settings | None = None,
    full_refresh: bool = False,
) -> dbtRunnerResult:
    """`dbt build` (seeds, models, data tests); raises DbtBuildFailed naming what failed.
    Incremental models process what changed since the last build, unless `full_refresh`, or
    the code or the vars changed since (`night_inputs.full_refresh_reason`).

    dbt's unit tests check the models' logic on fixed inputs, not the night's data, so the
    nightly build leaves them out, as dbt advises for production: `dbt_unit_tests` runs them."""
    arguments = ["build", "--exclude-resource-type", "unit_test"]
    used = dbt_vars(settings, warehouse, variables)
    if not select and not full_refresh:
        _restage(warehouse, arguments, variables, target_path, settings)
    if select:
        arguments += ["--select", select]
    if full_refresh or full_refresh_needed(warehouse, used):
        arguments.append("--full-refresh")
    result = _invoke(arguments, warehouse, variables, target_path, settings)
    if not select:
        built_with(warehouse, used)
    return result


def _restage(warehouse: Path, arguments: list[str], variables: dict | None,
             target_path: Path | None, settings: Settings | None) -> None:
    """Rebuild from all of history the models `night_inputs.require_restaging` named (they
    read raw rows rewritten in place), so that the build that follows is incremental."""
    if not Path(warehouse).exists():
        return
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        pending = pending_restaging(connection)
    if not pending:
        return
    _invoke([*arguments, "--select", *pending[0], "--full-refresh"], warehouse, variables,
            target_path, settings)
    with duckdb.connect(str(warehouse)) as connection:
        restaged(connection)


def full_refresh_needed(warehouse: Path, variables: dict) -> str | None:
    """Why this warehouse's next build with these vars rebuilds every model, or None."""
    if not Path(warehouse).exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return full_refresh_reason(connection, variables)


def built_with(warehouse: Path, variables: dict) -> None:
    """Record that a whole build succeeded with this code and these vars."""
    with duckdb.connect(str(warehouse)) as connection:
        record_build(connection, variables)


def dbt_unit_tests(warehouse: Path, target_path: Path | None = None) -> dbtRunnerResult:
    """Every dbt unit test (they need the models' upstream relations, so a built warehouse)."""
    return _invoke(["test", "--select", "test_type:unit"], warehouse, None, target_path)


def dbt_command(arguments: list[str], warehouse: Path, settings: Settings | None = None,
                variables: dict | None = None) -> list[str]:
    """A dbt command line for this project and warehouse, with the deployment's `--vars`
    (`cdp.transformation.dbt_vars`); colours off, since dbt's lines go to logs."""
    return [
        *arguments,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--no-use-colors",
        *dbt_vars_argument(dbt_vars(settings, warehouse, variables)),
    ]


def _invoke(
    arguments: list[str], warehouse: Path, variables: dict | None, target_path: Path | None,
    settings: Settings | None = None,
) -> dbtRunnerResult:
    arguments = dbt_command(arguments, warehouse, settings, variables)
    with tempfile.TemporaryDirectory(prefix="cdp-dbt-target-") as scratch:
        # Never the project's own target folder: other processes read its manifest.json
        # (under a lock: cdp.transformation.manifest), and a build writing there beside them
        # would hand them half a file. A scratch folder starts from the project's partial-parse
        # file, as dagster-dbt's per-build folders do.
        if not target_path:
            target_path = Path(scratch)
            kept = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
            if kept.exists():
                shutil.copyfile(kept, target_path / kept.name)
        arguments += ["--target-path", str(target_path.resolve())]
        try:
            result = dbtRunner().invoke(arguments)
        finally:
            release_warehouse()
    if not result.success:
        failures = [
            f"{node.node.resource_type} {node.node.name}: {node.status} — {node.message}"
            for node in (result.result or [])
            if str(node.status) in ("error", "fail")
        ]
        detail = "\n  ".join(failures) or str(result.exception)
        raise DbtBuildFailed(f"dbt {arguments[0]} failed:\n  {detail}")
    return result
