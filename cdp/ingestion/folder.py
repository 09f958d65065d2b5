"""The exports folder itself: present, and holding a folder per source system in use.

A typo in a cron line must not look like a quiet night: a missing folder is an error named with
its path, never "0 rows added".
"""

from pathlib import Path


class ExportsFolderError(Exception):
    """The exports folder is missing or not laid out as the loader expects."""


def check_exports_folder(exports_dir: str, systems: list[str]) -> None:
    """Raise ExportsFolderError naming what is wrong. A local folder must exist and hold the
    folder of at least one system (a system the deployment does not use needs none; an empty
    one is fine). In a bucket, folders exist only while files are in them, so there the URL
    must simply hold some file."""
    if "://" in exports_dir and not exports_dir.startswith("file://"):
        # Imported here: dlt takes seconds to import, and a local folder needs none of it.
        from dlt.sources.filesystem import filesystem

        pages = filesystem(bucket_url=exports_dir, file_glob="**/*")
        if not any(page for page in pages):
            raise ExportsFolderError(f"no export files under {exports_dir}: is the URL right?")
        return
    root = Path(exports_dir.removeprefix("file://"))
    if not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "does not exist"
        raise ExportsFolderError(f"exports folder {root} {what}")
    if not any((root / system).is_dir() for system in systems):
        present = sorted(child.name + "/" for child in root.iterdir() if child.is_dir())
        raise ExportsFolderError(
            f"exports folder {root} has no folder of a source system (expected one or more "
            f"of {', '.join(name + '/' for name in systems)}; found "
            f"{', '.join(present) or 'no folders'}): is it the right folder?"
        )
