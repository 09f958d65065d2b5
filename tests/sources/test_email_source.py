"""Email marketing on real loads and builds (one warehouse: tests/sources/conftest.py): each
format loads and sets its bad lines aside, channel subscription state is the latest statement of
every email source, and no email audience ever reaches an unsubscribed, complained or
hard-bounced address, each exclusion counted."""

from pathlib import Path

from cdp.testing.exports_builder import (
    write_contacts,
    write_email_events,
    write_mailchimp_activity,
    write_mailchimp_members,
)
from tests.helpers import query

# Everyone below has a CRM contact that is a Marketing contact since January (email marketing
# granted), then states something else in an email tool later in the year.
DOMAIN = "channel-test.vn"
PEOPLE = {
    "subscribed": "Trần Thị Lan",
    "unsubscribed": "Lê Văn Hùng",
    "complained": "Phạm Minh Tuấn",
    "bounced": "Võ Thị Mai",
    "soft_bounced": "Đặng Quốc Bảo",
    "resubscribed": "Bùi Thị Hạnh",
    "only_opened": "Hồ Văn Nam",
}
AUDIENCE = "Channel test by email"
ADS_AUDIENCE = "Channel test for ads"


def _address(key: str) -> str:
    return f"{key.replace('_', '.')}@{DOMAIN}"


def _member(key: str, **columns: str) -> dict:
    family, _, given = PEOPLE[key].rpartition(" ")
    return {"Email Address": _address(key).upper() if key == "unsubscribed" else _address(key),
            "First Name": given, "Last Name": family, "EUID": f"e{abs(hash(key)) % 10**9:09d}",
            "LEID": "1", "OPTIN_TIME": "2026-02-01 09:00:00",
            "CONFIRM_TIME": "2026-02-01 09:05:00", "LAST_CHANGED": "2026-02-01 09:05:00",
            **columns}


def _segment(message_id: str, key: str, event: str, at: str, **properties: str) -> dict:
    return {"messageId": message_id, "type": "track", "userId": f"esp-{key}", "event": event,
            "timestamp": at, "properties": {"campaign_id": "c-7", **properties},
            "context": {"traits": {"email": _address(key)}}}


