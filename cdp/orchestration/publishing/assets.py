"""The published BI database: built only when everything upstream succeeded in this run."""

from pathlib import Path

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from cdp.orchestration.publishing.gate import publish_blockers
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.transformation.assets import FULL_REFRESH_TAG, mart_keys
from cdp.orchestration.warehouse_lock_resource import WarehouseLock
from cdp.privacy.policy import PolicyError, load_policy
from cdp.privacy.store import privacy_salt
from cdp.publishing.differences import differences_from_published
from cdp.publishing.release import publish_everywhere
from cdp.publishing.serving import ServingError, publish_serving, serving_url
from cdp.transformation.night_inputs import (
    input_parts,
    inputs_fingerprint,
    published_fingerprint,
    record_publication,
)

PUBLISHED_KEY = AssetKey(["published", "warehouse"])


@asset(
    key=PUBLISHED_KEY,
    deps=mart_keys(),
    group_name="publishing",
    kinds={"duckdb", "parquet"},
    description="The marts as a new version of the published database BI tools read: "
                "`<published>.duckdb` holds views over the current version's Parquet files, so "
                "pooled connections see each new version. Publishes only when every step and "
                "check of this run succeeded; otherwise the previous version stays in place.",
)
def published_warehouse(context: AssetExecutionContext, settings: CdpSettings,
                        warehouse_lock: WarehouseLock) -> MaterializeResult:
    blockers = publish_blockers(context.instance, context.run.run_id, mart_keys())
    if blockers:
        raise Failure(
            description=f"not published: {blockers[0]}",
            metadata={"blockers": MetadataValue.md("\n".join(f"- {b}" for b in blockers))},
        )
    # The roles' policy is read first: a policy that cannot be applied publishes nothing.
    try:
        policy = load_policy()
    except PolicyError as error:
        raise Failure(description=f"not published: {error}") from None
    drift = _full_refresh_drift(context, settings)
    release = publish_everywhere(Path(settings.warehouse), Path(settings.published_warehouse),
                                 policy, privacy_salt(create=True), context.run.run_id,
                                 settings.published_versions_kept)
    version, roles = release.full, release.roles
    # What this version was built from: a night bringing nothing new keeps it (cdp run).
    with duckdb.connect(settings.warehouse) as connection:
        record_publication(connection, input_parts(connection),
                           Path(settings.published_warehouse), context.run.run_id)
    context.log.info(f"published version {version.version} ({len(version.tables)} marts) "
                     f"to {version.path}")
    for role, published in roles.items():
        context.log.info(f"published the {role} role's version to {published.path}")
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(version.path)),
        "version": version.version,
        "version_folder": MetadataValue.path(str(version.folder)),
        "customers": version.tables.get("customers", 0),
        "orders": version.tables.get("orders", 0),
        "customer_merges": version.tables.get("customer_merges", 0),
        "excluded_identifiers": version.tables.get("identity_exclusions", 0),
        "data_issues": version.tables.get("data_issues", 0),
        "rows_per_table": version.tables,
        "dagster/row_count": sum(version.tables.values()),
        "quality_report": MetadataValue.url(settings.data_docs_index.as_uri()),
        "roles": {role: str(published.path) for role, published in roles.items()},
        **({"full_refresh_differences": drift} if drift is not None else {}),
    })


def _full_refresh_drift(context: AssetExecutionContext,
                        settings: CdpSettings) -> dict[str, list[int]] | None:
    """On a full refresh over the very inputs the published version was built from, the marts
    that differ from it (rows only rebuilt, rows only published), each a warning: drift between
    the incremental nights and a build from all of history. None when not comparable."""
    if context.run.tags.get(FULL_REFRESH_TAG) != "true":
        return None
    with duckdb.connect(settings.warehouse, read_only=True) as connection:
        recorded = published_fingerprint(connection, Path(settings.published_warehouse))
        if recorded is None or recorded[0] != inputs_fingerprint(connection):
            return None
    drift = differences_from_published(Path(settings.warehouse),
                                       Path(settings.published_warehouse))
    for name, (rebuilt, published) in drift.items():
        context.log.warning(f"the full refresh differs from the incremental nights in "
                            f"marts.{name}: {rebuilt} rows only rebuilt, {published} only in "
                            "the published version")
    return {name: list(counts) for name, counts in drift.items()}



SERVING_KEY = AssetKey(["published", "serving_database"])


@asset(
    key=SERVING_KEY,
    deps=[PUBLISHED_KEY],
    group_name="publishing",
    kinds={"postgres"},
    description="The same run's marts in the PostgreSQL serving database (CDP_SERVING_URL): "
                "a schema per role of the privacy policy, views that mask, GRANTs to the "
                "roles' logins, swapped in one transaction. Present when the deployment "
                "names a serving database.",
)
def serving_database(context: AssetExecutionContext, settings: CdpSettings,
                     warehouse_lock: WarehouseLock) -> MaterializeResult:
    url = serving_url()
    if not url:
        raise Failure(description="no serving database: set CDP_SERVING_URL")
    try:
        served = publish_serving(url, Path(settings.warehouse), load_policy(),
                                 privacy_salt(create=True), run_id=context.run.run_id)
    except (ServingError, PolicyError) as error:
        raise Failure(description=str(error)) from None
    for note in served.notes:
        context.log.warning(note)
    return MaterializeResult(metadata={
        "version": served.version,
        "rows_per_table": served.tables,
        "dagster/row_count": sum(served.tables.values()),
        "schemas": {role: ", ".join(marts) for role, marts in served.roles.items()},
        "notes": MetadataValue.md("\n".join(f"- {note}" for note in served.notes) or "none"),
    })
