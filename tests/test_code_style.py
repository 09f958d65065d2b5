"""The linters the project keeps clean: ruff for Python, sqlfluff (dbt templater) for SQL."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_python_is_ruff_clean():
    result = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=REPO, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout


def test_sql_is_sqlfluff_clean(tmp_path):
    """The dbt project's models and every enabled source's, templated with the vars every dbt
    command gets (cdp/transformation/sql_lint.py)."""
    environment = {**os.environ, "CDP_WAREHOUSE": str(tmp_path / "lint.duckdb"),
                   "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        # The dbt templater compiles every model; two processes halve the wait on two cores.
        [sys.executable, "-m", "cdp.transformation.sql_lint"],
        cwd=REPO, capture_output=True, text=True, env=environment,
    )
    assert result.returncode == 0, result.stdout[-4000:]
