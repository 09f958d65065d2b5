"""Identity hazards real data has, each on a small hand-made export: real dlt loads and dbt
builds. None of them relies on a placeholder name or a number format to be caught."""

from click.testing import CliRunner

from cdp.cli.main import main
from cdp.testing.exports_builder import write_contacts, write_events, write_orders
from tests.helpers import customer_of, query, run_ingest, run_transform

HOUSEHOLD_PHONE = "0912 345 678"


def test_a_household_phone_links_each_person_to_their_own_records(tmp_path, warehouse):
    exports = tmp_path / "exports"
    # Three people under one phone; one of them writes her name four ways.
    write_contacts(exports, "contacts.csv", [
        {"Record ID": "1", "First Name": "Văn An", "Last Name": "Nguyễn",
         "Phone Number": HOUSEHOLD_PHONE, "Email": "an@gmail.com"},
        {"Record ID": "2", "First Name": "Thị Bình", "Last Name": "Trần",
         "Phone Number": HOUSEHOLD_PHONE},
        {"Record ID": "3", "First Name": "Minh Khoa", "Last Name": "Nguyễn",
         "Phone Number": HOUSEHOLD_PHONE},
    ])
    write_orders(exports, "orders.csv", [
        {"Name": "#1", "Billing Name": "Nguyễn An", "Billing Phone": HOUSEHOLD_PHONE},
        {"Name": "#2", "Billing Name": "An Nguyen", "Billing Phone": "+84912345678"},
        {"Name": "#3", "Billing Name": "NGUYN VAN AN", "Billing Phone": "84912345678"},
        {"Name": "#4", "Billing Name": "Tran Thi Binh", "Billing Phone": HOUSEHOLD_PHONE},
        {"Name": "#5", "Billing Name": "Nguyễn Minh Khoa", "Billing Phone": HOUSEHOLD_PHONE},
        # Nobody can say whose this one is: it joins no one through the phone.
        {"Name": "#6", "Billing Name": "", "Billing Phone": HOUSEHOLD_PHONE},
    ])
    run_ingest(exports, warehouse)

    run_transform(warehouse)

    an = {customer_of(warehouse, source, record) for source, record in [
        ("crm", "1"), ("pos", "#1"), ("pos", "#2"), ("pos", "#3")]}
    binh = {customer_of(warehouse, "crm", "2"), customer_of(warehouse, "pos", "#4")}
    khoa = {customer_of(warehouse, "crm", "3"), customer_of(warehouse, "pos", "#5")}
    assert len(an) == len(binh) == len(khoa) == 1
    assert len(an | binh | khoa) == 3
    assert customer_of(warehouse, "pos", "#6") not in an | binh | khoa
    assert query(warehouse, """
        select refusal from intermediate.int_identity_links_refused
        where record_key = 'pos:#6' and identifier_type = 'phone'
    """) == [("shared by several people",)]

    # An analyst asks about the phone without reading SQL (the marts of the warehouse stand in
    # for the published file here).
    explained = CliRunner().invoke(main, ["explain", "--phone", "0912345678",
                                          "--published", str(warehouse)], terminal_width=200)
    assert explained.exit_code == 0, explained.output
    assert explained.output.count("records (") == 4  # An, Bình, Khoa and the unnamed order
    assert "shared value, same person's name (one of 3 people using it)" in explained.output
    assert "pos:#6" in explained.output and "used by 3 people under different names" in \
        explained.output
    [an_customer] = an
    explained = CliRunner().invoke(main, ["explain", "--customer-id", an_customer,
                                          "--published", str(warehouse)], terminal_width=200)
    assert explained.output.startswith(f"{an_customer} — 4 records (1 crm, 3 pos)")


def test_a_store_phone_typed_with_no_name_and_no_email_joins_nobody(tmp_path, warehouse):
    exports = tmp_path / "exports"
    store_phone = "0903 112 233"  # a mobile, not a landline: nothing in its format gives it away
    write_orders(exports, "orders.csv", [
        {"Name": f"#{number}", "Billing Name": "", "Billing Phone": store_phone}
        for number in range(1, 13)
    ] + [
        # The store's phone with real names too: different people, not one.
        {"Name": "#20", "Billing Name": "Lê Văn Tám", "Billing Phone": store_phone},
        {"Name": "#21", "Billing Name": "Phạm Thu Hà", "Billing Phone": store_phone},
    ])
    run_ingest(exports, warehouse)

    run_transform(warehouse)

    assert query(warehouse, "select count(*) from marts.customers") == [(14,)]
    [(rules, reason)] = query(warehouse, """
        select rules, reason from marts.identity_exclusions where identifier_value = '+84903112233'
    """)
    assert rules == "frequency" and "on 12 orders with no usable name" in reason


