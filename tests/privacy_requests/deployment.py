"""A deployment one real night built, copied for a test to act on, and the `cdp` command run
on it as a user runs it."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from cdp.orchestration.resources import CdpSettings

CDP = str(Path(sys.executable).parent / "cdp")
# What dbt, Splink or a traceback print: none of it belongs on the user's screen.
TOOL_OUTPUT = re.compile(r"\d+ of \d+ (START|OK|PASS)|Running with dbt|Finished running|"
                         r"splink|Traceback|Concurrency: \d", re.IGNORECASE)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def copy_deployment(settings: CdpSettings, folder: Path) -> CdpSettings:
    """The whole deployment (exports, warehouse, published versions, reports) copied: each test
    acts on its own. The published views file points at the original's versions until the
    copy's first publish rewrites it, so reads of it wait for one."""
    source = Path(settings.warehouse).parents[1]
    shutil.copytree(source, folder, symlinks=True)

    def moved(path: str) -> str:
        return str(folder / Path(path).relative_to(source))

    return CdpSettings(exports_dir=moved(settings.exports_dir),
                       warehouse=moved(settings.warehouse),
                       published_warehouse=moved(settings.published_warehouse),
                       reports_dir=moved(settings.reports_dir))


def cdp_environment(settings: CdpSettings) -> dict[str, str]:
    return {**os.environ, "CDP_WAREHOUSE": settings.warehouse,
            "CDP_PUBLISHED_WAREHOUSE": settings.published_warehouse,
            "CDP_REPORTS_DIR": settings.reports_dir, "CDP_EXPORTS_DIR": settings.exports_dir}


def cdp(settings: CdpSettings, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([CDP, *arguments], env=cdp_environment(settings), capture_output=True,
                          text=True, timeout=600)


def published(settings: CdpSettings, sql: str, params: list | None = None,
              role_file: str = "cdp.duckdb") -> list[tuple]:
    path = Path(settings.published_warehouse).with_name(role_file)
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()
