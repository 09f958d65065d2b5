"""One file's problem stays that file's: it is set aside with its name and reason, and every
other file and system still loads. Real dlt loads into DuckDB."""

import gzip
import json
import logging
import os
from pathlib import Path

import pytest

from cdp.testing.exports_builder import lay_out, write_orders
from tests.helpers import query, run_ingest

CONTACTS = ("Record ID,First Name,Email,Create Date\n"
            "1,Anh,anh@example.vn,2026-01-01T10:00:00+07:00\n"
            "2,Bình,binh@example.vn,2026-01-01T10:00:00+07:00\n")
EVENTS = "".join(
    json.dumps({"messageId": f"m{number}", "type": "track", "event": "Product Viewed",
                "timestamp": "2026-11-20T01:00:00Z"}) + "\n"
    for number in range(200)
)


def _exports(tmp_path: Path) -> Path:
    """A laid-out exports folder with a good file in website/ and crm/."""
    exports = lay_out(tmp_path / "exports")
    (exports / "website" / "events-good.jsonl").write_text(EVENTS)
    (exports / "crm" / "contacts-good.csv").write_text(CONTACTS.replace("1,Anh", "9,Chi"))
    return exports


def _statuses(report) -> dict[str, tuple[str, str]]:
    return {file.source_file: (file.status, file.detail) for system in report.systems
            for file in system.files}


