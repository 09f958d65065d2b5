"""The dbt project's manifest as this deployment sees it: parsed with the deployment's vars
(which sources and engines are enabled decide which models exist and what each one reads).

One project folder serves every deployment on the machine (`dagster dev` and `cdp run`, test
workers with other settings), and each may parse it with other vars into the same target
folder. So the manifest is parsed, checked and read under one lock: what a reader gets is
always whole, and always the one parsed with its own vars."""

import fcntl
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cdp.settings import Settings, current_settings
from cdp.transformation.dbt_runner import DBT_PROJECT_DIR
from cdp.transformation.dbt_vars import dbt_vars, dbt_vars_argument

TARGET_FOLDER = DBT_PROJECT_DIR / "target"
MANIFEST_PATH = TARGET_FOLDER / "manifest.json"
# The venv's dbt, whether or not the venv is on PATH when Dagster or cdp starts.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
_PARSED_WITH = TARGET_FOLDER / ".parse_vars.json"


class DbtParseFailed(RuntimeError):
    """`dbt parse` failed; the message carries dbt's last lines."""


def parse_vars(settings: Settings | None = None) -> dict[str, Any]:
    """The vars the manifest is parsed with: those that decide which nodes exist (the warehouse
    path and the memory limit do not, and differ between deployments sharing the project)."""
    variables = dbt_vars(settings or current_settings())
    variables.pop("cdp_warehouse", None)
    variables.pop("cdp_duckdb_memory_limit", None)
    return variables


def deployment_manifest(settings: Settings | None = None) -> dict[str, Any]:
    """The manifest parsed with this deployment's vars: parsed again only when missing, parsed
    with other vars, or older than a file of the project."""
    TARGET_FOLDER.mkdir(parents=True, exist_ok=True)
    vars_argument = dbt_vars_argument(parse_vars(settings))
    # Taken even to read: a manifest being written looks fresh before it is complete.
    with (TARGET_FOLDER / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _is_stale(vars_argument[1]):
            _parse(vars_argument)
            _PARSED_WITH.write_text(vars_argument[1], encoding="utf-8")
        return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def _is_stale(vars_text: str) -> bool:
    if not MANIFEST_PATH.exists() or not _PARSED_WITH.exists():
        return True
    if _PARSED_WITH.read_text(encoding="utf-8") != vars_text:
        return True
    built = MANIFEST_PATH.stat().st_mtime
    model_paths = json.loads(vars_text).get("cdp_model_paths") or ["models"]
    watched = [DBT_PROJECT_DIR / name for name in
               ("dbt_project.yml", *model_paths, "macros", "seeds", "tests")]
    return any(
        path.stat().st_mtime > built
        for folder in watched
        for path in ([folder] if folder.is_file() else folder.rglob("*"))
    )


def _parse(vars_argument: list[str]) -> None:
    done = subprocess.run(
        [DBT_EXECUTABLE, "parse", "--quiet", "--no-use-colors",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(TARGET_FOLDER), *vars_argument],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last_lines = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
        raise DbtParseFailed(f"dbt parse failed:\n{last_lines}")
