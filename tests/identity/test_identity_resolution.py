"""Identity resolution on hand-written exports: real dlt loads and real dbt builds."""

import pytest

from cdp.testing.exports_builder import write_contacts, write_leads, write_orders
from tests.helpers import customer_of, query, run_ingest, run_transform


@pytest.mark.parametrize("engine", ["python", "sql"])
def test_a_chain_of_shared_identifiers_is_one_customer(tmp_path, warehouse, engine):
    exports = tmp_path / "exports"
    # A and B share an email; B and C share a phone; C and D share an email. A and D share
    # nothing, yet all four are one person.
    write_contacts(exports, "contacts.csv", [
        {"Record ID": "1", "First Name": "Văn Anh", "Last Name": "Nguyễn",
         "Email": "anh.nguyen@gmail.com"},
    ])
    write_leads(exports, "leads.csv", [
        {"id": "l:1", "full_name": "Nguyen Van Anh", "email": "AnhNguyen@gmail.com ",
         "phone_number": "p:+84912345678"},
    ])
    write_orders(exports, "orders.csv", [
        {"Name": "#1001", "Billing Name": "NGUYỄN VĂN ANH", "Billing Phone": "0912 345 678",
         "Email": "anh@work.vn"},
        {"Name": "#1002", "Billing Name": "Nguyễn Văn Anh", "Email": "ANH@work.vn"},
        {"Name": "#1003", "Billing Name": "Trần Thị Hoa", "Email": "hoa@yahoo.com"},
    ])
    run_ingest(exports, warehouse)

    run_transform(warehouse, {"identity_engine": engine})

    chain = {customer_of(warehouse, source, record) for source, record in [
        ("crm", "1"), ("social", "l:1"), ("pos", "#1001"), ("pos", "#1002")]}
    assert len(chain) == 1
    assert customer_of(warehouse, "pos", "#1003") not in chain
    assert query(warehouse, "select count(*) from marts.customers") == [(2,)]


def test_junk_and_shared_values_join_nobody(tmp_path, warehouse):
    exports = tmp_path / "exports"
    store_phone = "028 3823 4567"
    write_contacts(exports, "contacts.csv", [
        {"Record ID": str(number), "First Name": name, "Last Name": "Lê",
         "Email": "test@test.com", "Phone Number": "0000000000"}
        for number, name in [(1, "Anh"), (2, "Bình"), (3, "Chi")]
    ])
    # Walk-in customers: the cashier typed the store's own phone, and no name or a placeholder.
    write_orders(exports, "orders.csv", [
        {"Name": f"#{1000 + number}", "Billing Name": ["Khách lẻ", "", "Chị"][number % 3],
         "Billing Phone": store_phone, "Email": f"walkin{number}@gmail.com"}
        for number in range(8)
    ])
    run_ingest(exports, warehouse)

    run_transform(warehouse)

    assert query(warehouse, "select count(*) from marts.customers") == [(11,)]
    exclusions = dict(query(warehouse, """
        select identifier_value, reason from marts.identity_exclusions"""))
    assert exclusions["test@test.com"].startswith("blocklist: placeholder email")
    # "0000000000" is no phone number at all (libphonenumber's patterns): it never becomes an
    # identifier, and the value is set aside as a data issue instead.
    assert "+84000000000" not in exclusions
    assert query(warehouse, """
        select count(*), any_value(reason) from marts.data_issues
        where source = 'crm' and column_name = 'phone_number'
    """) == [(3, "not a valid phone number")]
    assert exclusions["+842838234567"].startswith(
        "used far beyond one person: on 8 orders with no usable name (limit 5")
    assert query(warehouse, """
        select rules, records_count, customers_count from marts.identity_exclusions
        where identifier_value = '+842838234567'""") == [("frequency", 8, 8)]
    # Nobody's golden record shows the store's phone or the placeholder email.
    assert query(warehouse, """
        select count(*) from marts.customers
        where phone = '+842838234567' or email = 'test@test.com'""") == [(0,)]


def test_ids_are_stable_across_reruns_and_as_records_join(tmp_path, warehouse):
    exports = tmp_path / "exports"
    write_contacts(exports, "contacts-1.csv", [
        {"Record ID": "1", "First Name": "Văn Anh", "Last Name": "Nguyễn",
         "Email": "anh@gmail.com", "Phone Number": "0912345678"},
    ])
    run_ingest(exports, warehouse)
    run_transform(warehouse)
    first_id = customer_of(warehouse, "crm", "1")

    run_transform(warehouse)
    assert customer_of(warehouse, "crm", "1") == first_id

    write_orders(exports, "orders-2.csv", [
        {"Name": "#1001", "Billing Name": "Nguyễn Văn Anh", "Billing Phone": "+84912345678"},
    ])
    run_ingest(exports, warehouse)
    run_transform(warehouse)

    assert customer_of(warehouse, "crm", "1") == first_id
    assert customer_of(warehouse, "pos", "#1001") == first_id
    assert query(warehouse, "select count(*) from marts.customer_merges") == [(0,)]


def test_a_merge_keeps_the_older_id_and_is_logged(tmp_path, warehouse):
    exports = tmp_path / "exports"
    write_contacts(exports, "contacts-1.csv", [
        {"Record ID": "1", "First Name": "Văn Anh", "Last Name": "Nguyễn",
         "Email": "anh@gmail.com", "Create Date": "2025-01-01T09:00:00+07:00"},
    ])
    write_leads(exports, "leads-1.csv", [
        {"id": "l:7", "full_name": "Nguyễn Văn Anh", "phone_number": "p:+84912345678",
         "created_time": "2026-03-01T09:00:00+0700"},
    ])
    run_ingest(exports, warehouse)
    run_transform(warehouse)
    older, younger = customer_of(warehouse, "crm", "1"), customer_of(warehouse, "social", "l:7")
    assert older != younger

    # Night 2: an order carrying both the email and the phone proves they are one person.
    write_orders(exports, "orders-2.csv", [
        {"Name": "#1001", "Billing Name": "Nguyễn Văn Anh", "Email": "Anh@Gmail.com",
         "Billing Phone": "0912 345 678"},
    ])
    run_ingest(exports, warehouse)
    run_transform(warehouse)

    assert {customer_of(warehouse, source, record) for source, record in [
        ("crm", "1"), ("social", "l:7"), ("pos", "#1001")]} == {older}
    merges = query(warehouse, """
        select merged_customer_id, surviving_customer_id, merged_at is not null
        from marts.customer_merges""")
    assert merges == [(younger, older, True)]
    run_transform(warehouse)  # a rerun logs nothing new
    assert query(warehouse, "select count(*) from marts.customer_merges") == [(1,)]
