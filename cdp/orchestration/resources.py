"""The run's paths as a Dagster resource, filled from the settings tree (`cdp.settings`)."""

from pathlib import Path

from dagster import ConfigurableResource

from cdp.settings import Settings, current_settings


class CdpSettings(ConfigurableResource):
    """Where one run reads and writes, and what it may do. Built from the settings tree; the
    launchpad's resource config can change it for one run (`allow_shrink`)."""

    exports_dir: str  # folder or fsspec URL holding one subfolder per source system
    warehouse: str  # the working DuckDB file the run builds in
    published_warehouse: str  # the DuckDB file BI tools open read-only
    reports_dir: str  # quality reports
    # This run may publish customers or orders smaller than the published version by more than
    # publishing.max_shrink_share (`cdp run --allow-shrink`, or the launchpad's resource config).
    allow_shrink: bool = False
    published_versions_kept: int = 5

    @classmethod
    def from_settings(cls, settings: Settings | None = None,
                      allow_shrink: bool = False) -> "CdpSettings":
        settings = settings or current_settings()
        paths = settings.paths
        return cls(exports_dir=paths.exports_dir, warehouse=str(paths.warehouse),
                   published_warehouse=str(paths.published), reports_dir=str(paths.reports),
                   allow_shrink=allow_shrink,
                   published_versions_kept=settings.publishing.versions_kept)

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
