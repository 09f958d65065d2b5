"""Each kind of bad input is set aside with file, line and reason, and the rest still loads."""

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from cdp.cli.main import main
from cdp.testing.exports_builder import lay_out
from tests.helpers import query, run_ingest

GOOD_EVENT = '{"messageId":"%s","type":"track","event":"Product Viewed","timestamp":"%s"}'
CONTACTS_HEADER = "Record ID,First Name,Email,Create Date,Last Modified Date"


def _write(path: Path, content: str | bytes) -> Path:
    """Write an export file at <exports>/<system>/<name>, the exports folder laid out."""
    lay_out(path.parent.parent)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def _quarantine(warehouse: Path, dataset: str) -> list[tuple]:
    return query(warehouse, f"select source_file, line_number, reason, raw_text "
                            f"from {dataset}.quarantine order by line_number")


def test_a_malformed_json_line_is_set_aside_and_the_rest_loads(tmp_path, warehouse):
    lines = [GOOD_EVENT % ("m1", "2026-11-20T01:00:00Z"),
             '{"messageId":"m2","type":"track", oops',
             GOOD_EVENT % ("m3", "2026-11-20T02:00:00.120Z")]
    _write(tmp_path / "x" / "website" / "events.jsonl", "\n".join(lines) + "\n")

    report = run_ingest(tmp_path / "x", warehouse)

    assert query(warehouse, "select message_id from raw_website.events order by 1") == [
        ("m1",), ("m3",)]
    [(source_file, line, reason, raw)] = _quarantine(warehouse, "raw_website")
    assert (source_file, line, raw) == ("website/events.jsonl", 2, lines[1])
    assert reason.startswith("malformed JSON")
    assert report.systems[0].rows_quarantined == 1 and not report.failed_files


def test_a_csv_row_with_the_wrong_number_of_fields_is_set_aside(tmp_path, warehouse):
    _write(tmp_path / "x" / "crm" / "contacts.csv", "\n".join([
        CONTACTS_HEADER,
        "1,Anh,anh@example.vn,2026-01-01T10:00:00+07:00,2026-01-02T10:00:00+07:00",
        '2,"Bình\nThị",binh@example.vn,2026-01-01T10:00:00+07:00,,EXTRA',
        "3,Chi",
        "4,Dũng,dung@example.vn,2026-01-01T10:00:00+07:00,",
    ]) + "\n")

    run_ingest(tmp_path / "x", warehouse)

    assert query(warehouse, "select record_id from raw_crm.contacts order by 1") == [
        ("1",), ("4",)]
    quarantined = _quarantine(warehouse, "raw_crm")
    assert [(line, reason) for _, line, reason, _ in quarantined] == [
        (3, "row has more fields than the header"),  # a quoted field spans lines 3 and 4
        (5, "row has fewer fields than the header"),
    ]
    assert quarantined[1][3] == "3,Chi"


def test_an_unparseable_timestamp_sets_its_row_aside_with_the_exact_line(tmp_path, warehouse):
    _write(tmp_path / "x" / "pos" / "orders.csv", "\n".join([
        "Name,Email,Total,Created at,Lineitem name",
        '#1001,a@example.vn,100000.00,2026-11-20 10:00:00 +0700,"Áo\nthun"',
        "#1002,b@example.vn,200000.00,20/11/2026 25:61,Quần",
        "#1003,c@example.vn,not money,2026-11-20 10:00:00 +0700,Giày",
        "#1004,d@example.vn,50000.00,2026-11-20T03:00:00Z,Túi",
    ]) + "\n")

    run_ingest(tmp_path / "x", warehouse)

    loaded = query(warehouse, "select name, created_at::varchar, total from raw_pos.order_lines "
                              "order by 1")
    assert [(name, created) for name, created, _ in loaded] == [
        ("#1001", "2026-11-20 03:00:00+00"), ("#1004", "2026-11-20 03:00:00+00")]
    assert _quarantine(warehouse, "raw_pos") == [
        ("pos/orders.csv", 4, "unparseable timestamp in 'Created at': 20/11/2026 25:61",
         "#1002,b@example.vn,200000.00,20/11/2026 25:61,Quần"),
        ("pos/orders.csv", 5, "unparseable amount in 'Total': not money",
         "#1003,c@example.vn,not money,2026-11-20 10:00:00 +0700,Giày"),
    ]


