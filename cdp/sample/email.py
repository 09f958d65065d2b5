"""Email marketing as the tools export it: Mailchimp's member CSVs (one file per status) and its
email-activity CSV, and Segment Email-spec events from a second, local email tool.

The hazards real lists have: people subscribed under another address than the one the CRM
holds, family inboxes (one address, one member, several people), unsubscribes, spam
complaints, hard and soft bounces, a member unsubscribed in one tool and subscribed in the
other, times without a zone (Mailchimp writes "2026-11-22 10:00:00"), and events sent with the
Email spec's legacy snake-case keys.
"""

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cdp.sample.people import Person
from cdp.sample.website import segment_timestamp

LIST_ID = "0e633f6c70"
MEMBER_COLUMNS = [
    "Email Address", "First Name", "Last Name", "Phone Number", "MEMBER_RATING", "OPTIN_TIME",
    "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION",
    "LAST_CHANGED", "LEID", "EUID", "NOTES", "TAGS",
]
# The unsubscribed file keeps LAST_CHANGED; the cleaned one has its CLEAN_* block in its place
# (both layouts are seen in real exports).
UNSUBSCRIBED_COLUMNS = [
    *MEMBER_COLUMNS[:-4], "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID",
    "UNSUB_REASON", "UNSUB_REASON_OTHER", "LEID", "EUID", "NOTES", "TAGS"]
CLEANED_COLUMNS = [
    *MEMBER_COLUMNS[:-5], "CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID", "LEID",
    "EUID", "NOTES", "TAGS"]
ACTIVITY_COLUMNS = ["campaign_id", "list_id", "email_id", "email_address", "action", "type",
                    "timestamp", "url", "ip"]
STATUS_COLUMNS = {"subscribed": MEMBER_COLUMNS, "unsubscribed": UNSUBSCRIBED_COLUMNS,
                  "cleaned": CLEANED_COLUMNS, "nonsubscribed": MEMBER_COLUMNS}
_UNSUB_REASONS = ["I no longer want to receive these emails", "The emails are spam",
                  "I never signed up for this mailing list", "Other"]
LINKS = ["https://shop.example.vn/collections/ao", "https://shop.example.vn/pages/khuyen-mai",
          "https://shop.example.vn/collections/giay"]


@dataclass(slots=True)
class Campaign:
    campaign_id: str
    title: str
    sent_at: datetime


@dataclass(slots=True)
class Member:
    """One Mailchimp audience member: one address on the list, one person's."""

    person: Person
    euid: str
    leid: int
    address: str  # as typed when subscribing
    first_name: str
    last_name: str
    phone: str
    opted_in_at: datetime
    status: str = "subscribed"  # subscribed | unsubscribed | cleaned | nonsubscribed
    changed_at: datetime | None = None  # when the status last changed
    open_rate: float = 0.3

    @property
    def email_id(self) -> str:
        return hashlib.md5(self.address.strip().lower().encode(), usedforsecurity=False).hexdigest()


@dataclass(slots=True)
class Activity:
    member: Member
    campaign: Campaign
    action: str  # open | click | bounce
    at: datetime
    bounce_type: str = ""


@dataclass(slots=True)
class EspContact:
    """A contact of the second email tool, which sends Segment Email-spec events."""

    person: Person
    user_id: str
    address: str
    legacy_keys: bool = False  # sends user_id / action, as the spec's own examples
    stopped: bool = False  # bounced, complained or unsubscribed: sent nothing more
    events: list[tuple[str, datetime, dict]] = field(default_factory=list)


def mailchimp_time(moment: datetime | None) -> str:
    """Mailchimp writes times without a zone; the sample's account is on UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def member_row(member: Member, status: str, rng: random.Random) -> list[str]:
    """The CSV row of one member in the file of `status`, in that file's column order."""
    row = {
        "Email Address": member.address, "First Name": member.first_name,
        "Last Name": member.last_name, "Phone Number": member.phone,
        "MEMBER_RATING": str(1 + int(member.open_rate * 5) if member.open_rate < 0.8 else 5),
        "OPTIN_TIME": mailchimp_time(member.opted_in_at),
        "OPTIN_IP": f"14.{rng.randrange(160, 192)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        "CONFIRM_TIME": mailchimp_time(member.opted_in_at + timedelta(minutes=3)),
        "CONFIRM_IP": "", "GMTOFF": "7", "DSTOFF": "7", "TIMEZONE": "Asia/Ho_Chi_Minh",
        "CC": "VN", "REGION": "", "LAST_CHANGED": mailchimp_time(
            member.changed_at or member.opted_in_at),
        "LEID": str(member.leid), "EUID": member.euid, "NOTES": "",
        "TAGS": '"Khách hàng"' if rng.random() < 0.3 else "",
        "UNSUB_TIME": mailchimp_time(member.changed_at),
        "UNSUB_CAMPAIGN_TITLE": "", "UNSUB_CAMPAIGN_ID": "",
        "UNSUB_REASON": rng.choice(_UNSUB_REASONS), "UNSUB_REASON_OTHER": "",
        "CLEAN_TIME": mailchimp_time(member.changed_at), "CLEAN_CAMPAIGN_TITLE": "",
        "CLEAN_CAMPAIGN_ID": "",
    }
    return [row[column] for column in STATUS_COLUMNS[status]]


def activity_row(activity: Activity, rng: random.Random) -> list[str]:
    member = activity.member
    return [
        activity.campaign.campaign_id, LIST_ID, member.email_id, member.address.strip().lower(),
        activity.action, activity.bounce_type, mailchimp_time(activity.at),
        rng.choice(LINKS) if activity.action == "click" else "",
        f"113.{rng.randrange(160, 192)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
    ]


def esp_messages(contact: EspContact, rng: random.Random) -> list[dict]:
    """The contact's Email-spec events as Segment track calls."""
    messages = []
    for event, moment, properties in contact.events:
        message = {
            "messageId": f"esp-{rng.getrandbits(64):016x}",
            "type": "track",
            "userId": contact.user_id,
            "event": event,
            "timestamp": segment_timestamp(moment),
            "receivedAt": segment_timestamp(moment + timedelta(seconds=rng.randrange(1, 90))),
            "properties": properties,
            "context": {"traits": {"email": contact.address},
                        "library": {"name": "local-esp-webhook", "version": "2.1"}},
        }
        if contact.legacy_keys:
            message["user_id"] = message.pop("userId")
            message["action"] = message.pop("type")
        messages.append(message)
    return messages
