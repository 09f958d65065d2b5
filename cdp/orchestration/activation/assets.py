"""Deliveries of the declared audiences, one asset per destination, after the publish.

Each sends its destination tonight's changes (marts.audience_changes) and records what the
destination confirmed; a delivery that fails in part records the rest and fails naming what
did not go, so Dagster retries it (RetryPolicy) and the next night sends what is still missing
— never what already went. Its check compares what the destination now holds with the
audience's members, and fails while a removal owed since an erasure is not confirmed.
"""

from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Backoff,
    Failure,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    asset,
)

from cdp.activation.deliver import EXCLUSION_REASONS, deliver
from cdp.activation.destinations.registry import DESTINATIONS
from cdp.activation.state import delivered_members, owed_erased_removals
from cdp.orchestration.publishing.assets import PUBLISHED_KEY
from cdp.orchestration.quality.filing import file_check_results
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.warehouse_lock_resource import WarehouseLock

_CHECK = "holds_exactly_the_members"
_CHECK_DESCRIPTION = ("The destination holds exactly the audiences' members, by the delivery "
                      "record, and no removal of an erased person is still owed to it.")


def delivery_asset(destination: str):
    key = AssetKey(["activation", destination])

    @asset(
        key=key,
        deps=[PUBLISHED_KEY],
        group_name="activation",
        kinds=set(DESTINATIONS[destination].kinds),
        retry_policy=RetryPolicy(max_retries=2, delay=30, backoff=Backoff.EXPONENTIAL),
        check_specs=[AssetCheckSpec(_CHECK, asset=key, description=_CHECK_DESCRIPTION)],
        description=f"The declared audiences that name `{destination}` (vars `audiences`), "
                    "delivered: tonight's adds and removes against its last successful "
                    "delivery, consenting members only.",
    )
    def delivery(context: AssetExecutionContext, settings: CdpSettings,
                 warehouse_lock: WarehouseLock):
        report = deliver(destination, Path(settings.warehouse), settings.activation_dir,
                         context.run.run_id)
        metadata = {
            "audiences": len(report.audiences),
            "members": sum(counts["members"] for counts in report.audiences.values()),
            "added": report.added,
            "removed": report.removed,
            "removed_after_erasure": report.removed_after_erasure,
            **{f"excluded_{reason}": sum(counts[f"excluded_{reason}"]
                                         for counts in report.audiences.values())
               for reason in EXCLUSION_REASONS},
            "failures": len(report.failures),
            "not_sent_without_identifier": report.not_sent_without_identifier,
            "notes": " · ".join(report.notes),
            "per_audience": MetadataValue.json(report.audiences),
            "files": MetadataValue.md("\n".join(f"- {path}" for path in report.files)
                                      or "none"),
        }
        if report.failures:
            raise Failure(description=f"{destination}: {len(report.failures)} part(s) not "
                                      f"delivered, first: {report.failures[0]}",
                          metadata=metadata)
        yield MaterializeResult(metadata=metadata)
        check = _holds_exactly_the_members(Path(settings.warehouse), destination,
                                           list(report.audiences))
        file_check_results(settings.reports_dir, context.run.run_id, key, [check],
                           {(key, _CHECK): _CHECK_DESCRIPTION}, qualify_names=True)
        yield check

    return delivery


def _holds_exactly_the_members(warehouse: Path, destination: str,
                               audiences: list[str]) -> AssetCheckResult:
    import duckdb

    tool = DESTINATIONS[destination]
    differences = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for audience_name in audiences:
            members = {customer_id for customer_id, email, phone in connection.execute(
                "select customer_id, email, phone from marts.audience_members "
                "where audience_name = ?", [audience_name]).fetchall()
                if tool.can_receive(email, phone)}
            held = delivered_members(warehouse, destination, audience_name)
            if held != members:
                differences[audience_name] = {"missing": len(members - held),
                                              "not_members": len(held - members)}
    # An erased person it still holds is owed a removal (and is in no audience any more).
    owed = owed_erased_removals(warehouse, destination)
    return AssetCheckResult(check_name=_CHECK,
                            passed=not differences and not owed,
                            metadata={"differences": MetadataValue.json(differences),
                                      "erased_removals_owed": owed})


DELIVERY_ASSETS = [delivery_asset(destination) for destination in DESTINATIONS]
