"""Leads as Meta's Lead Ads CSV export (Facebook and Instagram forms) has them."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from cdp.sample.people import Person

COLUMNS = [
    "id", "created_time", "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id",
    "campaign_name", "form_id", "form_name", "is_organic", "platform", "full_name", "email",
    "phone_number", "custom_disclaimer_responses",
]
_ADS_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CAMPAIGNS = [
    # campaign id, campaign name, form id, form name
    ("120210000000000001", "Tết 2026 - Ưu đãi", "880000000000001", "Đăng ký nhận voucher"),
    ("120210000000000002", "Bộ sưu tập hè", "880000000000002", "Nhận catalogue"),
    ("120210000000000003", "Khai trương cửa hàng", "880000000000003", "Đăng ký tham dự"),
]


@dataclass(slots=True)
class Lead:
    """One lead form submission."""

    person: Person
    lead_id: str  # "l:<digits>"
    created_at: datetime
    campaign: int
    platform: str  # "fb" or "ig"
    is_organic: bool
    full_name: str
    email: str
    phone: str  # Meta writes "p:+84…"
    # The form's custom disclaimer checkboxes: checkbox_key -> ticked.
    disclaimer_responses: dict[str, bool] = field(default_factory=dict)


def meta_timestamp(moment: datetime) -> str:
    """Meta writes ISO 8601 with a +0700-style offset."""
    return moment.astimezone(_ADS_TIMEZONE).strftime("%Y-%m-%dT%H:%M:%S%z")


def lead_row(lead: Lead) -> list[str]:
    """The CSV row of one lead, in the column order of `COLUMNS`."""
    campaign_id, campaign_name, form_id, form_name = CAMPAIGNS[lead.campaign]
    ad_suffix = f"{lead.campaign}{'1' if lead.platform == 'fb' else '2'}"
    return [
        lead.lead_id,
        meta_timestamp(lead.created_at),
        f"1202200000000000{ad_suffix}",
        f"{campaign_name} - {lead.platform.upper()}",
        f"1202300000000000{ad_suffix}",
        f"{campaign_name} - 18-45",
        campaign_id,
        campaign_name,
        form_id,
        form_name,
        "true" if lead.is_organic else "false",
        lead.platform,
        lead.full_name,
        lead.email,
        lead.phone,
        json.dumps([{"checkbox_key": key, "is_checked": "1" if checked else "0"}
                    for key, checked in lead.disclaimer_responses.items()])
        if lead.disclaimer_responses else "",
    ]