def test_a_shared_computer_links_at_most_two_accounts(tmp_path, warehouse):
    """A browser several account holders log in on (a family or internet-café PC): a customer
    holds at most `max_identifiers_per_customer.user_id` accounts; further links are refused."""
    exports = tmp_path / "exports"
    write_events(exports, "events.jsonl", [
        {"messageId": f"m{number}", "type": "identify", "anonymousId": "shared-pc",
         "userId": f"user-{number}", "timestamp": f"2026-11-2{number}T01:00:00Z",
         "traits": {}}
        for number in range(1, 5)
    ] + [
        {"messageId": f"own{number}", "type": "identify", "anonymousId": f"own-device-{number}",
         "userId": f"user-{number}", "timestamp": "2026-11-10T01:00:00Z", "traits": {}}
        for number in range(1, 5)
    ])
    run_ingest(exports, warehouse)

    run_transform(warehouse)

    accounts = query(warehouse, """
        select customer_id, count(*) from marts.identity_graph
        where identifier_type = 'user_id' group by customer_id order by 2 desc""")
    assert accounts[0][1] == 2
    assert query(warehouse, """
        select count(*) from intermediate.int_identity_links_refused
        where refusal = 'over a cardinality limit' and identifier_type = 'user_id'
    """) == [(2,)]


def test_an_override_splits_a_bad_merge_with_stable_ids_and_logs_the_split(tmp_path,
                                                                          warehouse):
    exports = tmp_path / "exports"
    write_contacts(exports, "contacts.csv", [
        {"Record ID": "1", "First Name": "Văn An", "Last Name": "Nguyễn",
         "Phone Number": "0912 000 111", "Email": "an.nguyen@gmail.com",
         "Create Date": "2025-01-01T08:00:00+07:00"},
    ])
    write_orders(exports, "orders.csv", [
        {"Name": "#1", "Billing Name": "Nguyễn Văn An", "Billing Phone": "0912 000 111",
         "Created at": "2026-03-01 10:00:00 +0700"},
        # The same inbox, typed by someone else at the counter: a bad merge to undo.
        {"Name": "#2", "Billing Name": "Nguyễn Văn An", "Email": "an.nguyen@gmail.com",
         "Created at": "2026-02-01 10:00:00 +0700"},
        # Her latest order is in capitals; an older one is written properly.
        {"Name": "#3", "Billing Name": "ĐỖ NGỌC HOA", "Billing Phone": "0988 111 222",
         "Created at": "2026-05-01 10:00:00 +0700"},
        {"Name": "#4", "Billing Name": "Đỗ Ngọc Hoa", "Billing Phone": "0977 333 444",
         "Created at": "2026-04-01 10:00:00 +0700"},
    ])
    run_ingest(exports, warehouse)
    run_transform(warehouse)
    an = customer_of(warehouse, "crm", "1")
    assert customer_of(warehouse, "pos", "#2") == an
    assert customer_of(warehouse, "pos", "#3") != customer_of(warehouse, "pos", "#4")

    # An analyst separates order #2 from the contact, and says #3 and #4 are one person.
    overrides = tmp_path / "overrides.csv"
    overrides.write_text(
        "action,record_or_identifier,other_record,reason\n"
        "never_link,crm:1,pos:#2,another person at the counter (ticket 7)\n"
        "always_link,pos:#3,pos:#4,same customer (confirmed by phone)\n", encoding="utf-8")
    run_transform(warehouse, {"identity_overrides_csv": str(overrides)})

    # The part with the oldest record keeps the id; the part split off gets its own record's.
    assert customer_of(warehouse, "crm", "1") == customer_of(warehouse, "pos", "#1") == an
    split_off = customer_of(warehouse, "pos", "#2")
    assert split_off != an
    assert query(warehouse, "select split_customer_id, new_customer_id, records_moved "
                            "from marts.customer_splits") == [(an, split_off, 1)]
    hoa = customer_of(warehouse, "pos", "#3")
    assert customer_of(warehouse, "pos", "#4") == hoa
    # The golden record writes the name as her best-written record does.
    assert query(warehouse, "select full_name from marts.customers where customer_id = ?",
                 [hoa]) == [("Đỗ Ngọc Hoa",)]
    assert query(warehouse, """
        select link_rule from marts.identity_links
        where source = 'pos' and record_id = '#3' and identifier_type = 'override'
    """) == [("override: always link (same customer (confirmed by phone))",)]

    # Why the order is apart: the link the override refused, with the analyst's reason.
    explained = CliRunner().invoke(main, ["explain", "--customer-id", split_off,
                                          "--published", str(warehouse)], terminal_width=250)
    assert "override: never link two of its records (another person at the counter" \
        in explained.output

    # Overriding an identifier instead: the inbox links nobody, with the analyst's reason.
    overrides.write_text(
        "action,record_or_identifier,other_record,reason\n"
        "never_link,email:An.Nguyen@Gmail.com,,an inbox the shop types for walk-ins\n",
        encoding="utf-8")
    run_transform(warehouse, {"identity_overrides_csv": str(overrides)})
    assert query(warehouse, """
        select rules, reason from marts.identity_exclusions
        where identifier_value = 'annguyen@gmail.com'
    """) == [("override", "override: an inbox the shop types for walk-ins")]
    assert customer_of(warehouse, "pos", "#2") == split_off
