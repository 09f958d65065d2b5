"""The published BI database: built only when every blocking check upstream has passed."""

from pathlib import Path

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from orchestration.publishing.publish import publish_marts
from orchestration.settings import CdpSettings
from orchestration.transformation.assets import mart_keys


@asset(
    key=["published", "warehouse"],
    deps=mart_keys(),
    group_name="publishing",
    kinds={"duckdb"},
    description="The marts, copied atomically to the DuckDB file BI tools open read-only. "
                "Blocking checks on the raw tables and marts must pass first; a failure "
                "leaves the previous version in place.",
)
def published_warehouse(context: AssetExecutionContext, settings: CdpSettings
                        ) -> MaterializeResult:
    version = publish_marts(Path(settings.warehouse), Path(settings.published_warehouse))
    context.log.info(f"published {len(version.tables)} marts to {version.path}")
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(version.path)),
        "customers": version.tables.get("customers", 0),
        "customer_merges": version.tables.get("customer_merges", 0),
        "excluded_identifiers": version.tables.get("identity_exclusions", 0),
        "orders": version.tables.get("orders", 0),
        "rows_per_table": version.tables,
        "great_expectations_report": MetadataValue.url(settings.data_docs_index.as_uri()),
    })
