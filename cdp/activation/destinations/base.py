"""The one interface every destination implements (as dbt-duckdb's plugins implement theirs).

A destination is a module under `cdp/activation/destinations/` holding one `Destination`
and a line in `registry.py`. Delivery (`cdp/activation/deliver.py`) decides what is owed from
the warehouse's delivery record and hands the destination each audience's changes; the
destination sends them and calls `run.recorded(batch)` for every batch the tool confirmed, so
what it refused stays owed. Everything else that names destinations (the audiences' check, the
Dagster assets, the data map, erasure) reads the registry.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cdp.activation.http import RetryPolicy
from cdp.activation.state import Change


@dataclass
class DeliveryRun:
    """What a destination's `send` is given by the delivery under way."""

    warehouse: Path
    activation_dir: Path  # where file destinations write
    run_id: str
    policy: RetryPolicy | None
    # Records a batch the destination confirmed in the delivery record (and the report).
    recorded: Callable[[list[Change]], None]
    # The version of our record of an audience when tonight's changes were built.
    state_token: Callable[[str], str]
    files: list[str] = field(default_factory=list)  # files written, for the report
    # What the destination did in its own words, one line each, for the report (`cdp run`'s
    # delivery line, the asset's metadata): "41 sent · not sent: 3 blocked".
    notes: list[str] = field(default_factory=list)


class Destination(ABC):
    """One tool audiences are delivered to."""

    # The name audiences declare in `destinations:` (vars `audiences`).
    name: str
    # Dagster's kinds (icons) of its delivery asset.
    kinds: frozenset[str]
    # What the tool receives, as the data map lists it.
    receives: str
    # True when the tool finds a person by email or phone: a removal then leaves out an
    # identifier another member still has, which would take them out too.
    identifier_matched: bool = False
    # True when one send holds removes and adds together (a file destination writes both at
    # once); otherwise removes are sent first and an add waits for its removal's confirmation.
    removes_and_adds_together: bool = False

    def can_receive(self, email: str | None, phone: str | None) -> bool:
        """Whether a member has what the tool matches people on."""
        return True

    @abstractmethod
    def send(self, run: DeliveryRun, changes: dict[str, list[Change]]) -> list[str]:
        """Send each audience's changes (none empty); returns the failures, one line each."""

    def local_copies(self, warehouse: Path) -> list[Path]:
        """Folders a killed delivery may leave holding personal data (erasure deletes them)."""
        return []
