"""Chat on real loads and builds (one warehouse: tests/sources/conftest.py): Zalo OA and
Messenger events load, a bad line of each is set aside; a scoped id is a record that joins a
customer only through a phone or email the person shared (the info form, or written in a
message), never through a shared account, a relative's number or an ad; follows and reply
windows are channel state; conversations are in the profile and never the text; an erasure
takes their messages and the answers to them."""

import json
import shutil
from pathlib import Path

import pytest

from cdp.orchestration.resources import CdpSettings
from cdp.privacy_requests.requests import Selector, erase
from cdp.testing.exports_builder import write_contacts, write_messenger_events, write_zalo_events
from tests.helpers import query

APP = "3016452846175312345"
OTHER_APP = "4425331907162254321"
OA = "1829374650192837465"
OTHER_OA = "2938475610293847561"  # connected to the same app
PAGE = "108273645501928"
AD = "120210987654321098"  # the lead ad the social source's leads came from
DAY_MS = 86_400_000
NOV_1 = 1_793_491_200_000  # 2026-11-01T00:00:00Z in ms


def _at(day: int, hour: int = 9) -> int:
    return NOV_1 + (day - 1) * DAY_MS + hour * 3_600_000


def _zalo(event: str, user_app: str, user_oa: str, day: int, *, oa: str = OA, app: str = APP,
          text: str | None = None, info: dict | None = None, msg: str | None = None,
          hour: int = 9) -> dict:
    line: dict = {"app_id": app, "user_id_by_app": user_app, "event_name": event,
                  "timestamp": str(_at(day, hour))}
    if event in ("follow", "unfollow"):
        line |= {"oa_id": oa, "source": "oa_profile", "follower": {"id": user_oa}}
    elif event.startswith("oa_"):
        line |= {"sender": {"id": oa}, "recipient": {"id": user_oa},
                 "message": {"msg_id": msg, "text": text}}
    else:
        line |= {"sender": {"id": user_oa}, "recipient": {"id": oa}}
        if info is not None:
            line["info"] = info
        else:
            line["message"] = {"msg_id": msg, "text": text}
    return line


def _messenger(psid: str, day: int, *, text: str | None = None, mid: str | None = None,
               echo: bool = False, referral: dict | None = None, hour: int = 9) -> dict:
    sender, recipient = (PAGE, psid) if echo else (psid, PAGE)
    line: dict = {"sender": {"id": sender}, "recipient": {"id": recipient},
                  "timestamp": _at(day, hour)}
    if referral is not None:
        line["referral"] = referral
    else:
        line["message"] = {"mid": mid, "text": text, **({"is_echo": True} if echo else {})}
    return line


