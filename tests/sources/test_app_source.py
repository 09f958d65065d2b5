"""The mobile app on real loads and builds (one warehouse: tests/sources/conftest.py): installs
are records, device and advertising ids link them (never a zeroed advertising id), and a family
tablet two people sign in to within the window merges nobody."""

from pathlib import Path

import pytest

from cdp.testing.exports_builder import write_app_events, write_contacts
from tests.helpers import query

ZEROS = "00000000-0000-0000-0000-000000000000"


def _message(number: int, install: str, day: int, device: dict, *, kind: str = "track",
             event: str | None = "Application Opened", user_id: str | None = None,
             email: str | None = None, name: str | None = None) -> dict:
    message = {"messageId": f"app-{number}", "type": kind, "anonymousId": install,
               "timestamp": f"2026-10-{day:02d}T08:00:00.000Z",
               "context": {"device": device, "app": {"name": "Shop VN", "version": "4.2.0"},
                           "os": {"name": "Android", "version": "14"}}}
    if event and kind == "track":
        message["event"] = event
    if kind == "screen":
        message["name"] = name or "Trang chủ"
    if user_id:
        message["userId"] = user_id
    if email:
        message["traits"] = {"email": email}
    return message


def lay_out_app_scenarios(exports: Path) -> None:
    write_contacts(exports, "hubspot-app-test.csv", [
        {"Record ID": "98000001", "First Name": "Lan", "Last Name": "Nguyễn Thị",
         "Email": "lan.tablet@app-test.vn"},
        {"Record ID": "98000002", "First Name": "Minh", "Last Name": "Trần Văn",
         "Email": "minh.tablet@app-test.vn"},
        {"Record ID": "98000003", "First Name": "Hoa", "Last Name": "Lê Thị",
         "Email": "hoa.zeros@app-test.vn"},
        {"Record ID": "98000004", "First Name": "Bảo", "Last Name": "Phạm Quốc",
         "Email": "bao.zeros@app-test.vn"},
        {"Record ID": "98000005", "First Name": "Quân", "Last Name": "Võ Minh",
         "Email": "quan.reinstall@app-test.vn"},
    ])
    tablet = {"id": "TABLET-1", "advertisingId": "aaaa-tablet", "adTrackingEnabled": True}
    zeroed = {"id": "PHONE-HOA", "advertisingId": ZEROS, "adTrackingEnabled": True}
    zeroed_too = {"id": "PHONE-BAO", "advertisingId": ZEROS, "adTrackingEnabled": True}
    phone = {"id": "PHONE-QUAN", "advertisingId": "bbbb-quan", "adTrackingEnabled": False}
    messages = [
        # A family tablet: Lan and Minh sign in on one install, days apart, back and forth.
        _message(1, "install-tablet", 1, tablet, event="Application Installed"),
        _message(2, "install-tablet", 1, tablet, kind="identify", event=None, user_id="u-lan",
                 email="lan.tablet@app-test.vn"),
        _message(3, "install-tablet", 4, tablet, kind="identify", event=None, user_id="u-minh",
                 email="minh.tablet@app-test.vn"),
        _message(4, "install-tablet", 9, tablet, user_id="u-lan"),
        _message(5, "install-tablet", 12, tablet, kind="screen", user_id="u-minh"),
        # Two phones whose SDK says tracking is on but sends the zeroed id.
        _message(6, "install-hoa", 2, zeroed, kind="identify", event=None,
                 email="hoa.zeros@app-test.vn"),
        _message(7, "install-bao", 3, zeroed_too, kind="identify", event=None,
                 email="bao.zeros@app-test.vn"),
        # Quân reinstalls: a new install on the same device; identifies only on the first.
        _message(8, "install-quan-1", 2, phone, event="Application Installed"),
        _message(9, "install-quan-1", 2, phone, kind="identify", event=None,
                 email="quan.reinstall@app-test.vn"),
        _message(10, "install-quan-2", 20, phone, event="Application Installed"),
        _message(11, "install-quan-2", 21, phone),
        _message(12, "install-quan-2", 21, phone, kind="screen", name="Giỏ hàng"),
    ]
    path = write_app_events(exports, "app-2026-10.jsonl", messages)
    path.write_text(path.read_text(encoding="utf-8") + '{"messageId": "app-13", "type": \n',
                    encoding="utf-8")


@pytest.fixture
def app_warehouse(channel_warehouse) -> Path:
    return channel_warehouse[0]


def _customer(warehouse: Path, source: str, record_id: str) -> str:
    return query(warehouse, "select customer_id from marts.customer_records "
                            "where source = ? and record_id = ?", [source, record_id])[0][0]


def test_a_bad_app_line_is_set_aside_and_the_rest_loads(app_warehouse):
    assert query(app_warehouse, "select count(*) from raw_app.events "
                                "where message_id like 'app-%'") == [(12,)]
    [(line, reason)] = query(app_warehouse, """
        select line_number, reason from raw_app.quarantine
        where source_file = 'app/app-2026-10.jsonl'""")
    assert line == 13 and reason


def test_a_family_tablet_two_people_sign_in_to_merges_nobody(app_warehouse):
    lan, minh = (_customer(app_warehouse, "crm", record) for record in ("98000001", "98000002"))
    assert lan != minh
    tablet = _customer(app_warehouse, "app", "install-tablet")
    assert tablet not in (lan, minh)
    shared = dict(query(app_warehouse, """
        select key_type, people_in_window from intermediate.int_app_shared_devices
        where key_value in ('install-tablet', 'TABLET-1', 'aaaa-tablet')"""))
    assert shared == {"app_install": 2, "device_id": 2, "advertising_id": 2}


def test_a_zeroed_advertising_id_links_nobody(app_warehouse):
    hoa = _customer(app_warehouse, "app", "install-hoa")
    bao = _customer(app_warehouse, "app", "install-bao")
    assert hoa != bao
    assert hoa == _customer(app_warehouse, "crm", "98000003")
    assert query(app_warehouse, """
        select count(*) from intermediate.int_identifiers_unioned
        where identifier_type = 'advertising_id' and identifier_value like '00000000%'""") == [(0,)]


def test_a_reinstall_on_the_same_device_is_the_same_customer_and_counts_in_the_profile(
        app_warehouse):
    quan = _customer(app_warehouse, "crm", "98000005")
    assert _customer(app_warehouse, "app", "install-quan-1") == quan
    assert _customer(app_warehouse, "app", "install-quan-2") == quan
    [row] = query(app_warehouse, """
        select app_installs_count, app_sessions_count, cast(last_app_open_at as date)
        from marts.customers where customer_id = ?""", [quan])
    assert row[0] == 2 and row[1] >= 2
    assert str(row[2]) == "2026-10-21"