def _truncated_gzip(path: Path) -> None:
    compressed = gzip.compress(EVENTS.encode())
    path.write_bytes(compressed[: len(compressed) // 2])


BAD_FILES = {
    "truncated gzip": ("website/events-bad.jsonl.gz", _truncated_gzip, "cut short"),
    "text named .gz": ("website/events-bad.jsonl.gz",
                       lambda path: path.write_text(EVENTS), "not gzip-compressed"),
    "header clash": ("crm/contacts-bad.csv",
                     lambda path: path.write_text("Record ID,Email,email\n3,a@x.vn,b@x.vn\n"),
                     "'Email' and 'email'"),
    "not UTF-8": ("crm/contacts-bad.csv",
                  lambda path: path.write_bytes("Record ID,First Name\n4,B\xe0nh\n".encode(
                      "latin-1")), "not UTF-8"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_set_aside_and_every_other_file_loads(tmp_path, warehouse, case):
    exports = _exports(tmp_path)
    name, write, reason = BAD_FILES[case]
    write(exports / name)

    report = run_ingest(exports, warehouse)

    statuses = _statuses(report)
    assert statuses[name][0] == "failed" and reason in statuses[name][1]
    assert statuses["website/events-good.jsonl"][0] == "loaded"
    assert statuses["crm/contacts-good.csv"][0] == "loaded"
    assert query(warehouse, "select count(*) from raw_website.events") == [(200,)]
    assert query(warehouse, "select record_id from raw_crm.contacts order by 1") == [
        ("2",), ("9",)]
    system = name.split("/")[0]
    [(why,)] = query(warehouse, f"select reason from raw_{system}.quarantine")
    assert why.startswith("whole file set aside") and reason in why
    # Still not loaded: the next run reads it again.
    assert _statuses(run_ingest(exports, warehouse))[name][0] == "failed"


def test_lines_ending_in_a_bare_carriage_return_load(tmp_path, warehouse):
    exports = lay_out(tmp_path / "exports")
    (exports / "crm" / "contacts.csv").write_bytes(CONTACTS.replace("\n", "\r").encode())

    report = run_ingest(exports, warehouse)

    assert _statuses(report)["crm/contacts.csv"][0] == "loaded"
    assert query(warehouse, "select record_id, email from raw_crm.contacts order by 1") == [
        ("1", "anh@example.vn"), ("2", "binh@example.vn")]


def test_columns_named_like_the_loaders_own_are_renamed_not_trusted(tmp_path, warehouse):
    exports = lay_out(tmp_path / "exports")
    (exports / "website" / "events.jsonl").write_text(
        '{"messageId":"m1","type":"track","_record_hash":"forged","_problems":"y"}\n'
        '{"messageId":"m2","type":"track","_problems":[]}\n')
    (exports / "pos" / "orders.csv").write_text(
        "Name,Total,_source_file,_dlt_load_id,line_position\n#1,100000,evil.csv,1,9\n")

    report = run_ingest(exports, warehouse)

    assert query(warehouse, """
        select message_id, exported_record_hash, exported_problems, _source_file
        from raw_website.events order by 1""") == [
        ("m1", "forged", "y", "website/events.jsonl"), ("m2", None, "[]", "website/events.jsonl")]
    assert query(warehouse, "select count(*) from raw_website.events "
                            "where _record_hash = 'forged'") == [(0,)]
    assert query(warehouse, """
        select name, line_position, exported_line_position, exported_source_file, _source_file
        from raw_pos.order_lines""") == [("#1", 1, "9", "evil.csv", "pos/orders.csv")]
    warnings = {file.source_file: file.warnings for system in report.systems
                for file in system.files}
    assert "'_record_hash' is loaded as `exported_record_hash`" in warnings["website/events.jsonl"]


@pytest.mark.parametrize(("amounts", "environment", "expected", "set_aside"), [
    # Vietnamese writing: dots group thousands, a comma marks decimals.
    (["150.000", "1.000.000,50", "₫120000", "120.000 đ"], {},
     ["1000000.50", "120000.00", "120000.00", "150000.00"], []),
    # The file's own amounts use a decimal point, so its lone "1,500" groups thousands ...
    (["1,500", "100000.00", "2,500.50"], {}, ["1500.00", "2500.50", "100000.00"], []),
    # ... and its "150.000" contradicts it: the dot is its decimal point, so no thousands group,
    # and it writes two decimals, so no three. Set aside, never bent to 150.
    (["150.000", "100000.00", "2,500.50"], {}, ["2500.50", "100000.00"],
     ["contradictory amount in 'Total': 150.000"]),
    (["150.000", "1097000.00", "20000.00"], {}, ["20000.00", "1097000.00"],
     ["contradictory amount in 'Total': 150.000"]),
    # The configured separator says which mark is the decimal point; the file still says how
    # many decimals it writes.
    (["150.000", "1097000.00"], {"SOURCES__POS__DECIMAL_SEPARATOR": "."}, ["1097000.00"],
     ["contradictory amount in 'Total': 150.000"]),
    # The mirror: dots group thousands, so a comma is the decimal point, and VND has no three.
    (["1,500", "1.000.000"], {}, ["1000000.00"], ["contradictory amount in 'Total': 1,500"]),
    # Only ambiguous amounts: the configured separator, else the currency, settles them.
    (["150.000", "2.500"], {}, ["2500.00", "150000.00"], []),
    (["150.000"], {"SOURCES__POS__DECIMAL_SEPARATOR": "."}, ["150.00"], []),
    # A file that writes three decimals elsewhere: three decimals fit.
    (["1.234", "0.125"], {"CURRENCY": "KWD"}, ["0.13", "1.23"], []),
    # A three-decimal currency and nothing else to go on: set aside, never guessed.
    (["1.234", "5"], {"CURRENCY": "KWD"}, ["5.00"], ["ambiguous amount in 'Total': 1.234"]),
    # ... unless the system's configuration says how its amounts are written.
    (["1.234", "5"], {"CURRENCY": "KWD", "SOURCES__POS__DECIMAL_SEPARATOR": "."},
     ["1.23", "5.00"], []),
    (["12abc", "7"], {}, ["7.00"], ["unparseable amount in 'Total': 12abc"]),
])
def test_amounts_read_the_way_the_export_writes_them(tmp_path, warehouse, monkeypatch, amounts,
                                                      environment, expected, set_aside):
    currency = environment.pop("CURRENCY", "VND")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    exports = lay_out(tmp_path / "exports")
    rows = "".join(f'#{number},"{amount}",{currency}\n' for number, amount in enumerate(amounts))
    (exports / "pos" / "orders.csv").write_text("Name,Total,Currency\n" + rows)

    run_ingest(exports, warehouse)

    loaded = query(warehouse, "select total::varchar from raw_pos.order_lines order by total")
    assert [value for (value,) in loaded] == sorted(expected, key=float)
    reasons = [reason for (reason,) in query(warehouse, "select reason from raw_pos.quarantine")]
    assert [reason.split(" reads ")[0] for reason in reasons] == set_aside


def test_an_unterminated_quote_sets_aside_its_line_and_not_the_records_after_it(tmp_path,
                                                                               warehouse):
    exports = lay_out(tmp_path / "exports")
    lines = ["Record ID,First Name,Email", '1,"Anh,anh@example.vn']
    lines += [f"{number},Name {number},n{number}@example.vn" for number in range(2, 25)]
    lines.append('25,"Multi\nline",m@example.vn')  # a quoted field that does close
    (exports / "crm" / "contacts.csv").write_text("\n".join(lines) + "\n")

    run_ingest(exports, warehouse)

    assert query(warehouse, "select count(*) from raw_crm.contacts") == [(24,)]
    assert query(warehouse, "select first_name from raw_crm.contacts "
                            "where record_id = '25'") == [("Multi\nline",)]
    [(line, reason, text)] = query(warehouse,
                                   "select line_number, reason, raw_text from raw_crm.quarantine")
    assert (line, text) == (2, '1,"Anh,anh@example.vn')
    assert reason.startswith("unterminated quote")


def test_a_renamed_or_missing_column_is_reported(tmp_path, warehouse):
    exports = lay_out(tmp_path / "exports")
    (exports / "crm" / "contacts-1.csv").write_text(CONTACTS)
    run_ingest(exports, warehouse)
    (exports / "crm" / "contacts-2.csv").write_text(
        CONTACTS.replace("Email", "E-mail").replace("1,Anh", "3,Anh"))
    (exports / "crm" / "contacts-3.csv").write_text(
        "Record ID,First Name,Create Date\n5,Em,2026-01-01T10:00:00+07:00\n")

    run_ingest(exports, warehouse)

    warnings = dict(query(warehouse, "select source_file, warnings from raw_crm.export_files"))
    assert warnings["crm/contacts-1.csv"] == ""
    assert "'E-mail' looks like 'Email' renamed" in warnings["crm/contacts-2.csv"]
    assert "'Email' missing (earlier exports had them)" in warnings["crm/contacts-3.csv"]


def test_a_file_rewritten_with_the_same_size_and_time_is_read_again(tmp_path, warehouse):
    exports = lay_out(tmp_path / "exports")
    contacts = exports / "crm" / "contacts.csv"
    contacts.write_text(CONTACTS)
    run_ingest(exports, warehouse)
    stat = contacts.stat()

    contacts.write_text(CONTACTS.replace("anh@example.vn", "anh@example.vx"))  # same length
    os.utime(contacts, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert contacts.stat().st_size == stat.st_size
    report = run_ingest(exports, warehouse)

    assert _statuses(report)["crm/contacts.csv"][0] == "loaded"
    assert query(warehouse, "select count(*) from raw_crm.contacts where record_id = '1'") == [
        (2,)]


def test_a_file_loaded_before_and_unchanged_since_is_not_read_again(tmp_path, warehouse,
                                                                  caplog):
    """A night reads its new files, not the folder's history; a file only touched is read
    (its signature changed), found loaded, and not loaded twice."""
    exports = lay_out(tmp_path / "exports")
    (exports / "crm" / "contacts.csv").write_text(CONTACTS)
    (exports / "crm" / "touched.csv").write_text(CONTACTS.replace("1,Anh", "5,Anh"))
    run_ingest(exports, warehouse)
    (exports / "crm" / "contacts-2.csv").write_text(CONTACTS.replace("1,Anh", "3,Anh"))
    os.utime(exports / "crm" / "touched.csv")

    with caplog.at_level(logging.INFO, logger="cdp.ingestion"):
        run_ingest(exports, warehouse)

    read = sorted(record.args[0] for record in caplog.records
                  if record.name == "cdp.ingestion" and record.msg.startswith("reading "))
    assert read == ["crm/contacts-2.csv", "crm/touched.csv"]
    assert query(warehouse, "select record_id, count(*) from raw_crm.contacts "
                            "group by 1 order by 1") == [("1", 1), ("2", 1), ("3", 1),
                                                        ("5", 1)]


def test_files_the_loader_does_not_read_are_listed_with_the_reason(tmp_path, warehouse):
    exports = lay_out(tmp_path / "exports")
    (exports / "crm" / "CONTACTS.CSV").write_text(CONTACTS)  # upper-case name: read
    for name in ["crm/archive/old.csv", "crm/contacts.tsv", "crm/contacts.zip",
                 "CRM/contacts.csv", "notes.txt"]:
        (exports / name).parent.mkdir(parents=True, exist_ok=True)
        (exports / name).write_text(CONTACTS.replace("1,Anh", "7,Old"))

    report = run_ingest(exports, warehouse)

    assert query(warehouse, "select record_id from raw_crm.contacts order by 1") == [
        ("1",), ("2",)]
    statuses = _statuses(report)
    assert statuses["crm/CONTACTS.CSV"][0] == "loaded"
    assert "in a subfolder" in statuses["crm/archive/old.csv"][1]
    for name in ["crm/archive/old.csv", "crm/contacts.tsv", "crm/contacts.zip"]:
        assert statuses[name][0] == "ignored"
    outside = {file.relative_path: file.reason for file in report.ignored_outside}
    assert "did you mean crm/?" in outside["CRM/contacts.csv"]
    assert "top of the exports folder" in outside["notes.txt"]
    assert query(warehouse, "select count(*) from raw_crm.export_files "
                            "where status = 'ignored'") == [(3,)]


def test_a_shopify_amount_that_contradicts_its_file_sets_its_row_aside(tmp_path, warehouse):
    exports = lay_out(tmp_path / "exports")
    write_orders(exports, "orders.csv", [
        {"Name": "#1001", "Total": "1097000.00", "Subtotal": "1067000.00"},
        {"Name": "#1002", "Total": "150.000", "Subtotal": "120000.00"},  # 150 or 150,000?
        {"Name": "#1003", "Total": "250000.00", "Subtotal": "220000.00"},
    ])

    report = run_ingest(exports, warehouse)

    assert query(warehouse, "select name, total::varchar from raw_pos.order_lines "
                            "order by 1") == [("#1001", "1097000.00"), ("#1003", "250000.00")]
    [(line, reason, raw)] = query(warehouse, "select line_number, reason, raw_text "
                                             "from raw_pos.quarantine")
    assert line == 3 and raw.startswith("#1002,")
    assert reason.startswith("contradictory amount in 'Total': 150.000 reads neither as three "
                             "decimals nor as thousands in this file ('.' is the file's decimal "
                             "point, so no thousands separator, and the file writes at most 2 "
                             "decimals)")
    assert not report.failed_files
