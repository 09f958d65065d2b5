"""Which export files hold content the warehouse has not loaded yet, without opening it.

The loader itself reads every file in full each night to fingerprint its content (the same
export under another name, or recompressed, is a duplicate). Asking "is there anything new?"
must not cost that: a cursor remembers each file's fingerprint by its signature — size and
modification time, and for a local file also its inode and change time, which no copy or
rewrite keeps — so only files that changed are read again."""

import json
from pathlib import Path

from cdp.ingestion.files import UnreadableFile, list_export_files
from cdp.sources.pipeline import duckdb_destination, loaded_fingerprints
from cdp.sources.registry import enabled_sources


def unloaded_files(exports_dir: str, warehouse: Path, cursor: dict,
                   first_only: bool = False) -> tuple[list[str], dict]:
    """Export files whose content is not loaded yet, and the updated cursor. The cursor caches
    each file's fingerprint by its signature (so a tick hashes only what changed) and remembers
    fingerprints a run was already requested for. `first_only`: stop at the first such file
    (the files not looked at keep what the cursor knew of them)."""
    known: dict[str, list] = cursor.get("files", {})
    requested = set(cursor.get("requested", []))
    loaded = loaded_fingerprints(warehouse)
    files, new = {}, []
    for spec in (spec for source in enabled_sources() for spec in source.specs):
        for file in list_export_files(exports_dir, spec).readable:
            signature = file.signature()
            cached = known.get(file.relative_path)
            if cached and cached[:-1] == signature:
                fingerprint = cached[-1]
            else:
                try:
                    with file.local_path() as path:
                        fingerprint = file.fingerprint(path)
                except UnreadableFile:
                    continue  # the run would set it aside; a later complete upload changes it
            files[file.relative_path] = [*signature, fingerprint]
            if fingerprint not in loaded and fingerprint not in requested:
                new.append(file.relative_path)
                if first_only:
                    return new, {"files": {**known, **files}, "requested": sorted(requested)}
    present = {entry[-1] for entry in files.values()}
    new_fingerprints = {files[name][-1] for name in new}
    return new, {"files": files, "requested": sorted((requested & present) | new_fingerprints)}


def unloaded_files_since_last_look(exports_dir: str, warehouse: Path) -> list[str]:
    """The first export file not loaded yet, if any (`unloaded_files` with a cursor kept beside
    the warehouse's loader state): for `cdp run` asking whether the night brought anything,
    which the first new file answers; never what was requested before."""
    _, pipelines_dir = duckdb_destination(warehouse)
    cursor_file = pipelines_dir / "export_files_seen.json"
    try:
        cursor = json.loads(cursor_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cursor = {}
    new, cursor = unloaded_files(exports_dir, warehouse, {"files": cursor.get("files", {})},
                                 first_only=True)
    cursor_file.parent.mkdir(parents=True, exist_ok=True)
    staged = cursor_file.with_suffix(".writing")
    staged.write_text(json.dumps({"files": cursor["files"]}), encoding="utf-8")
    staged.replace(cursor_file)
    return new
