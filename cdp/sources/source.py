"""What a source system is: the one object its folder (`cdp/sources/<system>/__init__.py`, or a
plugin module anywhere) declares as `SOURCE`, and everything downstream reads.

Its export formats and the identifiers each carries (type + column or JSON path) are its
`ExportSpec`s; its staging models, and the models it adds to the records, identifiers, names and
consent unions, are dbt files in its `models/` folder; its erasure subjects and raw quality checks
are the fields below. Nothing else names the system.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdp.ingestion.spec import ExportSpec

# The unions every source may add a model to (`union_source_models('<kind>')` in dbt), and the
# columns, in order, such a model selects, with their type (string, timestamp, float). One
# place: the macro reads them from `--vars`.
UNION_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "records": (("source", "string"), ("record_id", "string"), ("first_seen_at", "timestamp"),
                ("last_seen_at", "timestamp"), ("first_loaded_at", "float")),
    "identifiers": (("source", "string"), ("record_id", "string"), ("identifier_type", "string"),
                    ("identifier_value", "string"), ("first_seen_at", "timestamp"),
                    ("last_seen_at", "timestamp")),
    "record_names": (("source", "string"), ("record_id", "string"), ("name_key", "string")),
    "consent_statements": (("source", "string"), ("record_id", "string"), ("purpose", "string"),
                           ("status", "string"), ("stated_at", "timestamp"),
                           ("loaded_at", "timestamp"), ("statement", "string")),
}


@dataclass(frozen=True)
class StagedRecords:
    """Where the system's staging model keeps each record, for privacy requests: the model, its
    record id column, the name as people wrote it, and its normalized identifiers (read for a
    record a deletion list retired, which left identity resolution)."""

    model: str  # a staging model, e.g. `stg_crm__contacts` (schema `staging`)
    id_column: str
    name_column: str | None = None
    identifiers: tuple[tuple[str, str], ...] = ()  # (identifier type, column)

    @property
    def relation(self) -> str:
        return f"staging.{self.model}"


@dataclass(frozen=True)
class RawCheck:
    """A raw table's quality checks: its key, and the timestamp every record must have."""

    table: str
    key_columns: tuple[str, ...]  # normalized (raw table) names
    timestamp_column: str | None = None  # None: only the keys are checked (a deletion list)
    timestamp_required_where: str = "true"  # rows that must have it (SQL over the raw table)


@dataclass(frozen=True)
class Source:
    """One source system, whole."""

    system: str  # the folder under the exports directory, dataset `raw_<system>`, dbt source
    # Its export first (the raw table a load reports), then its deletion lists if it has any.
    specs: tuple[ExportSpec, ...]
    models_dir: Path  # its dbt models: staging and the union models
    # kind (a key of UNION_COLUMNS) -> the dbt model adding this system's rows to that union.
    union_models: Mapping[str, str] = field(default_factory=dict)
    staged: StagedRecords | None = None
    raw_checks: tuple[RawCheck, ...] = ()
    # The `@dlt.source` reading its exports; None: every spec through the generic resource.
    dlt_source: Callable[..., Any] | None = None

    @property
    def spec(self) -> ExportSpec:
        """The system's export (the first spec)."""
        return self.specs[0]

    @property
    def table(self) -> str:
        return self.spec.table

    @property
    def deletion_specs(self) -> tuple[ExportSpec, ...]:
        return self.specs[1:]

    @property
    def dataset(self) -> str:
        return f"raw_{self.system}"

    def make_dlt_source(self, **arguments: Any) -> Any:
        """The dlt source loading this system's exports (arguments as `export_resource`'s)."""
        if self.dlt_source is not None:
            return self.dlt_source(**arguments)
        from cdp.ingestion.resource import generic_dlt_source  # dlt: seconds to import

        return generic_dlt_source(self.system, self.specs)(**arguments)