def lay_out_channel_scenarios(exports: Path) -> None:
    write_contacts(exports, "hubspot-channel-test.csv", [
        {"Record ID": str(99_000_001 + number), "First Name": name.rpartition(" ")[2],
         "Last Name": name.rpartition(" ")[0], "Email": _address(key),
         "Create Date": "2026-01-05T10:00:00+07:00",
         "Last Modified Date": "2026-01-05T10:00:00+07:00",
         # Hồ Văn Nam is no marketing contact: opening an email never makes him one.
         "Marketing contact status": "Non-marketing contact" if key == "only_opened"
         else "Marketing contact"}
        for number, (key, name) in enumerate(PEOPLE.items())])
    write_mailchimp_members(exports, "subscribed", [
        _member("subscribed"), _member("complained"), _member("soft_bounced"),
        _member("only_opened"), _member("bounced"),
        # Unsubscribed in the other tool in May, subscribed again in Mailchimp in July.
        _member("resubscribed", OPTIN_TIME="2026-07-01 08:00:00",
                CONFIRM_TIME="2026-07-01 08:01:00", LAST_CHANGED="2026-07-01 08:01:00"),
        # A bad line: no EUID, the member's key.
        {"Email Address": f"nokey@{DOMAIN}", "First Name": "Không", "EUID": ""},
    ])
    write_mailchimp_members(exports, "unsubscribed", [
        _member("unsubscribed", UNSUB_TIME="2026-06-10 12:00:00",
                UNSUB_REASON="I no longer want to receive these emails"),
    ])
    write_mailchimp_activity(exports, "email_activity_2026-11.csv", [
        {"campaign_id": "c-7", "email_address": _address("only_opened"), "action": "open",
         "timestamp": "2026-06-01 10:00:00"},
        {"campaign_id": "c-7", "email_address": _address("only_opened"), "action": "click",
         "timestamp": "2026-06-01 10:01:00", "url": "https://shop.example.vn/"},
        {"campaign_id": "c-7", "email_address": _address("bounced"), "action": "bounce",
         "type": "hard", "timestamp": "2026-06-01 08:00:00"},
        {"campaign_id": "c-7", "email_address": _address("soft_bounced"), "action": "bounce",
         "type": "soft", "timestamp": "2026-06-01 08:00:00"},
        {"campaign_id": "c-7", "email_address": _address("subscribed"), "action": "open",
         "timestamp": "2026-06-02 21:00:00"},
    ])
    # A bad line: a row with more fields than the header.
    activity = exports / "email" / "mailchimp_activity" / "email_activity_2026-11.csv"
    activity.write_text(activity.read_text(encoding="utf-8")
                        + "c-7,x,y,z,open,,2026-06-03 10:00:00,,1.2.3.4,extra,fields\n",
                        encoding="utf-8")
    events = [
        _segment("m-1", "complained", "Email Delivered", "2026-08-01T02:00:00.000Z"),
        _segment("m-2", "complained", "Email Marked as Spam", "2026-08-01T03:00:00.000Z"),
        _segment("m-3", "resubscribed", "Unsubscribed", "2026-05-01T03:00:00.000Z",
                 list_id="newsletter"),
    ]
    # The spec's own examples spell the keys the legacy way: read all the same.
    legacy = _segment("m-4", "subscribed", "Email Opened", "2026-08-02T03:00:00.000Z")
    legacy["user_id"] = legacy.pop("userId")
    legacy["action"] = legacy.pop("type")
    path = write_email_events(exports, "esp-2026-11.jsonl", [*events, legacy])
    # A bad line: not JSON at all.
    path.write_text(path.read_text(encoding="utf-8") + '{"messageId": "m-5", "event": \n',
                    encoding="utf-8")
    # Files the loader does not read, each listed with the reason.
    (exports / "email" / "mailchimp" / "members.csv").write_text("Email Address,EUID\n")
    (exports / "email" / "notes.txt").write_text("exported by hand\n")


AUDIENCES = {"audiences": [
    {"name": AUDIENCE, "condition": f"email like '%@{DOMAIN}'",
     "consent_purpose": "email_marketing", "destinations": ["csv"]},
    {"name": ADS_AUDIENCE, "condition": f"email like '%@{DOMAIN}'",
     "consent_purpose": "advertising", "destinations": ["meta"]},
]}


def test_each_email_format_loads_and_sets_its_bad_line_aside_with_the_reason(channel_warehouse):
    warehouse, report = channel_warehouse

    ours = f"lower(email_address) like '%@{DOMAIN}'"
    assert query(warehouse, f"select count(*) from raw_email.mailchimp_members where {ours}"
                 ) == [(7,)]
    assert query(warehouse, f"select count(*) from raw_email.mailchimp_activity where {ours}"
                 ) == [(5,)]
    assert query(warehouse, "select count(*) from raw_email.events "
                            "where message_id like 'm-%'") == [(4,)]
    set_aside = query(warehouse, """
        select source_file, line_number, reason from raw_email.quarantine order by 1""")
    reasons = {file.rsplit("/", 1)[-1]: (line, reason) for file, line, reason in set_aside}
    assert reasons["subscribed_members_export_0e633f6c70.csv"] == (8, "missing EUID")
    assert reasons["email_activity_2026-11.csv"][0] == 7
    assert "more fields than the header" in reasons["email_activity_2026-11.csv"][1]
    assert reasons["esp-2026-11.jsonl"][0] == 5
    [email] = [system for system in report.systems if system.system == "email"]
    ignored = {file.source_file: file.detail for file in email.files if file.status == "ignored"}
    assert "subscribed_members_export*" in ignored["email/mailchimp/members.csv"]
    outside = {file.relative_path: file.reason for file in report.ignored_outside}
    assert "email/mailchimp/" in outside["email/notes.txt"]


