"""Orders as Shopify's orders CSV export has them: one row per line item.

Order-level columns (status, totals, dates, billing) are filled only on an order's first row, as
Shopify does; `Name` and `Email` repeat on every row. A refunded order is exported again with its
new `Financial Status` and `Refunded Amount`.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cdp.sample import vietnam
from cdp.sample.people import Person

COLUMNS = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount",
    "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku",
    "Billing Name", "Billing Address1", "Billing City", "Billing Country", "Billing Phone",
    "Cancelled at", "Payment Method", "Refunded Amount", "Location", "Id", "Source",
]
_STORE_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SHIPPING_FEE = 30000


@dataclass(slots=True)
class Order:
    """One order, web or in store, and who really placed it."""

    person: Person
    created_at: datetime
    source: str  # "web" or "pos"
    lines: list[tuple[str, str, int, int]]  # sku, name, unit price, quantity
    email: str  # as typed at checkout, may be empty
    phone: str  # as typed at checkout, may be the store's own phone
    billing_name: str
    location: str
    device: str | None = None  # the browser a web order was placed from
    name: str = ""  # "#1001", given once all orders are sorted by time
    shopify_id: int = 0
    financial_status: str = "paid"
    refunded_amount: int = 0
    accepts_marketing: bool = False

    @property
    def subtotal(self) -> int:
        return sum(price * quantity for _, _, price, quantity in self.lines)

    @property
    def shipping(self) -> int:
        return SHIPPING_FEE if self.source == "web" else 0

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping


def _street_address(seed: int) -> str:
    return f"{seed % 200 + 1} {vietnam.STREETS[seed % len(vietnam.STREETS)]}"


def _money(amount: int) -> str:
    return f"{amount:.2f}"


def shopify_timestamp(moment: datetime) -> str:
    """Shopify writes the shop's local time with a +0700-style offset."""
    return moment.astimezone(_STORE_TIMEZONE).strftime("%Y-%m-%d %H:%M:%S %z")


def order_rows(order: Order) -> list[list[str]]:
    """The CSV rows of one order, in the column order of `COLUMNS`."""
    created = shopify_timestamp(order.created_at)
    rows = []
    for position, (sku, product_name, price, quantity) in enumerate(order.lines):
        first = position == 0
        rows.append([
            order.name,
            order.email,
            order.financial_status if first else "",
            created if first else "",
            ("fulfilled" if order.source == "pos" else "unfulfilled") if first else "",
            ("yes" if order.accepts_marketing else "no") if first else "",
            "VND" if first else "",
            _money(order.subtotal) if first else "",
            _money(order.shipping) if first else "",
            _money(0) if first else "",
            _money(order.total) if first else "",
            "",
            _money(0) if first else "",
            created,
            str(quantity),
            product_name,
            _money(price),
            sku,
            order.billing_name if first else "",
            _street_address(order.shopify_id) if first else "",
            order.person.city if first else "",
            "VN" if first else "",
            order.phone if first else "",
            "",
            ("Cash" if order.source == "pos" else "COD") if first else "",
            _money(order.refunded_amount) if first else "",
            order.location if first else "",
            str(order.shopify_id) if first else "",
            order.source if first else "",
        ])
    return rows
