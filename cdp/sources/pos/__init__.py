"""Point of sale and web shop orders: Shopify's orders CSV export, one row per line item."""

from pathlib import Path

import dlt
from dlt.extract.resource import DltResource

from cdp.ingestion.resource import FileOutcome, export_resource
from cdp.ingestion.spec import ExportSpec
from cdp.ingestion.suppression import Suppression
from cdp.ingestion.typed_records import AmountSettings
from cdp.sources.source import RawCheck, Source, StagedRecords, union_models_of

POS_ORDER_LINES = ExportSpec(
    system="pos",
    table="order_lines",
    file_format="csv",
    file_suffixes=(".csv", ".csv.gz"),
    key_columns=("Name",),
    known_columns=(
        "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Accepts Marketing",
        "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount",
        "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku",
        "Billing Name", "Billing City", "Billing Country", "Billing Phone", "Cancelled at",
        "Refunded Amount", "Location", "Id", "Source", "Phone",
    ),
    timestamp_columns=("Created at", "Paid at", "Fulfilled at", "Cancelled at"),
    decimal_columns=(
        "Subtotal", "Shipping", "Taxes", "Total", "Discount Amount", "Lineitem price",
        "Lineitem compare at price", "Refunded Amount", "Outstanding Balance",
    ),
    currency_column="Currency",
    # An order's rows are its line items in order; the key is order Name + line position.
    position_within="Name",
    subject_columns=(("record", "Name"), ("email", "Email"), ("phone", "Billing Phone"),
                     ("phone", "Phone")),
    # An erased customer's orders stay as anonymous sales: what was sold, when, where, for how
    # much; never who bought (names, contacts, addresses, notes, ids all go).
    kept_when_erased=(
        "Financial Status", "Paid at", "Fulfillment Status", "Currency", "Subtotal", "Shipping",
        "Taxes", "Total", "Discount Code", "Discount Amount", "Created at", "Lineitem quantity",
        "Lineitem name", "Lineitem price", "Lineitem sku", "Lineitem compare at price",
        "Billing City", "Billing Country", "Cancelled at", "Fulfilled at", "Refunded Amount",
        "Outstanding Balance", "Location", "Source", "Payment Method",
    ),
)


@dlt.source(name="pos")
def pos(exports_dir: str = dlt.config.value, outcomes: list[FileOutcome] | None = None,
        decimal_separator: str = "auto", default_currency: str = "VND",
        suppression: Suppression | None = None) -> DltResource:
    """Order line rows from `<exports_dir>/pos/`; a refunded order becomes a new version.

    Amounts are read the way the file writes them (`150.000` is 150,000 VND). When a file cannot
    tell whether a lone `1.234` means thousands, `decimal_separator` (`.` or `,`; config
    `sources.pos.decimal_separator`) says; `default_currency` applies to files naming none.
    """
    return export_resource(POS_ORDER_LINES, exports_dir, outcomes,
                           AmountSettings(decimal_separator, default_currency),
                           suppression=suppression)


SOURCE = Source(
    system="pos",
    specs=(POS_ORDER_LINES,),
    models_dir=Path(__file__).parent / "models",
    union_models=union_models_of(
        "pos", "records", "identifiers", "record_names", "record_attributes",
        "record_written_names", "consent_statements", "orders", "order_lines", "data_issues"
    ),
    staged=StagedRecords("stg_pos__orders", "order_id", "billing_name",
                         (("email", "email_normalized"), ("phone", "phone_normalized"))),
    # Shopify fills order-level columns, `Created at` among them, on an order's first line only.
    raw_checks=(RawCheck("order_lines", ("name", "line_position"), "created_at",
                         "line_position = 1"),),
    raw_record_id="name",
    identifier_types=("order_id", "email", "phone"),
    raw_net_revenue_sql="""
        with first_lines as (
            -- Files of one load are read in name order: the later file is newer.
            select total, refunded_amount, {anonymous_sale} as is_anonymous_sale,
                row_number() over (
                    partition by name
                    order by cast(_dlt_load_id as double) desc, _source_file desc
                ) as newest
            from raw_pos.order_lines where line_position = 1
        )
        -- A negative total, or a refund negative or above the total, is wrong at the source:
        -- set aside (marts.data_issues), not counted.
        select coalesce(sum(total - coalesce(refunded_amount, 0)), 0) as amount,
            coalesce(sum(total - coalesce(refunded_amount, 0))
                filter (where not is_anonymous_sale), 0) as amount_of_customers
        from first_lines
        where newest = 1 and total >= 0 and coalesce(refunded_amount, 0) between 0 and total""",
    dlt_source=pos,
)
