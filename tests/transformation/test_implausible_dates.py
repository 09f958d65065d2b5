"""Timestamps no real record can carry (an order dated 9999-12-31, a phone whose clock says 2099,
a default of 1900) are set aside, not followed: real dlt loads and dbt builds of the sample with
and without them give every other customer the same lifecycle, RFM segment and as-of date."""

from pathlib import Path

import pytest

from cdp.testing.exports_builder import write_contacts, write_events, write_orders
from tests.helpers import build_copy_of_sample, query

# Compared between the two builds, for every customer of the build without the bad values.
CUSTOMER_FACTS = """
    select customer_id, lifecycle_status, rfm_segment, rfm_recency_score, first_seen_at,
        last_seen_at, days_since_last_seen, days_since_first_seen, days_since_last_order
    from marts.customers order by customer_id
"""


@pytest.fixture(scope="module")
def clean(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Night 1 of the sample as generated."""
    return build_copy_of_sample(sample_dir, tmp_path_factory.mktemp("clean"))


@pytest.fixture(scope="module")
def known_device(clean: Path) -> str:
    """A device the sample already knows, to which a 1900 event is added."""
    return query(clean, """
        select anonymous_id from marts.events
        where customer_id is not null order by anonymous_id limit 1""")[0][0]


@pytest.fixture(scope="module")
def with_bad_dates(sample_dir: Path, known_device: str,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same night plus a POS order dated 9999-12-31 and one dated 1900 (new buyers), a
    website event from a device whose clock says 2099 (a new device), an event dated 1900 on a
    known device, and a HubSpot contact created in 1900."""
    def add(exports: Path) -> None:
        write_orders(exports, "orders_export_2026-11-22-extra.csv", [
            {"Name": "#FUTURE-1", "Created at": "9999-12-31 00:00:00 +0700",
             "Paid at": "9999-12-31 00:00:00 +0700", "Email": "tuong.lai.9999@example.vn",
             "Billing Name": "Quách Tương Lai", "Total": "2500000.00",
             "Subtotal": "2500000.00", "Lineitem price": "2500000.00",
             "Accepts Marketing": "yes"},
            {"Name": "#PAST-1", "Created at": "1900-01-01 00:00:00 +0700",
             "Email": "qua.khu.1900@example.vn", "Billing Name": "Ông Quá Khứ",
             "Accepts Marketing": "no"},
        ])
        write_events(exports, "events-extra.jsonl", [
            {"messageId": "clock-2099", "type": "page", "anonymousId": "device-from-2099",
             "timestamp": "2099-01-01T00:00:00.000Z", "sentAt": "2099-01-01T00:00:00.100Z",
             "receivedAt": "2026-11-22T10:00:00.000Z", "properties": {"path": "/"}},
            {"messageId": "clock-1900", "type": "page", "anonymousId": known_device,
             "timestamp": "1900-01-01T00:00:00.000Z", "receivedAt": "2026-11-22T10:00:00.000Z",
             "properties": {"path": "/"}},
        ])
        write_contacts(exports, "contacts-extra.csv", [
            {"Record ID": "1900000001", "First Name": "Cổ", "Last Name": "Lê",
             "Email": "co.le.1900@example.vn", "Create Date": "1900-01-01T00:00:00+07:00",
             "Last Modified Date": "1900-01-01T00:00:00+07:00"},
        ])
    return build_copy_of_sample(sample_dir, tmp_path_factory.mktemp("bad_dates"), add)


def test_bad_dates_leave_every_other_customer_and_the_as_of_date_unchanged(clean,
                                                                           with_bad_dates):
    before = query(clean, CUSTOMER_FACTS)
    after = {row[0]: row for row in query(with_bad_dates, CUSTOMER_FACTS)}
    assert len(before) > 300
    changed = [row for row in before if after.get(row[0]) != row]
    assert changed == [], f"{len(changed)} customers changed, e.g. {changed[:3]}"

    as_of = "select distinct as_of_at from intermediate.int_customer_purchase_histories"
    assert query(with_bad_dates, as_of) == query(clean, as_of)
    histories = "select * from intermediate.int_customer_purchase_histories order by customer_id"
    assert query(with_bad_dates, histories) == query(clean, histories)
    sessions = "select * exclude (_rebuilt_at) from marts.sessions order by session_id"
    assert query(with_bad_dates, sessions) == query(clean, sessions)
    members = "select audience_name, customer_id from marts.audience_members order by all"
    assert query(with_bad_dates, members) == query(clean, members)


def test_the_bad_dates_are_listed_in_data_issues_and_their_records_kept(with_bad_dates,
                                                                        known_device):
    issues = query(with_bad_dates, """
        select source, record_id, column_name, value, reason from marts.data_issues
        where column_name in ('created_at', 'paid_at', 'timestamp', 'sent_at', 'create_date',
                              'last_modified_date')
        order by all""")
    future = "in the future: later than its load (_dlt_load_id) plus 2 days"
    past = "too old: earlier than 2000-01-01"
    assert issues == [
        ("crm", "1900000001", "create_date", "1899-12-31T17:00:00Z", past),
        ("crm", "1900000001", "last_modified_date", "1899-12-31T17:00:00Z", past),
        ("pos", "#FUTURE-1", "created_at", "9999-12-30T17:00:00Z", future),
        ("pos", "#FUTURE-1", "paid_at", "9999-12-30T17:00:00Z", future),
        ("pos", "#PAST-1", "created_at", "1899-12-31T17:00:00Z", past),
        ("website", "clock-1900", "timestamp", "1900-01-01T00:00:00Z", past),
        ("website", "clock-2099", "sent_at", "2099-01-01T00:00:00.1Z", future),
        ("website", "clock-2099", "timestamp", "2099-01-01T00:00:00Z", future),
    ]

    # The records stay: the orders count in revenue, the events in the events mart (in no
    # session), and a buyer known only by an undatable order has no lifecycle, recency or RFM.
    assert query(with_bad_dates, """
        select order_id, ordered_at, net_revenue from marts.orders
        where order_id in ('#FUTURE-1', '#PAST-1') order by order_id""") == [
        ("#FUTURE-1", None, 2500000), ("#PAST-1", None, 100000)]
    assert query(with_bad_dates, """
        select event_id, anonymous_id, occurred_at, session_id from marts.events
        where event_id in ('clock-1900', 'clock-2099') order by event_id""") == [
        ("clock-1900", known_device, None, None), ("clock-2099", "device-from-2099", None, None)]
    assert query(with_bad_dates, """
        select customers.lifecycle_status, customers.rfm_recency_score, customers.rfm_segment,
            customers.orders_count
        from marts.customers
        inner join marts.customer_records on customers.customer_id = customer_records.customer_id
        where customer_records.source = 'pos'
            and customer_records.record_id in ('#FUTURE-1', '#PAST-1')""") == [
        ("unknown", None, None, 1), ("unknown", None, None, 1)]
    # Consent stated on an undatable order: a withdrawal still holds (dated by its load), a
    # grant states nothing.
    assert query(with_bad_dates, """
        select customer_records.record_id, consents.status
        from marts.customer_consents as consents
        inner join marts.customer_records using (customer_id)
        where customer_records.source = 'pos' and consents.purpose = 'email_marketing'
            and customer_records.record_id in ('#FUTURE-1', '#PAST-1')
        order by 1""") == [("#FUTURE-1", "unknown"), ("#PAST-1", "withdrawn")]