def lay_out_chat_scenarios(exports: Path) -> None:
    write_contacts(exports, "hubspot-chat-test.csv", [
        {"Record ID": "97000001", "First Name": "Hương", "Last Name": "Đỗ Thị",
         "Phone Number": "0903 111 222", "Email": "huong.chat@chat-test.vn"},
        {"Record ID": "97000002", "First Name": "Tuấn", "Last Name": "Bùi Anh",
         "Phone Number": "+84 938 444 555", "Email": "tuan.chat@chat-test.vn"},
        {"Record ID": "97000003", "First Name": "Mai", "Last Name": "Phan Thị",
         "Phone Number": "0977 888 999", "Email": "mai.chat@chat-test.vn"},
        {"Record ID": "97000004", "First Name": "Long", "Last Name": "Hồ Đức",
         "Phone Number": "0966 123 456", "Email": "long.chat@chat-test.vn"},
        {"Record ID": "97000005", "First Name": "Yến", "Last Name": "Lý Hải",
         "Phone Number": "0355 765 432", "Email": "yen.chat@chat-test.vn"},
        {"Record ID": "97000006", "First Name": "Khoa", "Last Name": "Đặng Minh",
         "Email": "khoa.lead@chat-test.vn"},
    ])
    zalo = [
        # Hương follows, asks, and shares her phone through the OA's info form.
        _zalo("follow", "zu-huong", "zo-huong", 1),
        _zalo("user_send_text", "zu-huong", "zo-huong", 1, text="Shop còn áo size M không ạ?",
              msg="zm-1"),
        _zalo("oa_send_text", "zu-huong", "zo-huong", 1, text="Dạ còn ạ", msg="zm-2", hour=10),
        _zalo("user_submit_info", "zu-huong", "zo-huong", 3,
              info={"name": "Đỗ Thị Hương", "phone": "84903111222", "city": "Hà Nội"}),
        # A follower who never shares anything, and later unfollows.
        _zalo("follow", "zu-quiet", "zo-quiet", 1),
        _zalo("user_send_sticker", "zu-quiet", "zo-quiet", 2, msg="zm-3"),
        _zalo("unfollow", "zu-quiet", "zo-quiet", 5),
        # Tuấn writes his number in a message, spaced and with the country code; an order
        # number and a price in the same conversation are no phones. He talks to both OAs of
        # the app: one record.
        _zalo("user_send_text", "zu-tuan", "zo-tuan", 3,
              text="Đơn DH20261103 giá 350.000đ, sđt em là (+84) 938-444-555 ạ", msg="zm-4"),
        _zalo("user_send_text", "zu-tuan", "zo-tuan-2", 4, oa=OTHER_OA, text="Chào shop",
              msg="zm-5"),
        # A family's one account: the parent submits her phone, then the child his.
        _zalo("user_submit_info", "zu-family", "zo-family", 2,
              info={"name": "Phan Thị Mai", "phone": "0977888999"}),
        _zalo("user_submit_info", "zu-family", "zo-family", 9,
              info={"name": "Hồ Đức Long", "phone": "0966123456"}),
        # Yến gives her own number in the form, then a relative's for a delivery.
        _zalo("user_submit_info", "zu-yen", "zo-yen", 3,
              info={"name": "Lý Hải Yến", "phone": "0355765432"}),
        _zalo("user_send_text", "zu-yen", "zo-yen", 4,
              text="giao cho mẹ em số 0912.345.678 nhé", msg="zm-6"),
        # The same person in an OA of another app: another id, nothing shared, another record.
        _zalo("user_send_text", "zu-huong-other-app", "zo-huong-3", 3, app=OTHER_APP,
              oa="3948576120394857612", text="Hi", msg="zm-7"),
    ]
    path = write_zalo_events(exports, "zalo_events_2026-11-10.jsonl", zalo)
    # The same event delivered twice (a webhook retry), then a line cut short.
    path.write_text(path.read_text(encoding="utf-8")
                    + path.read_text(encoding="utf-8").splitlines()[1] + "\n"
                    + '{"app_id": "1", "event_name": "user_send_text", "time\n',
                    encoding="utf-8")
    messenger = [
        # Khoa opens the conversation from the lead ad he also filled a form of: the ad's id
        # is every clicker's, so it links nothing; his email, written later, does.
        _messenger("ps-khoa", 6, referral={"ref": "spring", "ad_id": AD, "source": "ADS",
                                           "type": "OPEN_THREAD"}),
        _messenger("ps-khoa", 6, text="Tư vấn giúp em với", mid="m_1", hour=10),
        _messenger("ps-khoa", 6, text="Dạ anh cần gì ạ", mid="m_2", echo=True, hour=11),
        _messenger("ps-khoa", 7, text="mail em: Khoa.Lead@chat-test.vn", mid="m_3"),
        # Another clicker of the same ad, who writes nothing identifying.
        _messenger("ps-stranger", 6, referral={"ref": "spring", "ad_id": AD, "source": "ADS",
                                               "type": "OPEN_THREAD"}),
        _messenger("ps-stranger", 6, text="Giá bao nhiêu?", mid="m_4", hour=10),
    ]
    path = write_messenger_events(exports, "messenger_events_2026-11-10.jsonl", messenger)
    path.write_text(path.read_text(encoding="utf-8") + "not json at all\n", encoding="utf-8")


