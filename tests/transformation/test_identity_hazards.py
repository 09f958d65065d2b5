"""Identity hazards real data has, each on a small hand-made export: real dlt loads and dbt
builds. None of them relies on a placeholder name or a number format to be caught."""

from click.testing import CliRunner

from orchestration.cli import main
from tests.conftest import customer_of, query, run_ingest, run_transform
from tests.exports_builder import write_contacts, write_events, write_orders

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
