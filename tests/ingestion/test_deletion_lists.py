"""Deletion lists (`crm/deleted/*.csv`) load like any export: into their own raw table, by file
content, bad rows set aside, erased people dropped; other subfolders stay ignored."""

from pathlib import Path

from cdp.core.identifiers import salted_hash
from cdp.ingestion.suppression import Suppression
from cdp.sources.pipeline import duckdb_destination, ingest_exports
from cdp.testing.exports_builder import lay_out, write_contacts
from tests.helpers import query, run_ingest

_DELETED = "select record_id, deleted_at, archived_at, _source_file from raw_crm.deleted_contacts"


def _write_list(exports: Path, name: str, text: str) -> Path:
    path = exports / "crm" / "deleted" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _statuses(report) -> dict[str, tuple[str, str]]:
    return {file.source_file: (file.status, file.detail)
            for system in report.systems for file in system.files}


def _crm(report):
    return next(system for system in report.systems if system.system == "crm")


def test_a_deletion_list_loads_into_its_own_table_with_its_file_and_load(tmp_path, warehouse):
    exports = lay_out(tmp_path / "exports")
    write_contacts(exports, "contacts.csv", [{"Record ID": "1"}, {"Record ID": "2"}])
    # As a person copies HubSpot's restore page, and as its API lists archived contacts.
    _write_list(exports, "restore-page.csv",
                "Record ID,Deleted at,Deleted by\n1,2026-11-21T09:30:00+07:00,an@shop.vn\n")
    _write_list(exports, "api-archived.csv",
                "id,archivedAt,email\n2,2026-11-21T03:00:00Z,b@x.vn\n,2026-11-21T03:00:00Z,\n"
                "3,yesterday,\n")

    report = run_ingest(exports, warehouse)

    deleted = query(warehouse, _DELETED + " order by 1")
    assert [(row[0], row[3]) for row in deleted] == [
        ("1", "crm/deleted/restore-page.csv"), ("2", "crm/deleted/api-archived.csv")]
    assert deleted[0][1].isoformat() == "2026-11-21T02:30:00+00:00" and deleted[0][2] is None
    assert deleted[1][1] is None and deleted[1][2].isoformat() == "2026-11-21T03:00:00+00:00"
    assert query(warehouse, "select count(*) from raw_crm.deleted_contacts where _dlt_load_id "
                            "not in (select load_id from raw_crm._dlt_loads)") == [(0,)]
    assert query(warehouse, "select count(*) from raw_crm.contacts") == [(2,)]
    assert (_crm(report).rows_added, _crm(report).deletions_added) == (2, 2)
    assert query(warehouse, "select line_number, reason from raw_crm.quarantine "
                            "where source_file = 'crm/deleted/api-archived.csv' order by 1") == [
        (3, "missing id"), (4, "unparseable timestamp in 'archivedAt': yesterday")]
    [(warnings,)] = query(warehouse, "select warnings from raw_crm.export_files "
                                     "where source_file = 'crm/deleted/api-archived.csv'")
    assert "column 'id' is read as 'Record ID'" in warnings
    assert "column 'archivedAt' is read as 'Archived at'" in warnings
    assert _statuses(report)["crm/deleted/restore-page.csv"][0] == "loaded"


