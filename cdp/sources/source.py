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

# The kinds of model a source may add (`union_source_models('<kind>')` in dbt stacks every enabled
# source's model of a kind), and the columns, in order, such a model selects, with their type
# (string, timestamp, float, boolean, integer, bigint, json, or SQL such as decimal(18,2)): the
# type of the empty relation stacked when no enabled source adds one. One place: the macro reads
# them from `--vars`. docs/how-to/add-a-source.md says what each kind holds.
_MONEY = "decimal(18,2)"
UNION_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    # Identity: what a record is, the identifiers and names it links on.
    "records": (("source", "string"), ("record_id", "string"), ("first_seen_at", "timestamp"),
                ("last_seen_at", "timestamp"), ("first_loaded_at", "float")),
    "identifiers": (("source", "string"), ("record_id", "string"), ("identifier_type", "string"),
                    ("identifier_value", "string"), ("first_seen_at", "timestamp"),
                    ("last_seen_at", "timestamp")),
    "record_names": (("source", "string"), ("record_id", "string"), ("name_key", "string")),
    # The records' deletions (deletion lists), each with the record's latest version.
    "record_deletions": (("source", "string"), ("record_id", "string"),
                         ("retired_at", "timestamp"), ("deleted_at", "timestamp"),
                         ("source_file", "string"), ("has_raw_versions", "boolean"),
                         ("last_version_at", "timestamp")),
    # Profiles: each observation of a person's attributes (the golden record's candidates, the
    # emails as written), the name each record gives, and lifecycle stages stated.
    "record_attributes": (("source", "string"), ("record_id", "string"),
                          ("observed_at", "timestamp"), ("full_name", "string"),
                          ("name_key", "string"), ("email", "string"),
                          ("email_written", "string"), ("phone", "string"), ("city", "string")),
    "record_written_names": (("source", "string"), ("record_id", "string"),
                             ("full_name", "string")),
    "lifecycle_stages": (("source", "string"), ("record_id", "string"),
                         ("lifecycle_stage", "string"), ("stated_at", "timestamp")),
    "consent_statements": (("source", "string"), ("record_id", "string"), ("purpose", "string"),
                           ("status", "string"), ("stated_at", "timestamp"),
                           ("loaded_at", "timestamp"), ("statement", "string")),
    # Channel subscription state, apart from purpose consent: what an email tool states of an
    # address (subscribed, unsubscribed, cleaned: hard-bounced, complained: marked as spam,
    # nonsubscribed); `address` is the mailbox (normalized), `address_written` as sent.
    "channel_statements": (("source", "string"), ("record_id", "string"), ("channel", "string"),
                           ("address", "string"), ("address_written", "string"),
                           ("status", "string"), ("stated_at", "timestamp"),
                           ("loaded_at", "timestamp"), ("statement", "string")),
    # Engagement with emails sent: delivered, opened, clicked, bounced, complained,
    # unsubscribed; `campaign_id` groups one email's events.
    "email_events": (("source", "string"), ("record_id", "string"), ("event_id", "string"),
                     ("email", "string"), ("event_type", "string"), ("occurred_at", "timestamp"),
                     ("campaign_id", "string")),
    # Chat activity without its text: each event of a conversation thread (`address`: the
    # OA or Page and the person's id there), inbound from the person, outbound from the
    # business, or a receipt.
    "chat_messages": (("source", "string"), ("record_id", "string"), ("channel", "string"),
                      ("address", "string"), ("event_id", "string"), ("event_name", "string"),
                      ("direction", "string"), ("occurred_at", "timestamp"),
                      ("referral_ad_id", "string"), ("_dlt_load_id", "string")),
    # Activity: web events (a device's page views and tracks), orders and their lines.
    "web_events": (("source", "string"), ("event_id", "string"), ("anonymous_id", "string"),
                   ("user_id", "string"), ("event_type", "string"), ("event_name", "string"),
                   ("occurred_at", "timestamp"), ("received_at", "timestamp"),
                   ("page_path", "string"), ("page_url", "string"), ("page_title", "string"),
                   ("page_referrer", "string"), ("utm_source", "string"),
                   ("utm_medium", "string"), ("utm_campaign", "string"), ("order_id", "string"),
                   ("order_revenue", _MONEY), ("currency", "string"), ("properties", "json"),
                   # The load of the staged version: which events a build has not seen yet.
                   ("_dlt_load_id", "string")),
    "orders": (("source", "string"), ("order_id", "string"), ("shopify_order_id", "string"),
               ("order_source", "string"), ("location", "string"), ("ordered_at", "timestamp"),
               ("paid_at", "timestamp"), ("cancelled_at", "timestamp"),
               ("is_cancelled", "boolean"), ("financial_status", "string"),
               ("fulfillment_status", "string"), ("currency", "string"), ("subtotal", _MONEY),
               ("shipping", _MONEY), ("taxes", _MONEY), ("discount_amount", _MONEY),
               ("total", _MONEY), ("refunded_amount", _MONEY), ("accepts_marketing", "boolean"),
               ("email_normalized", "string"), ("phone_normalized", "string")),
    "order_lines": (("source", "string"), ("order_id", "string"), ("line_position", "bigint"),
                    ("sku", "string"), ("product_name", "string"), ("quantity", "integer"),
                    ("unit_price", _MONEY)),
    # Quality: values set aside one by one (marts.data_issues).
    "data_issues": (("source", "string"), ("record_id", "string"), ("column_name", "string"),
                    ("value", "string"), ("reason", "string"), ("_source_file", "string"),
                    ("_dlt_load_id", "string")),
}


