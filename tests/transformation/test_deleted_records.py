"""Deletions at the source, on real dlt loads and dbt builds of the sample: a contact in a
HubSpot deletion list (`crm/deleted/`) leaves every customer while its raw versions stay; one
restored in HubSpot comes back; one merely missing from a later full export stays."""

import shutil
from pathlib import Path

import pytest

from cdp.orchestration.resources import CdpSettings
from cdp.privacy_requests.requests import Selector, erase
from cdp.quality.mart_checks import mart_checks
from cdp.quality.thresholds import Thresholds
from cdp.quality.validation import QualityValidator
from cdp.testing.exports_builder import write_contacts, write_orders
from tests.helpers import build_copy_of_sample, query, run_ingest, run_transform

ALONE = "900001"  # a customer made of this contact alone
WITH_ORDER = "900002"  # shares its email with an order: the order's customer stays
NOT_EXPORTED_AGAIN = "900003"  # missing from the later full export, never deleted
UNKNOWN = "999999"  # no export ever carried it

DELETION_LIST = (f"Record ID,Deleted at\n{ALONE},2026-11-21T09:00:00+07:00\n"
                 f"{WITH_ORDER},2026-11-21T09:00:00+07:00\n")


def _add_first_night(exports: Path) -> None:
    write_contacts(exports, "contacts-extra-2026-11-22.csv", [
        {"Record ID": ALONE, "First Name": "Thị Xóa", "Last Name": "Lý",
         "Email": "xoa.ly@example.vn", "Phone Number": "0987 000 111", "City": "Huế",
         "Last Modified Date": "2026-11-20T10:00:00+07:00"},
        {"Record ID": WITH_ORDER, "First Name": "Văn Lưu", "Last Name": "Đặng",
         "Email": "luu.dang@example.vn", "Mobile Phone Number": "0987 000 222",
         "City": "Cần Thơ", "Lifecycle Stage": "customer",
         "Last Modified Date": "2026-11-20T10:00:00+07:00"},
        {"Record ID": NOT_EXPORTED_AGAIN, "First Name": "Thị Còn", "Last Name": "Kiều",
         "Email": "con.kieu@example.vn", "Last Modified Date": "2026-11-20T10:00:00+07:00"},
    ])
    write_orders(exports, "orders_export_2026-11-22-extra.csv", [
        {"Name": "#DEL-1", "Email": "luu.dang@example.vn", "Billing Name": "Đặng Văn Lưu"}])
    (exports / "crm" / "deleted").mkdir()
    (exports / "crm" / "deleted" / "deleted-contacts-2026-11-21.csv").write_text(DELETION_LIST)


def _add_second_night(exports: Path) -> None:
    # A full export of what HubSpot holds now: the contact restored (a newer Last Modified
    # Date), and not the contact it no longer shows; the deletion list again under another
    # name; a list naming an id no export ever carried.
    write_contacts(exports, "contacts-extra-2026-11-23.csv", [
        {"Record ID": ALONE, "First Name": "Thị Xóa", "Last Name": "Lý",
         "Email": "xoa.ly@example.vn", "Phone Number": "0987 000 111", "City": "Huế",
         "Last Modified Date": "2026-11-22T08:00:00+07:00"},
    ])
    deleted = exports / "crm" / "deleted"
    (deleted / "deleted-contacts-2026-11-21 (1).csv").write_text(DELETION_LIST)
    (deleted / "deleted-contacts-2026-11-23.csv").write_text(f"Record ID\n{UNKNOWN}\n")


