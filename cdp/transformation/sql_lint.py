"""sqlfluff over the dbt project and every enabled source's models, with the same `--vars` the
product's dbt commands get (its dbt templater reads them only from its config, where a list or a
mapping cannot be written: so they are given here, through sqlfluff's Python API).

`python -m cdp.transformation.sql_lint` exits 0 when the SQL is clean, else prints the
violations (the test suite runs it)."""

import os
import sys
import tempfile
from pathlib import Path

from cdp.transformation.dbt_runner import DBT_PROJECT_DIR
from cdp.transformation.dbt_vars import dbt_vars


def lint(processes: int = 2) -> int:
    """Lint; returns the number of violations (printed)."""
    # An empty warehouse of its own: against a built one, `is_incremental()` is true and the
    # linted SQL would be another than a first build's.
    with tempfile.TemporaryDirectory(prefix="cdp-sql-lint-") as scratch:
        return _lint(dbt_vars(warehouse=Path(scratch) / "lint.duckdb"), processes)


def _lint(variables: dict, processes: int) -> int:
    import sqlparse.engine.grouping
    from sqlfluff.core import FluffConfig, Linter

    # dbt's command line lifts sqlparse's 10,000-token cap (its `--sqlparse` default); the
    # templater, called through the API, would keep it, and skip a model whose ephemeral
    # inputs inline past it instead of linting it.
    sqlparse.engine.grouping.MAX_GROUPING_TOKENS = None

    os.chdir(DBT_PROJECT_DIR)  # the project's .sqlfluff and relative model paths
    config = FluffConfig.from_path(".", overrides={"processes": processes})
    # set_value coerces values as text from an ini file; the templater reads the section as is.
    config._configs["templater"]["dbt"]["context"] = variables
    result = Linter(config=config).lint_paths(tuple(variables["cdp_model_paths"]),
                                                processes=processes)
    violations = 0
    for record in result.as_records():
        for violation in record["violations"]:
            print(f"{record['filepath']}:{violation.get('start_line_no')}: "
                  f"{violation['code']} {violation['description']}")
            violations += 1
    return violations

if __name__ == "__main__":
    found = lint()
    print(f"{found} violation(s)" if found else "SQL is sqlfluff clean")
    sys.exit(1 if found else 0)
