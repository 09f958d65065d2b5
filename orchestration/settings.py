"""Where a run reads and writes: one resource, filled from CDP_* environment variables."""

import os
from pathlib import Path

from dagster import ConfigurableResource

from data_quality.validation import data_docs_index

REPO_ROOT = Path(__file__).resolve().parents[1]


class CdpSettings(ConfigurableResource):
    """Paths of one deployment. Defaults suit `dagster dev` in the repository."""

    exports_dir: str  # folder or fsspec URL holding website/, crm/, social/, pos/
    warehouse: str  # the working DuckDB file the run builds in
    published_warehouse: str  # the DuckDB file BI tools open read-only
    reports_dir: str  # Great Expectations context and Data Docs

    @classmethod
    def from_environment(cls) -> "CdpSettings":
        warehouse = Path(os.environ.get("CDP_WAREHOUSE", REPO_ROOT / "warehouse" / "cdp.duckdb"))
        return cls(
            exports_dir=os.environ.get("CDP_EXPORTS_DIR",
                                       str(REPO_ROOT / "sample_data" / "exports")),
            warehouse=str(warehouse),
            published_warehouse=os.environ.get(
                "CDP_PUBLISHED_WAREHOUSE", str(warehouse.parent / "published" / warehouse.name)),
            reports_dir=os.environ.get("CDP_REPORTS_DIR", str(warehouse.parent / "reports")),
        )

    @property
    def data_docs_index(self) -> Path:
        return data_docs_index(Path(self.reports_dir))
