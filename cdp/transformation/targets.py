"""Pruning the target folder dagster-dbt gives every dbt invocation.

`DbtCliResource.cli` runs dbt with `DBT_TARGET_PATH` set to a fresh folder inside the project's
target path (`dbt_project/target/`, unless `DBT_TARGET_PATH` says otherwise), named
`<op name>-<first 7 characters of the run id>-<7 random hex digits>` (only the hex digits when
there is no Dagster context); it holds that invocation's manifest, compiled SQL, run results and
log (~7.5 MB for this project) and nothing ever deletes it.
"""

import re
import shutil
from pathlib import Path

# dagster_dbt.core.resource.DbtCliResource._get_unique_target_path's names. Run ids are
# UUIDs, so their first 7 characters are hex digits too.
_INVOCATION_FOLDER = re.compile(r"(?:.+-[0-9a-f]{7}-)?[0-9a-f]{7}")


def prune_dbt_targets(target_dir: Path, keep: int = 3) -> list[Path]:
    """Delete all but the newest `keep` (by modification time) per-invocation folders in
    `target_dir`, and return the ones deleted. Files and other folders at the target root
    (manifest.json, partial_parse.msgpack, compiled/, run/ ...) are never touched."""
    if keep < 0:
        raise ValueError(f"keep must be zero or more, not {keep}")
    if not target_dir.is_dir():
        return []
    invocations = [path for path in target_dir.iterdir()
                   if path.is_dir() and not path.is_symlink()
                   and _INVOCATION_FOLDER.fullmatch(path.name)]
    invocations.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    for folder in invocations[keep:]:
        # Best effort: failing to tidy up must not fail the dbt step that called this.
        shutil.rmtree(folder, ignore_errors=True)
    return [folder for folder in invocations[keep:] if not folder.exists()]
