"""Website events as Segment's spec has them (analytics.js identify / track / page calls)."""

import random
from datetime import datetime, timedelta

from cdp.sample import vietnam
from cdp.sample.people import Person, new_uuid, render_email, render_phone
from cdp.sample.pos import Order

_PAGES = [
    ("/", "Trang chủ"), ("/collections/ao", "Áo"), ("/collections/quan", "Quần"),
    ("/collections/giay", "Giày"), ("/pages/khuyen-mai", "Khuyến mãi"),
    ("/blogs/tin-tuc", "Tin tức"),
]
_USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 Chrome/124.0 Mobile",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4",
]
_CAMPAIGNS = [
    {"source": "facebook", "medium": "cpc", "name": "tet_sale"},
    {"source": "google", "medium": "cpc", "name": "brand"},
    {"source": "zalo", "medium": "social", "name": "zalo_oa"},
    {"source": "newsletter", "medium": "email", "name": "weekly"},
]
SITE = "https://shop.example.vn"


def segment_timestamp(moment: datetime) -> str:
    """analytics.js sends ISO 8601 in UTC with milliseconds and a Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def session_messages(
    rng: random.Random,
    person: Person,
    device: str,
    start: datetime,
    identify: bool,
    order: Order | None,
    consent: dict[str, bool] | None = None,
    consent_changed: bool = False,
) -> list[dict]:
    """One browsing session of a device: pages and product views, maybe a login and an order.
    With Segment Consent Management every message carries the device's category preferences
    in `context.consent`; a change of mind is a `Segment Consent Preference Updated` event."""
    context = {
        "ip": f"14.{rng.randrange(160, 192)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        "userAgent": rng.choice(_USER_AGENTS),
        "library": {"name": "analytics.js", "version": "5.2.0"},
        "locale": "vi-VN",
    }
    if rng.random() < 0.3:
        context["campaign"] = rng.choice(_CAMPAIGNS)
    if consent is not None:
        context["consent"] = {"categoryPreferences": consent}
    messages: list[dict] = []
    moment = start
    user_id: str | None = None

    def message(kind: str, **fields: object) -> None:
        nonlocal moment
        moment += timedelta(seconds=rng.randrange(5, 240), milliseconds=rng.randrange(1000))
        path, title = fields.pop("page", rng.choice(_PAGES))
        page = {"path": path, "url": SITE + path, "title": title, "referrer": ""}
        received = moment + timedelta(milliseconds=rng.randrange(50, 3000))
        messages.append({
            "messageId": f"ajs-next-{new_uuid(rng)}",
            "type": kind,
            "anonymousId": device,
            "userId": user_id,
            **fields,
            "context": {**context, "page": page},
            "timestamp": segment_timestamp(moment),
            "receivedAt": segment_timestamp(received),
        })

    message("page", name="Home", properties={"path": "/"}, page=_PAGES[0])
    if consent_changed:
        message("track", event="Segment Consent Preference Updated", properties={})
    for _ in range(1 + (rng.random() < 0.5)):
        sku, product_name, price = rng.choice(vietnam.PRODUCTS)
        message("page", name="Product", properties={"path": f"/products/{sku.lower()}"})
        message("track", event="Product Viewed", properties={
            "product_id": sku, "name": product_name, "price": price, "currency": "VND",
        })
    if identify and person.user_id:
        user_id = person.user_id
        traits = {"email": render_email(rng, person.emails[0]), "name": person.full_name}
        if rng.random() < 0.6:
            traits["phone"] = render_phone(rng, person.phone)
        message("identify", traits=traits)
    if order is not None:
        products = [
            {"product_id": sku, "sku": sku, "name": name, "price": price, "quantity": quantity}
            for sku, name, price, quantity in order.lines
        ]
        message("track", event="Order Completed", properties={
            "order_id": order.name,
            "revenue": order.subtotal,
            "total": order.total,
            "currency": "VND",
            "products": products,
        })
    return messages
