"""One destination's delivery: tonight's changes of every audience sent to it, what it
confirmed recorded, what failed left for the next delivery."""

from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from cdp.activation.destinations.base import DeliveryRun
from cdp.activation.destinations.registry import DESTINATIONS
from cdp.activation.http import RetryPolicy
from cdp.activation.state import (
    Change,
    delivery_state_token,
    pending_changes,
    record_delivered,
    record_versions,
)


@dataclass
class DeliveryReport:
    destination: str
    audiences: dict[str, dict] = field(default_factory=dict)  # name -> counts
    files: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    not_sent_without_identifier: int = 0  # members the destination cannot match
    removed_after_erasure: int = 0  # removals of erased people confirmed tonight
    notes: list[str] = field(default_factory=list)  # the destination's own counts, in words

    @property
    def added(self) -> int:
        return sum(counts["added"] for counts in self.audiences.values())

    @property
    def removed(self) -> int:
        return sum(counts["removed"] for counts in self.audiences.values())


# Why a selected customer is not sent (marts.audience_summaries' `excluded_<reason>_count`).
EXCLUSION_REASONS = ("restricted", "unsubscribed", "complained", "bounced", "without_consent")


def _audience_counts() -> dict[str, int]:
    return {"members": 0, **{f"excluded_{reason}": 0 for reason in EXCLUSION_REASONS},
            "added": 0, "removed": 0}


def audiences_of(warehouse: Path, destination: str) -> dict[str, dict[str, int]]:
    """The audiences declared with this destination: members, and those left out per reason."""
    excluded = ", ".join(f"excluded_{reason}_count" for reason in EXCLUSION_REASONS)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(f"""
            select audience_name, members_count, {excluded}
            from marts.audience_summaries
            where list_contains(string_split(destinations, ', '), ?)
        """, [destination]).fetchall()
    return {name: {"members": members, **{f"excluded_{reason}": count for reason, count
                                          in zip(EXCLUSION_REASONS, counts, strict=True)}}
            for name, members, *counts in rows}


def identifiers_still_wanted(warehouse: Path, audience_names: list[str]) -> dict[str, dict]:
    """Per audience, the emails and phones tonight's members have (customer id of each)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute("""
            select audience_name, customer_id, email, phone from marts.audience_members
            where list_contains(?, audience_name)""", [audience_names]).fetchall()
    wanted: dict[str, dict] = {}
    for audience_name, customer_id, email, phone in rows:
        held = wanted.setdefault(audience_name, {"email": {}, "phone": {}})
        for kind, value in (("email", email), ("phone", phone)):
            if value:
                held[kind].setdefault(value, set()).add(customer_id)
    return wanted


def without_shared_identifiers(removes: list[Change], wanted: dict) -> list[Change]:
    """Removes less the identifiers another member still has (a family inbox, a household's
    phone): the platform matches on them, so removing them would take that member out too."""
    def kept(kind: str, value: str | None, customer_id: str) -> str | None:
        others = wanted.get(kind, {}).get(value, set()) - {customer_id}
        return None if value and others else value

    return [replace(change, email=kept("email", change.email, change.customer_id),
                    phone=kept("phone", change.phone, change.customer_id))
            for change in removes]


def deliver(destination: str, warehouse: Path, activation_dir: Path, run_id: str,
            policy: RetryPolicy | None = None) -> DeliveryReport:
    """Removes go before adds: a member whose email or phone changed has both, and their add is
    sent only once the destination confirmed the removal under the old identifiers (the record
    keeps one set of identifiers per member, so an add recorded first would lose the remove)."""
    tool = DESTINATIONS[destination]
    report = DeliveryReport(destination)
    audiences = audiences_of(warehouse, destination)
    for audience_name, counts in audiences.items():
        report.audiences[audience_name] = {**_audience_counts(), **counts}
    removed_now: set[tuple[str, str]] = set()

    def recorded(batch: list[Change]) -> None:
        record_delivered(warehouse, destination, batch, run_id)
        for change in batch:
            counts = report.audiences.setdefault(change.audience_name, _audience_counts())
            counts["added" if change.change == "add" else "removed"] += 1
            report.removed_after_erasure += change.erased
            if change.change == "remove":
                removed_now.add((change.audience_name, change.customer_id))

    pending_by_audience = pending_changes(warehouse, destination)
    versions = record_versions(warehouse, destination)
    has_removes = any(change.change == "remove" for pending in pending_by_audience.values()
                      for change in pending)
    wanted = (identifiers_still_wanted(warehouse, list(audiences))
              if has_removes and tool.identifier_matched else {})
    removes: dict[str, list[Change]] = {}
    adds: dict[str, list[Change]] = {}
    for audience_name, pending in pending_by_audience.items():
        sendable = [change for change in pending if change.change == "add"
                    and tool.can_receive(change.email, change.phone)]
        report.not_sent_without_identifier += sum(
            change.change == "add" for change in pending) - len(sendable)
        removes[audience_name] = without_shared_identifiers(
            [change for change in pending if change.change == "remove"],
            wanted.get(audience_name, {}))
        adds[audience_name] = sendable

    run = DeliveryRun(warehouse, activation_dir, run_id, policy, recorded,
                      state_token=lambda audience_name: versions.get(audience_name)
                      or delivery_state_token(warehouse, destination, audience_name),
                      files=report.files, notes=report.notes)

    def send(changes_by_audience: dict[str, list[Change]]) -> None:
        changes = {name: audience_changes
                   for name, audience_changes in changes_by_audience.items() if audience_changes}
        if changes:
            report.failures += tool.send(run, changes)

    if tool.removes_and_adds_together:
        send({name: removes.get(name, []) + adds.get(name, [])
              for name in {**removes, **adds}})
        return report
    send(removes)
    held_back = {(name, change.customer_id) for name, changes in removes.items()
                 for change in changes} - removed_now
    send({name: [change for change in changes
                 if (name, change.customer_id) not in held_back]
          for name, changes in adds.items()})
    return report
