"""Whether a night has anything to do, asked before Dagster, dbt or the checks start.

Nothing to do means all of: no export file holds content not loaded yet; the inputs of the
build (`night_inputs.inputs_fingerprint`: raw rows, restrictions, settings, code) are those the
published version was built from; no privacy request is under way; no retention window has
rows to delete; and no destination is owed a change (a delivery that failed is retried by the
next run, whatever it brings). Then the published version stays as it is, and the run ends in
about a second instead of rebuilding every model to publish the same marts again.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cdp.settings import Settings, current_settings


@dataclass(frozen=True)
class UnchangedNight:
    """The night brought nothing: what is published stays."""

    run_id: str  # the run that published the current version
    published_at: datetime

    def line(self) -> str:
        return (f"nothing new since run {self.run_id[:8]} published at "
                f"{self.published_at:%Y-%m-%d %H:%M} UTC: no export file with new content, no "
                "request or delivery owed; the published marts stay as they are")


def nothing_new(settings: Settings | None = None) -> UnchangedNight | None:
    """An UnchangedNight when the night has nothing to build, publish or deliver; None when it
    has, or when it cannot be told cheaply (the warehouse held by another process)."""
    from cdp.privacy.store import PrivacyStore
    from cdp.sources.new_files import unloaded_files_since_last_look

    settings = settings or current_settings()
    warehouse, published = settings.paths.warehouse, settings.paths.published
    if not warehouse.exists() or not published.exists():
        return None
    if PrivacyStore(warehouse).pending() or settings.sources.api_pulls():
        return None
    if unloaded_files_since_last_look(settings.paths.exports_dir, warehouse):
        return None
    try:
        connection = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return None
    with connection:
        unchanged = _published_from_these_inputs(connection, settings)
    if unchanged is None or _deliveries_owed(warehouse, settings):
        return None
    return unchanged


def night_to_skip(settings: Settings | None = None) -> UnchangedNight | None:
    """`nothing_new`; and when so, the file retention windows applied all the same: logs,
    reports and upload files age out on nights that bring nothing too."""
    unchanged = nothing_new(settings)
    if unchanged:
        from cdp.privacy.retention import apply_file_retention_everywhere

        settings = settings or current_settings()
        apply_file_retention_everywhere(settings.paths.warehouse, settings.paths.reports)
    return unchanged


def _published_from_these_inputs(connection: duckdb.DuckDBPyConnection,
                                  settings: Settings) -> UnchangedNight | None:
    from cdp.privacy.policy import PolicyError, load_policy
    from cdp.privacy.retention import table_retention_due
    from cdp.transformation.night_inputs import (
        PUBLICATIONS,
        inputs_fingerprint,
        published_fingerprint,
    )

    recorded = published_fingerprint(connection, settings.paths.published)
    if recorded is None or recorded[0] != inputs_fingerprint(connection, settings):
        return None
    try:
        if table_retention_due(connection, load_policy(), datetime.now(UTC)):
            return None
    except PolicyError:
        return None  # the run says what is wrong with the policy
    published_at = connection.execute(
        f"select published_at from {PUBLICATIONS} where run_id = ?", [recorded[1]]
    ).fetchone()[0]
    return UnchangedNight(run_id=recorded[1], published_at=published_at.astimezone(UTC))


def _deliveries_owed(warehouse: Path, settings: Settings) -> bool:
    from cdp.activation.state import owed_erased_removals, pending_changes

    destinations = {destination for audience in settings.models.get("audiences") or []
                    for destination in audience.get("destinations") or []}
    return any(pending_changes(warehouse, destination)
               or owed_erased_removals(warehouse, destination)
               for destination in sorted(destinations))
