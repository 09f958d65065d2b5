"""The dbt resource the nightly build runs dbt through: dagster-dbt's, without two costs it pays
before every build for features this project does not use (about 5 s a run, seen in every run's
log between "A dbt subsetted execution is not being performed" and dbt's first line)."""

from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from packaging import version


class DbtBuildResource(DbtCliResource):
    """dagster-dbt's `DbtCliResource`, less:

    - `dbt --version` run as a process to learn the version (about 2.5 s): the venv's dbt is
      the installed dbt-core, whose version the package metadata says;
    - a dbt adapter opened inside the Dagster process (dbt's imports, the profile and the
      adapter's macros: seconds), which dagster-dbt needs only to fetch column metadata or row
      counts through dbt: the build's asset reads both from the warehouse itself
      (`assets._with_row_counts`)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None