@pytest.fixture(scope="module")
def first_night(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_copy_of_sample(sample_dir, tmp_path_factory.mktemp("deleted"), _add_first_night)


@pytest.fixture(scope="module")
def second_night(first_night: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("deleted_again")
    shutil.copytree(first_night.parent.parent, folder, dirs_exist_ok=True)
    exports, warehouse = folder / "exports", folder / "warehouse" / "cdp.duckdb"
    _add_second_night(exports)
    report = run_ingest(exports, warehouse)
    [crm] = [system for system in report.systems if system.system == "crm"]
    statuses = {file.source_file: file.status for file in crm.files}
    assert statuses["crm/deleted/deleted-contacts-2026-11-21 (1).csv"] == "duplicate"
    assert crm.deletions_added == 1  # the unknown id only
    run_transform(warehouse)
    return warehouse


def _customer_of(warehouse: Path, record_id: str) -> list[tuple]:
    return query(warehouse, "select customer_id from marts.customer_records "
                            "where source = 'crm' and record_id = ?", [record_id])


def _records_mapped(warehouse: Path, tmp_path: Path) -> bool:
    [check] = [check for check in mart_checks(Thresholds.from_settings())
               if check.name == "marts_customer_records_all_mapped"]
    outcome = QualityValidator(tmp_path / "reports").run(check, warehouse, "test")
    return outcome.success


def test_a_deleted_contact_leaves_every_customer_and_keeps_its_history(first_night, tmp_path):
    assert _customer_of(first_night, ALONE) == [] and _customer_of(first_night, WITH_ORDER) == []
    # Its raw versions stay: history.
    assert query(first_night, "select record_id, count(*) from raw_crm.contacts "
                              "where record_id in (?, ?) group by 1 order by 1",
                 [ALONE, WITH_ORDER]) == [(ALONE, 1), (WITH_ORDER, 1)]
    # A customer made only of it is gone; its email and phone link nobody.
    assert query(first_night, "select count(*) from marts.customers "
                              "where email = 'xoa.ly@example.vn' or full_name = 'Lý Thị Xóa'"
                 ) == [(0,)]
    assert query(first_night, """
        select count(*) from marts.identity_graph
        where identifier_value in ('xoa.ly@example.vn', '+84987000111', '+84987000222')
    """) == [(0,)]
    assert query(first_night, "select count(*) from marts.identity_links "
                              "where source = 'crm' and record_id in (?, ?)",
                 [ALONE, WITH_ORDER]) == [(0,)]
    # The order that shared its email is its own customer, with nothing of the contact.
    [(customer_id,)] = query(first_night, "select customer_id from marts.customer_records "
                                          "where source = 'pos' and record_id = '#DEL-1'")
    assert query(first_night, """
        select email, phone, city, sources, records_count, crm_lifecycle_stage
        from marts.customers where customer_id = ?""", [customer_id]) == [
        ("luu.dang@example.vn", None, None, "pos", 1, None)]
    assert query(first_night, "select count(*) from marts.customer_consents "
                              "where source = 'crm' and record_id in (?, ?)",
                 [ALONE, WITH_ORDER]) == [(0,)]
    # Listed, with the list that retired it.
    assert query(first_night, """
        select record_id, strftime(retired_at at time zone 'UTC', '%Y-%m-%d %H:%M'),
            source_file, has_raw_versions
        from marts.retired_records order by record_id""") == [
        (ALONE, "2026-11-21 02:00", "crm/deleted/deleted-contacts-2026-11-21.csv", True),
        (WITH_ORDER, "2026-11-21 02:00", "crm/deleted/deleted-contacts-2026-11-21.csv", True)]
    # The blocking check that every raw record maps to a customer counts it as retired.
    assert _records_mapped(first_night, tmp_path)


def test_a_contact_missing_from_a_later_full_export_stays(first_night, second_night):
    # Absence proves nothing (an export may be partial or filtered): only a deletion list
    # retires a record.
    assert len(_customer_of(first_night, NOT_EXPORTED_AGAIN)) == 1
    assert len(_customer_of(second_night, NOT_EXPORTED_AGAIN)) == 1
    assert query(second_night, "select count(*) from marts.customers "
                               "where email = 'con.kieu@example.vn'") == [(1,)]


def test_a_contact_restored_at_the_source_comes_back(second_night, tmp_path):
    [(customer_id,)] = _customer_of(second_night, ALONE)
    assert query(second_night, "select full_name, email, phone, city from marts.customers "
                               "where customer_id = ?", [customer_id]) == [
        ("Lý Thị Xóa", "xoa.ly@example.vn", "+84987000111", "Huế")]
    assert query(second_night, "select record_id from marts.retired_records "
                               "order by record_id") == [(WITH_ORDER,), (UNKNOWN,)]
    assert _customer_of(second_night, WITH_ORDER) == []
    assert _records_mapped(second_night, tmp_path)


def test_a_deletion_list_naming_an_unknown_record_is_listed_and_harmless(first_night,
                                                                        second_night):
    assert query(second_night, "select has_raw_versions, last_version_at, source_file "
                               "from marts.retired_records where record_id = ?", [UNKNOWN]) == [
        (False, None, "crm/deleted/deleted-contacts-2026-11-23.csv")]
    customers = "select count(*) from marts.customers"
    # One customer back (the restored contact), nothing else moved.
    assert query(second_night, customers)[0][0] == query(first_night, customers)[0][0] + 1


def test_a_person_known_only_through_a_retired_contact_can_still_be_erased(first_night,
                                                                            tmp_path):
    folder = tmp_path / "deployment"
    shutil.copytree(first_night.parent.parent, folder)
    warehouse = folder / "warehouse" / "cdp.duckdb"
    settings = CdpSettings(exports_dir=str(folder / "exports"), warehouse=str(warehouse),
                           published_warehouse=str(folder / "published" / "cdp.duckdb"),
                           reports_dir=str(folder / "reports"))
    # Retired: in no customer, yet its raw versions name the person.
    assert query(warehouse, "select count(*) from marts.customer_records "
                            "where source = 'crm' and record_id = ?", [ALONE]) == [(0,)]

    result = erase(settings, Selector(email="XOA.LY@example.vn"), requested_by="the person",
                   reason="erasure")

    assert result.subject.customer_ids == [] and result.subject.records == [("crm", ALONE)]
    assert query(warehouse, "select count(*) from raw_crm.contacts where record_id = ? "
                            "or email ilike '%xoa.ly%'", [ALONE]) == [(0,)]
    assert query(warehouse, "select count(*) from raw_crm.deleted_contacts "
                            "where record_id = ?", [ALONE]) == [(0,)]
    assert query(warehouse, "select count(*) from marts.retired_records "
                            "where record_id = ?", [ALONE]) == [(0,)]
    # The other retired contact, someone else, is untouched.
    assert query(warehouse, "select count(*) from marts.retired_records "
                            "where record_id = ?", [WITH_ORDER]) == [(1,)]
