"""Hand-written exports in the real formats, for scenarios a test spells out record by record."""

import csv
import json
from pathlib import Path

from cdp.sample import crm, email, pos, social

_NO_TIME = "2026-11-20T10:00:00+07:00"
SYSTEMS = ("website", "crm", "social", "pos", "email", "app")


def lay_out(folder: Path) -> Path:
    """An exports folder with every system's folder, as a deployment has (empty ones too)."""
    for system in SYSTEMS:
        (folder / system).mkdir(parents=True, exist_ok=True)
    return folder


def write_contacts(folder: Path, name: str, contacts: list[dict]) -> None:
    """HubSpot contacts; each dict gives some of crm.COLUMNS, the rest stay empty."""
    defaults = {"Create Date": _NO_TIME, "Last Modified Date": _NO_TIME,
                "Lifecycle Stage": "lead", "Marketing contact status": "Marketing contact"}
    _write_csv(folder / "crm" / name, crm.COLUMNS, [{**defaults, **row} for row in contacts])


def write_leads(folder: Path, name: str, leads: list[dict]) -> None:
    defaults = {"created_time": "2026-11-20T10:00:00+0700", "platform": "fb",
                "is_organic": "false"}
    _write_csv(folder / "social" / name, social.COLUMNS, [{**defaults, **row} for row in leads])


def write_orders(folder: Path, name: str, orders: list[dict]) -> None:
    """Shopify orders of one line each; each dict gives order-level columns."""
    defaults = {"Financial Status": "paid", "Currency": "VND", "Subtotal": "100000.00",
                "Total": "100000.00", "Refunded Amount": "0.00",
                "Created at": "2026-11-20 10:00:00 +0700", "Lineitem quantity": "1",
                "Lineitem name": "Áo thun", "Lineitem price": "100000.00", "Source": "pos"}
    _write_csv(folder / "pos" / name, pos.COLUMNS, [{**defaults, **row} for row in orders])


def write_events(folder: Path, name: str, events: list[dict]) -> None:
    path = lay_out(folder) / "website" / name
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")


def _write_csv(path: Path, columns: list[str], rows: list[dict],
               exports: Path | None = None) -> None:
    """`exports`: the exports folder, when the file is not directly in a system's folder."""
    lay_out(exports or path.parent.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


def write_mailchimp_members(folder: Path, status: str, members: list[dict],
                            list_id: str = email.LIST_ID) -> Path:
    """One Mailchimp member CSV of `status` (subscribed, unsubscribed, cleaned, nonsubscribed),
    named as Mailchimp names it; each dict gives some of that file's columns."""
    path = folder / "email" / "mailchimp" / f"{status}_members_export_{list_id}.csv"
    _write_csv(path, email.STATUS_COLUMNS[status], members, folder)
    return path


def write_mailchimp_activity(folder: Path, name: str, rows: list[dict]) -> Path:
    """Mailchimp email activity (email.ACTIVITY_COLUMNS); `email_id` defaults to Mailchimp's
    MD5 of the lower-cased address."""
    import hashlib

    filled = [{"list_id": email.LIST_ID, "email_id": hashlib.md5(
        row["email_address"].strip().lower().encode(), usedforsecurity=False).hexdigest(),
        **row} for row in rows]
    path = folder / "email" / "mailchimp_activity" / name
    _write_csv(path, email.ACTIVITY_COLUMNS, filled, folder)
    return path


def write_email_events(folder: Path, name: str, messages: list[dict]) -> Path:
    """Segment Email-spec messages as JSON lines under `email/events/`."""
    path = lay_out(folder) / "email" / "events" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(message, ensure_ascii=False) + "\n"
                            for message in messages), encoding="utf-8")
    return path


def write_zalo_events(folder: Path, name: str, events: list[dict]) -> Path:
    """Zalo OA webhook events as JSON lines under `chat/zalo/`."""
    return _write_json_lines(lay_out(folder) / "chat" / "zalo" / name, events)


def write_messenger_events(folder: Path, name: str, events: list[dict]) -> Path:
    """Messenger webhook `messaging` objects as JSON lines under `chat/messenger/`."""
    return _write_json_lines(lay_out(folder) / "chat" / "messenger" / name, events)


def _write_json_lines(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                    encoding="utf-8")
    return path


def write_app_events(folder: Path, name: str, messages: list[dict]) -> Path:
    """Segment mobile-spec messages as JSON lines under `app/`."""
    path = lay_out(folder) / "app" / name
    path.write_text("".join(json.dumps(message, ensure_ascii=False) + "\n"
                            for message in messages), encoding="utf-8")
    return path
