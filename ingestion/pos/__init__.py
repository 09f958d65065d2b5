"""Point of sale and web shop orders: Shopify's orders CSV export, one row per line item."""

import dlt
from dlt.extract.resource import DltResource

from ingestion.exports.resource import FileOutcome, export_resource
from ingestion.exports.spec import ExportSpec

POS_ORDER_LINES = ExportSpec(
    system="pos",
    table="order_lines",
    file_format="csv",
    file_patterns=("**/*.csv", "**/*.csv.gz"),
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
    # An order's rows are its line items in order; the key is order Name + line position.
    position_within="Name",
)


@dlt.source(name="pos")
def pos(exports_dir: str = dlt.config.value, outcomes: list[FileOutcome] | None = None
        ) -> DltResource:
    """Order line rows from `<exports_dir>/pos/`; a refunded order becomes a new version."""
    return export_resource(POS_ORDER_LINES, exports_dir, outcomes)