def union_models_of(system: str, *kinds: str) -> dict[str, str]:
    """The models a source adds to those unions, named by convention `int_<system>__<kind>`."""
    unknown = [kind for kind in kinds if kind not in UNION_COLUMNS]
    if unknown:
        raise ValueError(f"no union kind {', '.join(unknown)} (kinds: {', '.join(UNION_COLUMNS)})")
    return {kind: f"int_{system}__{kind}" for kind in kinds}


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
    # Whether a load far smaller than the one before is worth a warning: not for activity that
    # comes and goes with the business's own rhythm (a night without a campaign has no opens).
    volume_holds: bool = True


@dataclass(frozen=True)
class Source:
    """One source system, whole."""

    system: str  # the folder under the exports directory, dataset `raw_<system>`, dbt source
    # Its exports (one raw table each; the first is its main one), and its deletion lists if
    # it has any (a spec some export names in `deletions`).
    specs: tuple[ExportSpec, ...]
    models_dir: Path  # its dbt models: staging and the union models
    # kind (a key of UNION_COLUMNS) -> the dbt model adding this system's rows to that union.
    union_models: Mapping[str, str] = field(default_factory=dict)
    # Where it stages its records: one staging model, or one per kind of record (a mailing
    # list's members and the contacts an email tool's events name).
    staged: StagedRecords | tuple[StagedRecords, ...] | None = None
    raw_checks: tuple[RawCheck, ...] = ()
    # The identifier types its `identifiers` model emits (email and phone link records across
    # sources; a type of its own, such as its record id, links only its own records). dbt's test
    # of the identifiers union accepts every enabled source's.
    identifier_types: tuple[str, ...] = ()
    # The column of its export's raw table holding the record id `customer_records` keys it by:
    # the publishing check that every raw record maps to one customer reads it (None: the
    # source's records are left out of that check).
    raw_record_id: str | None = None
    # For a source of several exports: each export's raw table -> the SQL expression over it
    # giving that record id (in place of `raw_record_id`, which names its main table's).
    raw_record_ids: Mapping[str, str] = field(default_factory=dict)
    # For a source of orders: SQL over its raw table giving one row, `amount` (net revenue of
    # every order's newest version, leaving out amounts wrong at the source) and
    # `amount_of_customers` (the same less anonymous sales: `{anonymous_sale}` is the condition
    # on the raw record id). The revenue reconciliation adds up every source's.
    raw_net_revenue_sql: str | None = None
    # Raw tables an API pull fills beside its exports' (Klaviyo's): counted in a load's rows.
    pulled_tables: tuple[str, ...] = ()
    # Where the pull sets its unreadable rows aside (beside the files' `quarantine`).
    pulled_quarantine: str | None = None
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
        named = {spec.deletions for spec in self.specs if spec.deletions}
        return tuple(spec for spec in self.specs if spec in named)

    @property
    def export_specs(self) -> tuple[ExportSpec, ...]:
        """Its exports, without its deletion lists."""
        deletions = self.deletion_specs
        return tuple(spec for spec in self.specs if spec not in deletions)

    @property
    def staged_records(self) -> tuple[StagedRecords, ...]:
        if self.staged is None:
            return ()
        return self.staged if isinstance(self.staged, tuple) else (self.staged,)

    @property
    def record_ids(self) -> dict[str, str]:
        """Each export's raw table -> the SQL giving the record id `customer_records` keys its
        rows by (`raw_record_ids`, or `raw_record_id` of the main table)."""
        if self.raw_record_ids:
            return dict(self.raw_record_ids)
        return {self.table: self.raw_record_id} if self.raw_record_id else {}

    @property
    def dataset(self) -> str:
        return f"raw_{self.system}"

    def make_dlt_source(self, **arguments: Any) -> Any:
        """The dlt source loading this system's exports (arguments as `export_resource`'s)."""
        if self.dlt_source is not None:
            return self.dlt_source(**arguments)
        from cdp.ingestion.resource import generic_dlt_source  # dlt: seconds to import

        return generic_dlt_source(self.system, self.specs)(**arguments)
