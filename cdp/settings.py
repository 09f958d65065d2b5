"""Where a run reads and writes: one resource, filled from CDP_* environment variables."""

import os
from pathlib import Path

from dagster import ConfigurableResource

REPO_ROOT = Path(__file__).resolve().parents[1]


class CdpSettings(ConfigurableResource):
    """Paths of one deployment, and what one run may do. Defaults suit `dagster dev` in the
    repository; every path can be set in the environment (or in `.env`, which `dagster dev`
    reads)."""

    exports_dir: str  # folder or fsspec URL holding website/, crm/, social/, pos/
    warehouse: str  # the working DuckDB file the run builds in
    published_warehouse: str  # the DuckDB file BI tools open read-only
    reports_dir: str  # quality reports
    # This run may publish customers or orders smaller than the published version by more than
    # CDP_MAX_SHRINK_SHARE (`cdp run --allow-shrink`, or the launchpad's resource config).
    allow_shrink: bool = False
    # Published versions kept beside the current one's (CDP_PUBLISHED_VERSIONS_KEPT).
    published_versions_kept: int = 5

    @classmethod
    def from_environment(cls) -> "CdpSettings":
        warehouse = Path(os.environ.get("CDP_WAREHOUSE", REPO_ROOT / "warehouse" / "cdp.duckdb"))
        return cls(
            exports_dir=os.environ.get("CDP_EXPORTS_DIR",
                                       str(REPO_ROOT / "sample_data" / "exports")),
            warehouse=str(warehouse),
            published_warehouse=os.environ.get(
                "CDP_PUBLISHED_WAREHOUSE", str(default_published(warehouse))),
            reports_dir=os.environ.get("CDP_REPORTS_DIR", str(warehouse.parent / "reports")),
            published_versions_kept=int(os.environ.get("CDP_PUBLISHED_VERSIONS_KEPT", 5)),
        )

    @property
    def data_docs_index(self) -> Path:
        # Imported here: the module imports Great Expectations (seconds), which only the checks
        # need, not every command that reads a path.
        from cdp.quality.validation import data_docs_index

        return data_docs_index(Path(self.reports_dir))

    @property
    def logs_dir(self) -> Path:
        return Path(self.warehouse).parent / "logs"

    @property
    def activation_dir(self) -> Path:
        """Where file destinations (Meta, Google Ads, CSV) write their upload files."""
        return Path(self.warehouse).parent / "activation"


def default_published(warehouse: Path) -> Path:
    return warehouse.parent / "published" / warehouse.name


def default_dagster_home(warehouse: Path) -> Path:
    """Where `cdp run` records its runs unless DAGSTER_HOME says otherwise: beside the
    warehouse, the instance `dagster dev` shows when started with the same DAGSTER_HOME."""
    return warehouse.resolve().parent / "dagster_home"