@pytest.fixture
def chat_warehouse(channel_warehouse) -> Path:
    return channel_warehouse[0]


def _customer(warehouse: Path, source: str, record_id: str) -> str:
    return query(warehouse, "select customer_id from marts.customer_records "
                            "where source = ? and record_id = ?", [source, record_id])[0][0]


def test_both_chat_formats_load_once_and_set_their_bad_line_aside(chat_warehouse):
    assert query(chat_warehouse, f"select count(*) from raw_chat.zalo_events "
                                 f"where app_id in ('{APP}', '{OTHER_APP}')") == [(14,)]
    assert query(chat_warehouse, "select count(*) from raw_chat.messenger_events "
                                 f"where cast(recipient as varchar) like '%{PAGE}%' "
                                 f"or cast(sender as varchar) like '%{PAGE}%'"
                 ) == [(6,)]
    set_aside = dict(query(chat_warehouse, """
        select source_file, line_number from raw_chat.quarantine order by 1"""))
    assert set_aside == {"chat/messenger/messenger_events_2026-11-10.jsonl": 7,
                         "chat/zalo/zalo_events_2026-11-10.jsonl": 16}


def test_a_follower_who_shared_their_phone_joins_their_crm_customer(chat_warehouse):
    huong = _customer(chat_warehouse, "crm", "97000001")
    assert _customer(chat_warehouse, "chat", "zu-huong") == huong
    tuan = _customer(chat_warehouse, "crm", "97000002")
    assert _customer(chat_warehouse, "chat", "zu-tuan") == tuan
    # Both of Tuấn's OAs are one record: the app's id is his in each.
    assert query(chat_warehouse, "select count(*) from marts.customer_records "
                                 "where source = 'chat' and record_id = 'zu-tuan'") == [(1,)]


def test_a_follower_who_shared_nothing_stays_their_own_customer(chat_warehouse):
    quiet = _customer(chat_warehouse, "chat", "zu-quiet")
    assert query(chat_warehouse, "select count(*) from marts.customer_records "
                                 "where customer_id = ?", [quiet]) == [(1,)]
    # Hương in another app's OA is another scope: her own record, not linked.
    assert _customer(chat_warehouse, "chat", "zu-huong-other-app") != \
        _customer(chat_warehouse, "crm", "97000001")


def test_a_shared_account_or_a_relatives_number_merges_nobody(chat_warehouse):
    mai, long_ = (_customer(chat_warehouse, "crm", record) for record in ("97000003", "97000004"))
    assert mai != long_
    assert _customer(chat_warehouse, "chat", "zu-family") not in (mai, long_)
    yen = _customer(chat_warehouse, "crm", "97000005")
    assert _customer(chat_warehouse, "chat", "zu-yen") == yen
    linked = query(chat_warehouse, """
        select identifier_value from intermediate.int_identifiers_unioned
        where source = 'chat' and record_id = 'zu-yen'""")
    assert linked == [("+84355765432",)]  # her own, not the relative's 0912 345 678


def test_a_conversation_from_a_lead_ad_joins_the_lead_only_through_what_was_written(
        chat_warehouse):
    khoa = _customer(chat_warehouse, "crm", "97000006")
    assert _customer(chat_warehouse, "chat", "ps-khoa") == khoa
    stranger = _customer(chat_warehouse, "chat", "ps-stranger")
    assert query(chat_warehouse, "select count(*) from marts.customer_records "
                                 "where customer_id = ?", [stranger]) == [(1,)]