def test_the_member_status_comes_from_the_file_name_and_times_from_the_account_zone(
        channel_warehouse):
    warehouse, _ = channel_warehouse

    rows = dict(query(warehouse, f"""
        select email_normalized, member_status || ' ' || cast(opted_in_at as varchar)
        from staging.stg_email__mailchimp_members where email_normalized like '%@{DOMAIN}'"""))
    assert rows[_address("unsubscribed")].startswith("unsubscribed 2026-02-01 09:00:00")
    assert rows[_address("subscribed")].startswith("subscribed 2026-02-01 09:00:00")


def test_channel_status_is_the_latest_statement_of_every_email_source(channel_warehouse):
    warehouse, _ = channel_warehouse

    status = dict(query(warehouse, f"""
        select address, status from marts.customer_channel_status
        where address like '%@{DOMAIN}'"""))
    assert status == {
        _address("subscribed"): "subscribed",
        _address("unsubscribed"): "unsubscribed",  # written in capitals: the same mailbox
        _address("complained"): "complained",  # Mailchimp subscribed, then spam elsewhere
        _address("bounced"): "cleaned",  # a hard bounce after the subscription
        _address("soft_bounced"): "subscribed",  # a soft bounce states nothing
        _address("resubscribed"): "subscribed",  # unsubscribed in May, subscribed in July
        _address("only_opened"): "subscribed",
    }


def test_an_unsubscribe_or_complaint_withdraws_consent_a_bounce_or_an_open_grants_nothing(
        channel_warehouse):
    warehouse, _ = channel_warehouse

    consent = dict(query(warehouse, f"""
        select email, consent_email_marketing from marts.customers
        where email like '%@{DOMAIN}'"""))
    assert consent[_address("unsubscribed")] == "withdrawn"
    assert consent[_address("complained")] == "withdrawn"
    assert consent[_address("bounced")] == "granted"  # undeliverable, not withdrawn
    assert consent[_address("resubscribed")] == "granted"
    # Mailchimp lists him as subscribed (a statement); his CRM contact said no before it. The
    # opens and clicks themselves state nothing.
    statements = query(warehouse, """
        select statement from marts.customer_consents
        where purpose = 'email_marketing' and customer_id = (
            select customer_id from marts.customers where email = ?)""",
                       [_address("only_opened")])
    assert all("open" not in row[0] and "click" not in row[0] for row in statements)


def test_no_email_audience_reaches_a_blocked_address_and_each_exclusion_is_counted(
        channel_warehouse):
    warehouse, _ = channel_warehouse

    members = {row[0] for row in query(warehouse, """
        select lower(email) from marts.audience_members where audience_name = ?""", [AUDIENCE])}
    assert members == {_address("subscribed"), _address("soft_bounced"),
                       _address("resubscribed"), _address("only_opened")}
    [summary] = query(warehouse, """
        select selected_count, members_count, excluded_unsubscribed_count,
            excluded_complained_count, excluded_bounced_count, excluded_without_consent_count
        from marts.audience_summaries where audience_name = ?""", [AUDIENCE])
    assert summary == (7, 4, 1, 1, 1, 0)
    # An address's email status is no reason to leave someone out of an ads audience.
    [ads] = query(warehouse, """
        select excluded_unsubscribed_count + excluded_complained_count + excluded_bounced_count
        from marts.audience_summaries where audience_name = ?""", [ADS_AUDIENCE])
    assert ads == (0,)


def test_engagement_is_in_the_profile(channel_warehouse):
    warehouse, _ = channel_warehouse

    [row] = query(warehouse, """
        select emails_received_count, emails_opened_count, emails_clicked_count,
            last_email_engagement_at is not null
        from marts.customers where email = ?""", [_address("only_opened")])
    assert row == (1, 1, 1, True)
    [row] = query(warehouse, """
        select emails_received_count, emails_opened_count from marts.customers
        where email = ?""", [_address("bounced")])
    assert row == (0, 0)
