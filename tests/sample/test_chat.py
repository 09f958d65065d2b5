"""Chat in the sample: Zalo OA events and Messenger `messaging` objects as the webhooks POST
them, each record in the ground truth, and the hazards that make typed phones a trap."""

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from cdp.sample import PROFILES, generate_sample_exports, night_folders
from cdp.sample.chat import OFFICIAL_ACCOUNTS, PAGES
from tests.helpers import SAMPLE_CUSTOMERS, SAMPLE_SEED

pytestmark = pytest.mark.unit

OA_APPS = {oa.oa_id: oa.app_id for oa in OFFICIAL_ACCOUNTS}
ZALO_KEYS = {
    "follow": {"app_id", "user_id_by_app", "oa_id", "event_name", "timestamp", "source",
               "follower"},
    "user_submit_info": {"app_id", "user_id_by_app", "event_name", "timestamp", "sender",
                         "recipient", "info"},
}
MESSAGE_KEYS = {"app_id", "user_id_by_app", "event_name", "timestamp", "sender", "recipient",
                "message"}
# A phone as typed, anywhere in a text: with or without the country code, grouped any way.
PHONE = re.compile(r"(?<![\d.])(?:\(\+84\) ?|\+84 ?|84|0)(\d{3})[ .-]?(\d{3})[ .-]?(\d{3})(?!\d)")


