"""What a night's models and published marts are made from, as one fingerprint.

The inputs are the raw datasets (rows and newest load of every table: loads only ever add
rows, and every other change — retention, an erasure — removes some), the processing
restrictions the models read, the deployment's settings, and the code (the package and the dbt
project). Publishing records the fingerprint it published from; a night whose inputs have the
same fingerprint has nothing to build (`cdp.transformation.nothing_new`).

A privacy request changes raw rows in place (an erased buyer's sales are anonymized, not
deleted), which rows and loads would not show: it forgets the recorded fingerprints, so the
next night builds, and has the models reading those tables restaged (`require_restaging`).
"""

import hashlib
import json
from pathlib import Path

import duckdb

from cdp.settings import REPO_ROOT, Settings, current_settings
from cdp.sources.registry import enabled_sources

STATE_SCHEMA = "cdp_state"
PUBLICATIONS = f"{STATE_SCHEMA}.publications"
# Tables the models read besides the raw datasets: the restrictions `cdp privacy restrict`
# recorded (copied into the warehouse by the nightly privacy step).
_OTHER_INPUTS = ("privacy.restricted_records",)
# Code and configuration the built marts follow from.
_CODE_FOLDERS = (REPO_ROOT / "cdp", REPO_ROOT / "dbt_project")
_CODE_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv", ".toml", ".json", ".md"}
_NOT_CODE = {"target", "logs", "dbt_packages", "__pycache__"}


def inputs_fingerprint(connection: duckdb.DuckDBPyConnection,
                       settings: Settings | None = None) -> str:
    """The fingerprint of everything tonight's build would read (see the module's docstring):
    its parts' fingerprints (`input_parts`), as one."""
    return fingerprint_of(input_parts(connection, settings))


def fingerprint_of(parts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def input_parts(connection: duckdb.DuckDBPyConnection,
                settings: Settings | None = None) -> dict[str, str]:
    """A fingerprint per kind of input: raw data, settings, code, analysts' overrides."""
    settings = settings or current_settings()
    overrides = settings.models.get("identity_overrides_csv")
    return {
        "raw data": _digest(json.dumps(_table_states(connection), sort_keys=True).encode()),
        "settings": _digest(settings.model_dump_json(exclude={"origins"}).encode()
                            + _secret_digest(settings).encode()),
        "code": code_fingerprint(),
        # Analysts' corrections kept outside the project.
        "overrides": _digest(Path(overrides).read_bytes())
        if overrides and Path(overrides).is_file() else "",
    }


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _table_states(connection: duckdb.DuckDBPyConnection) -> dict[str, list]:
    from cdp.sources.pipeline import dataset_name

    datasets = [dataset_name(source.system) for source in enabled_sources()]
    tables = connection.execute("""
        select table_schema || '.' || table_name
        from information_schema.tables
        where table_catalog = current_database()
          and (list_contains(?, table_schema)
               or list_contains(?, table_schema || '.' || table_name))
          and not starts_with(table_name, '_dlt_')
        order by 1""", [datasets, list(_OTHER_INPUTS)]).fetchall()
    states = {}
    for (table,) in tables:
        schema, name = table.split(".", 1)
        relation = f'"{schema}"."{name}"'
        columns = {row[0] for row in connection.execute(
            "select column_name from information_schema.columns where table_schema = ? "
            "and table_name = ? and table_catalog = current_database()", [schema, name]
        ).fetchall()}
        newest = "max(_dlt_load_id)" if "_dlt_load_id" in columns else "null"
        states[table] = list(connection.execute(
            f"select count(*), {newest} from {relation}").fetchone())
    return states


def _secret_digest(settings: Settings) -> str:
    """The privacy salt decides the published pseudonyms: its hash, never the salt."""
    salt = settings.privacy.salt
    value = salt.get_secret_value() if salt else ""
    return hashlib.sha256(f"salt:{value}".encode()).hexdigest()


def code_fingerprint() -> str:
    """The package's and the dbt project's files (and plugin sources' folders), by content."""
    folders = [*_CODE_FOLDERS, *(source.models_dir.parent for source in enabled_sources()
                                 if not _inside(source.models_dir, REPO_ROOT))]
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if (path.suffix in _CODE_SUFFIXES and path.is_file()
                    and not _NOT_CODE.intersection(path.relative_to(folder).parts)):
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def record_publication(connection: duckdb.DuckDBPyConnection, parts: dict[str, str],
                       published: Path, run_id: str) -> None:
    """Remember what `published` was last built from (in the caller's transaction, if any):
    the fingerprint, and its parts (to tell, reading the table, which kind of input a later
    night changed)."""
    _create_state(connection)
    connection.execute(f"delete from {PUBLICATIONS} where published_path = ?",
                       [str(Path(published).resolve())])
    connection.execute(
        f"insert into {PUBLICATIONS} (published_path, fingerprint, run_id, published_at, inputs) "
        "values (?, ?, ?, current_timestamp, ?)",
        [str(Path(published).resolve()), fingerprint_of(parts), run_id,
         json.dumps(parts, sort_keys=True)])


def published_fingerprint(connection: duckdb.DuckDBPyConnection,
                          published: Path) -> tuple[str, str] | None:
    """The fingerprint and run id `published` was last built from, if recorded."""
    exists = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name = 'publications' and table_catalog = current_database()",
        [STATE_SCHEMA]).fetchone()[0]
    if not exists:
        return None
    return connection.execute(
        f"select fingerprint, run_id from {PUBLICATIONS} where published_path = ?",
        [str(Path(published).resolve())]).fetchone()


