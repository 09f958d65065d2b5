"""Publishing a warehouse's marts everywhere BI reads them, in one call: the full (admin)
version and every role's version. The nightly publish asset calls it after its gate; a privacy
request calls it right after rebuilding the models, so an erasure or restriction reaches BI at
once rather than on a night that may not publish."""

from dataclasses import dataclass
from pathlib import Path

from cdp.privacy.policy import Policy
from cdp.publishing.publish import PublishedVersion, publish_marts
from cdp.publishing.roles import publish_roles
from cdp.settings import current_settings


@dataclass(frozen=True)
class Release:
    full: PublishedVersion  # the admin role's: every mart as it is
    roles: dict[str, PublishedVersion]  # every other role's, masked and filtered


def publish_everywhere(warehouse: Path, published: Path, policy: Policy, salt: str,
                       run_id: str, keep_versions: int) -> Release:
    # The process's settings (the CLI's, or the Dagster run's): DuckDB's memory limit.
    memory_limit = current_settings().run.duckdb_memory_limit
    full = publish_marts(warehouse, published, run_id=run_id, keep_versions=keep_versions,
                         memory_limit=memory_limit)
    roles = publish_roles(warehouse, published, policy, salt, run_id, keep_versions,
                          memory_limit)
    return Release(full, roles)
