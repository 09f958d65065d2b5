"""One destination's delivery: tonight's changes of every audience sent to it, what it
confirmed recorded, what failed left for the next delivery."""

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from activation.files import FILE_FORMATS, write_change_files
from activation.state import pending_changes, record_delivered
from activation.webhook import deliver_batches

DESTINATIONS = ("meta", "google_ads", "csv", "webhook", "hubspot")


@dataclass
class DeliveryReport:
    destination: str
    audiences: dict[str, dict] = field(default_factory=dict)  # name -> counts
    files: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(counts["added"] for counts in self.audiences.values())

    @property
    def removed(self) -> int:
        return sum(counts["removed"] for counts in self.audiences.values())


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
    pending = pending_changes(warehouse, destination)
    for audience_name, (members, excluded) in audiences_of(warehouse, destination).items():
        changes = pending.get(audience_name, [])
        counts = {"members": members, "excluded_without_consent": excluded,
                  "added": 0, "removed": 0}
        report.audiences[audience_name] = counts

        def recorded(batch, counts=counts, audience_name=audience_name):
            record_delivered(warehouse, destination, batch, run_id)
            counts["added"] += sum(change.change == "add" for change in batch)
            counts["removed"] += sum(change.change == "remove" for change in batch)

        if not changes:
            continue
        if destination in FILE_FORMATS:
            written = write_change_files(activation_dir, destination, audience_name, changes,
                                         run_id)
            report.files += [str(path) for path in written.values()]
            recorded(changes)
        elif destination == "webhook":
            report.failures += [f"{audience_name}: {failure}" for failure in
                                deliver_batches(audience_name, changes, recorded)]
        else:
            report.failures.append(f"{audience_name}: the {destination} destination is not "
                                   "available in this version")
    return report