@pytest.fixture(scope="module")
def messy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A messy sample big enough to hold every chat hazard several times."""
    out = tmp_path_factory.mktemp("messy-chat")
    generate_sample_exports(out, 1500, SAMPLE_SEED, profile=PROFILES["messy"])
    return out


def _lines(out: Path, channel: str, night: int | None = None) -> list[dict]:
    folders = night_folders(out)
    return [json.loads(line)
            for folder in (folders if night is None else folders[night - 1:night])
            for path in sorted(folder.glob(f"chat/{channel}/*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def _truth(out: Path) -> dict[tuple[str, str], str]:
    with (out / "ground_truth.csv").open(encoding="utf-8", newline="") as handle:
        return {(row["source"], row["record_id"]): row["person_id"]
                for row in csv.DictReader(handle)}


def _psid(line: dict) -> str:
    return line["recipient"]["id"] if line["sender"]["id"] in PAGES else line["sender"]["id"]


def _customer_texts(out: Path) -> dict[str, list[str]]:
    """Every chat record's texts typed by the customer (and forms' phones), by record id."""
    texts = defaultdict(list)
    for line in _lines(out, "zalo"):
        if line["event_name"] == "user_submit_info":
            texts[line["user_id_by_app"]].append(line["info"]["phone"])
        elif line["event_name"].startswith("user_send_") and "text" in line["message"]:
            texts[line["user_id_by_app"]].append(line["message"]["text"])
    for line in _lines(out, "messenger"):
        message = line.get("message", {})
        if not message.get("is_echo") and "text" in message:
            texts[_psid(line)].append(message["text"])
    return texts


def _phones_of_people(out: Path) -> dict[str, set[str]]:
    """The 9-digit phones other sources hold for each person (CRM, leads, orders)."""
    truth = _truth(out)
    phones = defaultdict(set)
    columns = {"crm": ("Record ID", ["Phone Number", "Mobile Phone Number"]),
               "social": ("id", ["phone_number"]), "pos": ("Name", ["Billing Phone"])}
    for folder in night_folders(out):
        for source, (key, fields) in columns.items():
            for path in (folder / source).glob("*.csv"):
                with path.open(encoding="utf-8", newline="") as handle:
                    for row in csv.DictReader(handle):
                        for field in fields:
                            digits = re.sub(r"\D", "", row[field])
                            if len(digits) >= 9 and (source, row[key]) in truth:
                                phones[truth[source, row[key]]].add(digits[-9:])
    return phones


def _typed_phones(texts: list[str]) -> set[str]:
    return {"".join(match.groups()) for text in texts for match in PHONE.finditer(text)}


def test_zalo_lines_are_webhook_events(sample_dir):
    lines = _lines(sample_dir, "zalo")
    assert lines
    msg_ids = []
    for line in lines:
        event = line["event_name"]
        keys = ZALO_KEYS.get("follow" if event in ("follow", "unfollow") else event,
                             MESSAGE_KEYS)
        assert set(line) == keys, line
        assert line["timestamp"].isdigit() and len(line["timestamp"]) == 13
        assert 16 <= len(line["user_id_by_app"]) <= 19 and line["user_id_by_app"].isdigit()
        if event in ("follow", "unfollow"):
            oa, user = line["oa_id"], line["follower"]["id"]
        elif event == "oa_send_text":
            oa, user = line["sender"]["id"], line["recipient"]["id"]
        else:
            oa, user = line["recipient"]["id"], line["sender"]["id"]
        assert OA_APPS[oa] == line["app_id"]
        assert 16 <= len(user) <= 19 and user.isdigit()
        if "message" in line:
            msg_ids.append(line["message"]["msg_id"])
            assert "text" in line["message"] or line["message"]["attachments"]
    assert len(msg_ids) == len(set(msg_ids))
    events = {line["event_name"] for line in lines}
    assert {"follow", "user_send_text", "user_send_image", "user_send_sticker",
            "user_submit_info", "oa_send_text"} <= events
    forms = [line["info"] for line in lines if line["event_name"] == "user_submit_info"]
    assert {len(form["phone"]) for form in forms} == {10, 11}  # 0912345678, 84912345678
    assert all(set(form) == {"name", "phone", "address", "city", "district", "ward"}
               for form in forms)


def test_messenger_lines_are_messaging_objects(sample_dir):
    lines = _lines(sample_dir, "messenger")
    assert lines
    mids = []
    for line in lines:
        assert isinstance(line["timestamp"], int)
        [kind] = set(line) - {"sender", "recipient", "timestamp"}
        assert kind in ("message", "referral", "postback")
        page = line["sender"]["id"] if line.get("message", {}).get("is_echo") \
            else line["recipient"]["id"]
        assert page in PAGES and 16 <= len(_psid(line)) <= 17
        if kind != "referral":
            mids.append(line[kind]["mid"])
        if kind == "message" and line["message"].get("is_echo"):
            assert isinstance(line["message"]["app_id"], int) and line["message"]["text"]
        elif kind == "message":
            assert "text" in line["message"] or line["message"]["attachments"]
    assert all(mid.startswith("m_") for mid in mids) and len(mids) == len(set(mids))
    assert any(line.get("postback", {}).get("payload") == "GET_STARTED" for line in lines)
    assert any(line.get("referral", {}).get("source") == "ADS" for line in lines)
    assert any("sticker_id" in line.get("message", {}) for line in lines)


def test_every_chat_record_is_in_the_ground_truth_once(sample_dir):
    zalo = {line["user_id_by_app"] for line in _lines(sample_dir, "zalo")}
    psids = {_psid(line) for line in _lines(sample_dir, "messenger")}
    chat = {record for source, record in _truth(sample_dir) if source == "chat"}
    assert not zalo & psids
    assert chat == zalo | psids


def test_one_person_on_several_oas(messy_dir):
    in_oas = defaultdict(set)
    for line in _lines(messy_dir, "zalo"):
        if line["event_name"] == "follow":
            in_oas[line["user_id_by_app"]].add((line["oa_id"], line["follower"]["id"]))
    # The shop's two OAs share an app: one user_id_by_app, an id per OA.
    assert any(len({oa for oa, _ in pairs}) == 2 and len({user for _, user in pairs}) == 2
               for pairs in in_oas.values())
    # The outlet's OA is on another app: the same person has another user_id_by_app there.
    records_of = defaultdict(set)
    for (source, record), person in _truth(messy_dir).items():
        if source == "chat" and record in in_oas:
            records_of[person].add(record)
    assert any(len(records) == 2 for records in records_of.values())


def test_phones_typed_every_way_and_digits_that_are_no_phone(messy_dir):
    texts = [text for record in _customer_texts(messy_dir).values() for text in record]
    for spelling in (r"0\d{3} \d{3} \d{3}", r"0\d{3}\.\d{3}\.\d{3}", r"\+84 \d{3} \d{3} \d{3}",
                     r"\(\+84\) \d{3}-\d{3}-\d{3}", r"(?<![\d+])84\d{9}\b", r"[^\d ]+ 0\d{9}"):
        assert any(re.search(spelling, text) for text in texts), spelling
    assert any(re.search(r"(sđt|sdt).*\d{3}", text) for text in texts)
    assert any(re.search(r"\S+@\S+\.\w+", text) for text in texts)
    assert any(re.search(r"STK (em )?\d{10,14}", text) for text in texts)  # bank accounts
    assert any(re.search(r"\d{3}\.\d{3}(đ|d)\b|\d+k\b", text) for text in texts)  # prices
    assert any(re.search(r"\b\d{1,2}/\d{1,2}\b", text) for text in texts)  # dates
    assert any(re.search(r"#\d{4,5}", text) for text in texts)  # order numbers
    replies = [line["message"]["text"] for line in _lines(messy_dir, "zalo")
               if line["event_name"] == "oa_send_text"]
    assert any("1900 6868" in text for text in replies)  # the shop's own number


def test_a_phone_typed_in_chat_may_be_someone_elses(messy_dir):
    """A relative's phone for a delivery, a family account's second user: a rule linking every
    typed phone would merge people other sources keep apart."""
    truth, phones_of = _truth(messy_dir), _phones_of_people(messy_dir)
    owners_of = defaultdict(set)
    for person, phones in phones_of.items():
        for phone in phones:
            owners_of[phone].add(person)
    others, both = 0, 0
    for record, texts in _customer_texts(messy_dir).items():
        person = truth["chat", record]
        typed = _typed_phones(texts) | {text[-9:] for text in texts if text.isdigit()}
        strangers = {phone for phone in typed
                     if owners_of.get(phone) and person not in owners_of[phone]}
        others += bool(strangers)
        both += bool(strangers) and bool(typed & phones_of[person])
    assert others >= 5
    assert both >= 2  # their own phone and another person's, on one record


def test_lead_ad_threads_carry_the_ad_never_the_lead(messy_dir):
    leads = []
    for folder in night_folders(messy_dir):
        with next((folder / "social").glob("*.csv")).open(encoding="utf-8") as handle:
            leads += list(csv.DictReader(handle))
    lines = _lines(messy_dir, "messenger")
    referrals = {_psid(line): line["referral"] for line in lines if "referral" in line}
    assert {referral["ad_id"] for referral in referrals.values()} & {
        lead["ad_id"] for lead in leads}
    text = "\n".join(json.dumps(line) for line in lines)
    assert not [lead["id"] for lead in leads if lead["id"].removeprefix("l:") in text]
    # What joins a thread to its lead is what the person types there.
    truth, texts = _truth(messy_dir), _customer_texts(messy_dir)
    lead_phones = defaultdict(set)
    for lead in leads:
        lead_phones[truth["social", lead["id"]]].add(lead["phone_number"][-9:])
    joined = [psid for psid in referrals
              if _typed_phones(texts[psid]) & lead_phones[truth["chat", psid]]]
    assert joined


def test_unfollows_stickers_images_and_pages(messy_dir):
    zalo = _lines(messy_dir, "zalo")
    follows = [(line["oa_id"], line["follower"]["id"], line["event_name"]) for line in zalo
               if line["event_name"] in ("follow", "unfollow")]
    again = {(oa, user) for number, (oa, user, event) in enumerate(follows)
             if event == "unfollow" and (oa, user, "follow") in follows[number:]}
    assert again  # followed again after leaving
    assert any(line["event_name"] in ("user_send_image", "user_send_sticker")
               and "text" not in line["message"] for line in zalo)
    truth, psids_of = _truth(messy_dir), defaultdict(set)
    for line in _lines(messy_dir, "messenger"):
        psids_of[truth["chat", _psid(line)]].add(_psid(line))
    assert any(len(psids) == 2 for psids in psids_of.values())  # one PSID per Page


def test_most_people_do_not_chat_on_a_given_night(sample_dir):
    def records(night: int) -> set[str]:
        return {line["user_id_by_app"] for line in _lines(sample_dir, "zalo", night)} | {
            _psid(line) for line in _lines(sample_dir, "messenger", night)}

    assert 0 < len(records(2)) < 0.1 * len(records(1))
    assert len({person for (source, _), person in _truth(sample_dir).items()
                if source == "chat"}) < SAMPLE_CUSTOMERS
