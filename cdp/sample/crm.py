"""Contacts as HubSpot's contacts CSV export has them."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cdp.sample.people import Person

COLUMNS = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
    "City", "Country/Region", "Lifecycle Stage", "Create Date", "Last Modified Date",
    "Marketing contact status", "Contact owner", "Unsubscribed from all email",
]
LIFECYCLE_STAGES = [
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
    "customer", "evangelist",
]
_PORTAL_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_OWNERS = ["Trần Thu Hà", "Lê Minh Quân", "Phạm Ngọc Lan", ""]


@dataclass(slots=True)
class Contact:
    """One HubSpot contact record; one person may have several (duplicates)."""

    person: Person
    record_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    mobile_phone: str
    lifecycle_stage: str
    created_at: datetime
    modified_at: datetime
    is_marketing_contact: bool
    owner: str
    unsubscribed_from_all_email: bool = False


def hubspot_timestamp(moment: datetime) -> str:
    return moment.astimezone(_PORTAL_TIMEZONE).isoformat(timespec="seconds")


def contact_row(contact: Contact) -> list[str]:
    """The CSV row of one contact, in the column order of `COLUMNS`."""
    return [
        str(contact.record_id),
        contact.first_name,
        contact.last_name,
        contact.email,
        contact.phone,
        contact.mobile_phone,
        contact.person.city,
        "Vietnam",
        contact.lifecycle_stage,
        hubspot_timestamp(contact.created_at),
        hubspot_timestamp(contact.modified_at),
        "Marketing contact" if contact.is_marketing_contact else "Non-marketing contact",
        contact.owner,
        "true" if contact.unsubscribed_from_all_email else "false",
    ]


def pick_owner(roll: float) -> str:
    return _OWNERS[int(roll * len(_OWNERS))]