def test_only_files_directly_in_crm_deleted_are_deletion_lists(tmp_path, warehouse):
    exports = lay_out(tmp_path / "exports")
    write_contacts(exports, "contacts.csv", [{"Record ID": "1"}])
    _write_list(exports, "hs_object_id.csv", "hs_object_id\n1\n")
    _write_list(exports, "old/earlier.csv", "Record ID\n7\n")
    (exports / "crm" / "archive").mkdir()
    (exports / "crm" / "archive" / "deleted.csv").write_text("Record ID\n8\n")
    (exports / "pos" / "deleted").mkdir()
    (exports / "pos" / "deleted" / "orders.csv").write_text("Name\n#1\n")

    report = run_ingest(exports, warehouse)

    assert query(warehouse, "select record_id from raw_crm.deleted_contacts") == [("1",)]
    statuses = _statuses(report)
    assert statuses["crm/deleted/hs_object_id.csv"][0] == "loaded"
    assert statuses["crm/deleted/old/earlier.csv"] == (
        "ignored", "in a subfolder (crm/deleted/old/): only files directly in crm/deleted/ are "
                   "read")
    assert statuses["crm/archive/deleted.csv"][0] == "ignored"
    assert "deletion lists: crm/deleted/" in statuses["crm/archive/deleted.csv"][1]
    # A system without deletion lists reads no deleted/ folder.
    assert statuses["pos/deleted/orders.csv"][0] == "ignored"
    assert sorted(statuses) == sorted(["crm/contacts.csv", "crm/deleted/hs_object_id.csv",
                                       "crm/deleted/old/earlier.csv", "crm/archive/deleted.csv",
                                       "pos/deleted/orders.csv"])


def test_a_deletion_list_delivered_again_loads_nothing(tmp_path, warehouse):
    exports = lay_out(tmp_path / "exports")
    text = "Record ID,Deleted at\n1,2026-11-21T03:00:00Z\n2,\n"
    _write_list(exports, "deleted-2026-11-21.csv", text)
    run_ingest(exports, warehouse)
    before = query(warehouse, _DELETED + " order by 1")

    _write_list(exports, "deleted-2026-11-21 (1).csv", text)  # the same list, downloaded twice
    again = run_ingest(exports, warehouse)
    unchanged = run_ingest(exports, warehouse)

    assert query(warehouse, _DELETED + " order by 1") == before
    assert _crm(again).deletions_added == 0
    assert _statuses(again)["crm/deleted/deleted-2026-11-21 (1).csv"] == (
        "duplicate", "same content as crm/deleted/deleted-2026-11-21.csv, already loaded")
    assert _crm(unchanged).deletions_added == 0
    assert {file.status for file in _crm(unchanged).files} == {"duplicate"}


def test_an_undated_deletion_in_a_later_list_is_stored_again_a_dated_one_once(tmp_path,
                                                                              warehouse):
    # Without a date, a row states "deleted as of this file": a contact deleted, restored and
    # deleted again is listed again the same way, and that later statement must count.
    exports = lay_out(tmp_path / "exports")
    _write_list(exports, "deleted-1.csv", "Record ID,Deleted at\n5,\n6,2026-11-21T03:00:00Z\n")
    run_ingest(exports, warehouse)
    _write_list(exports, "deleted-2.csv",
                "Record ID,Deleted at\n5,\n6,2026-11-21T03:00:00Z\n7,\n")
    report = run_ingest(exports, warehouse)

    assert query(warehouse, "select record_id, list(_source_file order by _source_file) "
                            "from raw_crm.deleted_contacts group by 1 order by 1") == [
        ("5", ["crm/deleted/deleted-1.csv", "crm/deleted/deleted-2.csv"]),
        ("6", ["crm/deleted/deleted-1.csv"]),
        ("7", ["crm/deleted/deleted-2.csv"])]
    assert _crm(report).deletions_added == 2


def test_a_deletion_of_an_erased_persons_record_is_dropped(tmp_path, warehouse):
    exports = lay_out(tmp_path / "exports")
    _write_list(exports, "deleted.csv", "Record ID\n5\n6\n")
    salt = "salt-of-this-test"
    suppression = Suppression(salt, frozenset({salted_hash(salt, "record", "crm:5")}))
    destination, pipelines_dir = duckdb_destination(warehouse)

    report = ingest_exports(str(exports), destination, pipelines_dir, suppression=suppression)

    assert query(warehouse, "select record_id from raw_crm.deleted_contacts") == [("6",)]
    [outcome] = [file for file in _crm(report).files if file.status == "loaded"]
    assert outcome.records_suppressed == 1