def test_follows_and_reply_windows_are_channel_state(chat_warehouse):
    rows = {address: (status, last_inbound) for address, status, last_inbound in query(
        chat_warehouse, """
        select address, status, cast(last_inbound_at as varchar)
        from marts.customer_channel_status where channel in ('zalo', 'messenger')""")}
    assert rows[f"{OA}:zo-huong"][0] == "subscribed"
    assert rows[f"{OA}:zo-quiet"][0] == "unsubscribed"
    assert rows[f"{OA}:zo-huong"][1].startswith("2026-11-03 09:00:00")  # the info form
    assert rows[f"{PAGE}:ps-khoa"][1].startswith("2026-11-07 09:00:00")
    [(free_until, closes, messenger_closes)] = query(chat_warehouse, f"""
        select
            max(free_reply_until) filter (where address = '{OA}:zo-tuan'),
            max(reply_window_closes_at) filter (where address = '{OA}:zo-tuan'),
            max(reply_window_closes_at) filter (where address = '{PAGE}:ps-khoa')
        from marts.customer_channel_status""")
    assert (closes - free_until).days == 5  # Zalo: free for 48 hours, paid until 7 days
    assert str(messenger_closes).startswith("2026-11-08 09:00:00")  # Messenger: 24 hours


def test_conversations_are_in_the_profile_and_their_text_never_reaches_a_mart(chat_warehouse):
    huong = _customer(chat_warehouse, "crm", "97000001")
    [(conversations, messages, last)] = query(chat_warehouse, """
        select chat_conversations_count, chat_messages_count,
            cast(last_chat_message_at as varchar)
        from marts.customers where customer_id = ?""", [huong])
    # A message on the 1st (and the shop's answer), the info form two days later.
    assert (conversations, messages) == (2, 2)
    assert last.startswith("2026-11-03 09:00:00")
    texts = query(chat_warehouse, """
        select table_schema || '.' || table_name from information_schema.columns
        where table_schema = 'marts' and column_name in ('message_text', 'text')""")
    assert texts == []


def test_erasure_removes_their_messages_and_the_answers_to_them(chat_warehouse, tmp_path,
                                                                monkeypatch):
    monkeypatch.setenv("CDP_PRIVACY_SALT", "a-test-salt")
    # A copy: the other chat tests read the shared warehouse.
    shutil.copytree(chat_warehouse.parent, tmp_path / "warehouse")
    warehouse = tmp_path / "warehouse" / chat_warehouse.name
    settings = CdpSettings(exports_dir=str(tmp_path / "exports"), warehouse=str(warehouse),
                           published_warehouse=str(tmp_path / "published" / "cdp.duckdb"),
                           reports_dir=str(tmp_path / "reports"))
    theirs = """
        select count(*) from (
            select _record_hash from raw_chat.zalo_events where user_id_by_app = 'zu-huong'
            union all
            select event_id from staging.stg_chat__zalo_events where record_id = 'zu-huong'
        ) as events"""
    assert query(warehouse, theirs) == [(8,)]  # 4 events, raw and staged, an answer among them
    # What `cdp receive` wrote of them is the product's copy too.
    received = write_zalo_events(tmp_path / "exports", "received_20261110T020000Z_1.jsonl", [
        _zalo("user_send_text", "zu-huong", "zo-huong", 9, text="Còn hàng không ạ", msg="r1"),
        _zalo("user_send_text", "zu-tuan", "zo-tuan", 9, text="Chào shop", msg="r2")])

    result = erase(settings, Selector(phone="0903 111 222"), requested_by="the person",
                   reason="erasure request")

    assert ("chat", "zu-huong") in set(result.subject.records)
    assert query(warehouse, theirs) == [(0,)]
    assert [line["user_id_by_app"] for line in map(
        json.loads, received.read_text(encoding="utf-8").splitlines())] == ["zu-tuan"]
    assert result.steps["received chat"] == {"chat/zalo/received_20261110T020000Z_1.jsonl": 1}
    assert query(warehouse, """
        select count(*) from marts.customer_channel_status where record_id = 'zu-huong'""") \
        == [(0,)]
    # Nobody else's chat went with them.
    assert query(warehouse, "select count(*) from staging.stg_chat__zalo_events "
                            "where record_id = 'zu-tuan'") == [(2,)]
