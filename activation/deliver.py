"""One destination's delivery: tonight's changes of every audience sent to it, what it
confirmed recorded, what failed left for the next delivery."""

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from activation.files import FILE_FORMATS, write_change_files
from activation.hubspot import deliver_to_hubspot
from activation.state import (
    Change,
    delivery_state_token,
    pending_changes,
    record_delivered,
)
from activation.webhook import deliver_batches

DESTINATIONS = ("meta", "google_ads", "csv", "webhook", "hubspot")


@dataclass
class DeliveryReport:
    destination: str
    audiences: dict[str, dict] = field(default_factory=dict)  # name -> counts
    files: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    not_sent_without_identifier: int = 0  # members the destination cannot match
    removed_after_erasure: int = 0  # removals of erased people confirmed tonight

    @property
    def added(self) -> int:
        return sum(counts["added"] for counts in self.audiences.values())

    @property
    def removed(self) -> int:
        return sum(counts["removed"] for counts in self.audiences.values())


def can_receive(destination: str, email: str | None, phone: str | None) -> bool:
    """Whether a member has what the destination matches people on: an email for HubSpot, an
    email or phone for the ads platforms; anything for the CSV and the webhook (customer id)."""
    if destination == "hubspot":
        return bool(email)
    if destination in ("meta", "google_ads"):
        return bool(email or phone)
    return True


def audiences_of(warehouse: Path, destination: str) -> dict[str, tuple[int, int]]:
    """The audiences declared with this destination: members and excluded for consent."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute("""
            select audience_name, members_count, excluded_without_consent_count
            from marts.audience_summaries
            where list_contains(string_split(destinations, ', '), ?)
        """, [destination]).fetchall()
    return {name: (members, excluded) for name, members, excluded in rows}


def deliver(destination: str, warehouse: Path, activation_dir: Path,
            run_id: str) -> DeliveryReport:
    report = DeliveryReport(destination)
    audiences = audiences_of(warehouse, destination)
    for audience_name, (members, excluded) in audiences.items():
        report.audiences[audience_name] = {"members": members,
                                           "excluded_without_consent": excluded,
                                           "added": 0, "removed": 0}

    def recorded(batch: list[Change]) -> None:
        record_delivered(warehouse, destination, batch, run_id)
        for change in batch:
            counts = report.audiences.setdefault(change.audience_name, {
                "members": 0, "excluded_without_consent": 0, "added": 0, "removed": 0})
            counts["added" if change.change == "add" else "removed"] += 1
            report.removed_after_erasure += change.erased

    # HubSpot takes every audience's changes in one load; even when no audience names it any
    # more, what it still holds is removed.
    hubspot_changes: list[Change] = []
    for audience_name, pending in pending_changes(warehouse, destination).items():
        changes = [change for change in pending
                   if change.change == "remove" or can_receive(destination, change.email,
                                                               change.phone)]
        report.not_sent_without_identifier += len(pending) - len(changes)
        if not changes:
            continue
        if destination in FILE_FORMATS:
            written = write_change_files(activation_dir, destination, audience_name, changes,
                                         run_id)
            report.files += [str(path) for path in written.values()]
            recorded(changes)
        elif destination == "webhook":
            token = delivery_state_token(warehouse, destination, audience_name)
            report.failures += [f"{audience_name}: {failure}" for failure in
                                deliver_batches(audience_name, changes, recorded,
                                                state_token=token)]
        elif destination == "hubspot":
            hubspot_changes += changes
    if hubspot_changes:
        report.failures += deliver_to_hubspot(warehouse, hubspot_changes, recorded)
    return report
    for audience_name, pending in pending_changes(warehouse, destination).items():
        changes = [change for change in pending
                   if change.change == "remove" or can_receive(destination, change.email,
                                                               change.phone)]
        report.not_sent_without_identifier += len(pending) - len(changes)
        if not changes:
            continue
        if destination in FILE_FORMATS:
            written = write_change_files(activation_dir, destination, audience_name, changes,
                                         run_id)
            report.files += [str(path) for path in written.values()]
            recorded(changes)
        elif destination == "webhook":
            token = delivery_state_token(warehouse, destination, audience_name)
            report.failures += [f"{audience_name}: {failure}" for failure in
                                deliver_batches(audience_name, changes, recorded,
                                                state_token=token)]
    return report