def test_a_file_that_is_not_utf8_is_set_aside_whole_and_the_rest_loads(tmp_path, warehouse):
    exports = tmp_path / "x"
    _write(exports / "crm" / "latin1.csv",
           f"{CONTACTS_HEADER}\n1,B\xe0nh,b@example.vn,,\n".encode("latin-1"))
    _write(exports / "crm" / "good.csv", f"{CONTACTS_HEADER}\n2,Anh,a@example.vn,,\n")

    result = CliRunner().invoke(main, ["ingest", "--exports-dir", str(exports),
                                       "--warehouse", str(warehouse)])

    assert result.exit_code == 3  # done, but a file needs a look
    assert "failed    crm/latin1.csv: file is not UTF-8 encoded (first invalid byte on line 2)" \
        in result.output
    assert query(warehouse, "select record_id from raw_crm.contacts") == [("2",)]
    [(_, line, reason, _)] = _quarantine(warehouse, "raw_crm")
    assert line == 2 and reason.startswith("whole file set aside: file is not UTF-8")
    # Still not loaded, so the next run tries it again (and does not duplicate its quarantine).
    again = run_ingest(exports, warehouse)
    assert [file.status for file in again.systems[1].files] == ["failed"]
    assert len(_quarantine(warehouse, "raw_crm")) == 1


@pytest.mark.parametrize("content", ["", "\n", CONTACTS_HEADER + "\n"])
def test_an_empty_file_is_reported_and_is_no_error(tmp_path, warehouse, content):
    _write(tmp_path / "x" / "crm" / "empty.csv", content)
    _write(tmp_path / "x" / "website" / "empty.jsonl", content.replace(CONTACTS_HEADER, ""))

    report = run_ingest(tmp_path / "x", warehouse)

    outcomes = {file.source_file: (file.status, file.detail) for system in report.systems
                for file in system.files}
    assert outcomes["crm/empty.csv"][0] == "empty"
    assert outcomes["website/empty.jsonl"] == ("empty", "empty file: no JSON objects")
    assert outcomes["crm/empty.csv"][1].startswith("empty file")
    assert not report.failed_files


def test_a_file_missing_its_key_column_is_set_aside_whole(tmp_path, warehouse):
    _write(tmp_path / "x" / "social" / "leads.csv",
           "lead,full_name,email\nl:1,Anh,a@example.vn\n")

    report = run_ingest(tmp_path / "x", warehouse)

    [failed] = report.failed_files
    assert failed.detail.startswith("missing required column(s) ['id']")
    [(_, line, reason, _)] = _quarantine(warehouse, "raw_social")
    assert line == 1 and "missing required column(s) ['id']" in reason


def test_a_row_missing_its_key_value_is_set_aside(tmp_path, warehouse):
    _write(tmp_path / "x" / "social" / "leads.csv",
           "id,full_name,email\nl:1,Anh,a@example.vn\n,Bình,b@example.vn\n")

    run_ingest(tmp_path / "x", warehouse)

    assert query(warehouse, "select id from raw_social.leads") == [("l:1",)]
    assert [(line, reason) for _, line, reason, _ in _quarantine(warehouse, "raw_social")] == [
        (3, "missing id")]


def test_unknown_columns_are_kept_and_evolve_the_schema(tmp_path, warehouse):
    exports = tmp_path / "x"
    _write(exports / "crm" / "a.csv", f"{CONTACTS_HEADER}\n1,Anh,a@example.vn,,\n")
    _write(exports / "website" / "a.jsonl", GOOD_EVENT % ("m1", "2026-11-20T01:00:00Z") + "\n")
    run_ingest(exports, warehouse)
    _write(exports / "crm" / "b.csv",
           f"{CONTACTS_HEADER},Zalo ID,Favourite Store\n2,Bình,b@example.vn,,,zl-99,Quận 1\n")
    _write(exports / "website" / "b.jsonl",
           '{"messageId":"m2","type":"page","experiment":{"arm":"B"},"channel":"web"}\n')

    run_ingest(exports, warehouse)

    assert query(warehouse, "select record_id, zalo_id, favourite_store from raw_crm.contacts "
                            "order by 1") == [("1", None, None), ("2", "zl-99", "Quận 1")]
    assert query(warehouse, "select message_id, experiment, channel from raw_website.events "
                            "order by 1") == [("m1", None, None), ("m2", '{"arm":"B"}', "web")]


def _event(number: int) -> str:
    return GOOD_EVENT % (f"m{number}", "2026-11-20T01:00:00Z")