def forget_publications(connection: duckdb.DuckDBPyConnection) -> None:
    """The next night builds whatever its inputs (after a privacy request changed raw rows)."""
    _create_state(connection)
    connection.execute(f"delete from {PUBLICATIONS}")


def _create_state(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"create schema if not exists {STATE_SCHEMA}")
    connection.execute(f"""
        create table if not exists {PUBLICATIONS} (
            published_path varchar primary key,
            fingerprint varchar not null,
            run_id varchar not null,
            published_at timestamptz not null
        )""")
    connection.execute(f"alter table {PUBLICATIONS} add column if not exists inputs varchar")


# --- what the models were last built with -------------------------------------------------

BUILDS = f"{STATE_SCHEMA}.model_builds"
# dbt vars that say where or how this one run builds, not what the models are.
_ONE_RUN_VARS = ("cdp_warehouse", "cdp_duckdb_memory_limit", "probabilistic_retrain")


def modelling_fingerprint(variables: dict) -> str:
    """The code and the vars a build gets (less where and how this one run builds):
    incremental models keep rows built by earlier builds, which a change to either would have
    built otherwise."""
    kept = {name: value for name, value in variables.items() if name not in _ONE_RUN_VARS}
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(json.dumps(kept, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def full_refresh_reason(connection: duckdb.DuckDBPyConnection, variables: dict) -> str | None:
    """Why a build with these vars must rebuild every model from all of history, or None."""
    columns = _build_record_columns(connection)
    # A record from before builds could carry a reason has none.
    reason = "coalesce(reason, '')" if "reason" in columns else "''"
    recorded = connection.execute(
        f"select fingerprint, {reason} from {BUILDS}").fetchone() if columns else None
    if recorded is None:
        return "no build of the models is recorded in this warehouse"
    if recorded[1]:
        return recorded[1]
    if recorded[0] != modelling_fingerprint(variables):
        return "the code or the modelling settings changed since the last build"
    # A build that cannot restage first (dbt_runner.dbt_build can) rebuilds everything.
    restaging = pending_restaging(connection)
    return restaging[1] if restaging else None


def require_restaging(connection: duckdb.DuckDBPyConnection, selection: list[str],
                      reason: str) -> None:
    """The next build first rebuilds the models `selection` names (dbt selectors) from all of
    history, then the others incrementally (in the caller's transaction): raw rows were
    rewritten in place, which models reading only new loads would not see. Without a recorded
    build, the next one rebuilds everything anyway."""
    if not selection:
        return
    _add_restaging_columns(connection)
    pending = pending_restaging(connection)
    kept = pending[0] if pending else []
    connection.execute(f"update {BUILDS} set restage = ?, restage_reason = ?",
                       [json.dumps(sorted({*kept, *selection})), reason])


def pending_restaging(connection: duckdb.DuckDBPyConnection) -> tuple[list[str], str] | None:
    """The selection `require_restaging` left for the next build, and why; None if none."""
    columns = _build_record_columns(connection)
    if "restage" not in columns:
        return None
    row = connection.execute(f"select restage, restage_reason from {BUILDS} "
                             "where restage is not null").fetchone()
    return (json.loads(row[0]), row[1]) if row else None


def restaged(connection: duckdb.DuckDBPyConnection) -> None:
    """The selection `require_restaging` named was rebuilt from all of history."""
    if pending_restaging(connection):
        connection.execute(f"update {BUILDS} set restage = null, restage_reason = null")


def _build_record_columns(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """The build record's columns (none without a record; older warehouses have fewer)."""
    return {name for (name,) in connection.execute(
        "select column_name from information_schema.columns where table_schema = ? "
        "and table_name = 'model_builds' and table_catalog = current_database()",
        [STATE_SCHEMA]).fetchall()}


def _add_restaging_columns(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"create schema if not exists {STATE_SCHEMA}")
    connection.execute(f"create table if not exists {BUILDS} "
                       "(fingerprint varchar not null, built_at timestamptz not null)")
    for column in ("reason", "restage", "restage_reason"):
        connection.execute(f"alter table {BUILDS} add column if not exists {column} varchar")


def record_build(connection: duckdb.DuckDBPyConnection, variables: dict) -> None:
    """Every model is built with this code and these vars."""
    _replace_build_record(connection, modelling_fingerprint(variables), None)


def _replace_build_record(connection: duckdb.DuckDBPyConnection, fingerprint: str,
                          reason: str | None) -> None:
    _add_restaging_columns(connection)
    connection.execute(f"delete from {BUILDS}")
    connection.execute(f"insert into {BUILDS} (fingerprint, built_at, reason) "
                       "values (?, current_timestamp, ?)", [fingerprint, reason])