def test_a_json_line_repeating_a_key_is_settled_on_its_own_line(tmp_path, warehouse):
    lines = [_event(number) for number in range(200)]
    # Two messageIds: which one is the event's is anyone's guess.
    lines[4] = '{"messageId":"m4","type":"track","messageId":"m4b"}'
    # The same key twice with the same value (a key order, spacing apart): said once.
    lines[9] = ('{"messageId":"m9","type":"identify","messageId" : "m9",'
                '"traits":{"email":"a@example.vn","plan":{"a":1,"b":2},"plan":{"b":2,"a":1}}}')
    # Nested objects count too, at any depth, arrays included.
    lines[19] = ('{"messageId":"m19","type":"identify",'
                 '"context":{"traits":{"email":"a@example.vn","email":"b@example.vn"}}}')
    lines[29] = ('{"messageId":"m29","type":"track","properties":{"products":'
                 '[{"sku":"A"},{"sku":"B","sku":"C","price":1,"price":1.0}]}}')
    path = _write(tmp_path / "x" / "website" / "events.jsonl", "\n".join(lines) + "\n")

    report = run_ingest(tmp_path / "x", warehouse)

    [outcome] = report.systems[0].files
    assert (outcome.status, outcome.records_read, outcome.records_quarantined) == (
        "loaded", 197, 3)
    assert "1 line(s) repeat a key with the same value" in outcome.warnings
    assert _quarantine(warehouse, "raw_website") == [
        ("website/events.jsonl", 5, "duplicate key 'messageId' with different values: the line "
                                    "does not say which one holds", lines[4]),
        ("website/events.jsonl", 20, "duplicate key 'context.traits.email' with different values: "
                                     "the line does not say which one holds", lines[19]),
        ("website/events.jsonl", 30, "duplicate keys 'properties.products[1].sku', "
                                     "'properties.products[1].price' with different values: the "
                                     "line does not say which ones hold", lines[29]),
    ]
    assert query(warehouse, "select message_id, json_extract_string(traits, '$.plan.a') "
                            "from raw_website.events where message_id = 'm9'") == [("m9", "1")]
    # The file is settled: the next run reads nothing new and sets nothing more aside.
    again = run_ingest(tmp_path / "x", warehouse)
    assert again.systems[0].rows_added == 0 and not again.systems[0].files
    assert len(_quarantine(warehouse, "raw_website")) == 3
    assert path.exists()


@pytest.mark.parametrize("line", [
    '{"messageId":"m1","type":"identify","traits":{"email":"a@example.vn","email":"b@x.vn"}}',
    '{"messageId":"m1","type":"track","properties":{"items":[{"sku":"A","sku":"B"}]}}',
])
def test_a_nested_key_repeated_with_different_values_sets_aside_its_line_only(
        tmp_path, warehouse, line):
    # No other oddity in the file: DuckDB's reader takes every line, the repeat is found after.
    _write(tmp_path / "x" / "website" / "events.jsonl", f"{_event(0)}\n{line}\n{_event(2)}\n")

    run_ingest(tmp_path / "x", warehouse)

    assert query(warehouse, "select message_id from raw_website.events order by 1") == [
        ("m0",), ("m2",)]
    [(_, number, reason, raw)] = _quarantine(warehouse, "raw_website")
    assert (number, raw) == (2, line)
    assert reason.startswith("duplicate key 'traits.email'" if "traits" in line
                             else "duplicate key 'properties.items[0].sku'")


@pytest.mark.parametrize(("name", "content"), [
    ("website/events.jsonl.gz", b""),
    ("crm/contacts.csv.gz", b""),
    ("website/events.jsonl.gz", gzip.compress(b"", mtime=0)),
    ("crm/contacts.csv.gz", gzip.compress(b"", mtime=0)),
    ("website/events.jsonl.gz", gzip.compress(b"\n\n", mtime=0)),
])
def test_an_empty_compressed_file_is_empty_not_failed(tmp_path, warehouse, name, content):
    exports = tmp_path / "x"
    _write(exports / name, content)
    _write(exports / "crm" / "good.csv", f"{CONTACTS_HEADER}\n2,Anh,a@example.vn,,\n")

    report = run_ingest(exports, warehouse)

    outcomes = {file.source_file: (file.status, file.detail) for system in report.systems
                for file in system.files}
    assert outcomes[name][0] == "empty" and outcomes[name][1].startswith("empty file")
    assert not report.failed_files  # so `cdp ingest` exits 0, not 3
    assert query(warehouse, "select record_id from raw_crm.contacts") == [("2",)]
    system = name.split("/")[0]
    assert query(warehouse, f"select count(*) from raw_{system}.quarantine") == [(0,)]
    # Settled, not retried: the next run does not read it again.
    again = run_ingest(exports, warehouse)
    assert [file.source_file for system in again.systems for file in system.files] == []
