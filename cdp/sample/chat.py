"""Chat as the two channels' webhooks POST it: Zalo Official Account events and Facebook
Messenger `messaging` objects, one JSON object per line.

Zalo knows a person by an id per OA (`sender.id` / `follower.id`) and an id per app
(`user_id_by_app`): the business's shop and brand OAs share one app, its outlet OA is connected
to another, so one person has up to three OA ids and two app ids. Messenger knows them by a
PSID per Page. Neither gives a phone or an email unless the person types one or fills the OA's
info form — and what is typed is not always theirs: the hazards are phones written every way
inside Vietnamese sentences, a relative's phone for a delivery, numbers that are no phones
(orders, prices, dates, bank accounts, the shop's own hotline in its replies), family accounts
used by two people, and Messenger threads opened from a lead ad that carry the ad's id but never
the lead's.
"""

import base64
import functools
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cdp.sample import social, vietnam
from cdp.sample.people import Person, render_email, render_name
from cdp.sample.social import Lead


@dataclass(frozen=True)
class OfficialAccount:
    oa_id: str
    app_id: str
    name: str


SHOP_APP_ID, OUTLET_APP_ID = "4318157362547913870", "2785069461322350991"
OFFICIAL_ACCOUNTS = (
    OfficialAccount("1791528368461273547", SHOP_APP_ID, "Shop VN"),
    OfficialAccount("3260498815738210034", SHOP_APP_ID, "Shop VN Thương hiệu"),
    OfficialAccount("579745863508352884", OUTLET_APP_ID, "Shop VN Outlet"),
)
# Where a follow came from (Zalo's `source`), and how often.
_FOLLOW_SOURCES = ["oa_profile", "qr_code", "article", "web_widget"]
_FOLLOW_WEIGHTS = [45, 25, 15, 15]
PAGES = ("104857392016483", "112233445566778")  # the shop's Page, and its outlet's
CHATBOT_APP_ID = 1517776481860111  # the shop's chatbot: greetings within seconds
PAGE_INBOX_APP_ID = 263902037430900  # replies typed by staff in the Page's inbox
LIKE_STICKER_ID = 369239263222822  # Messenger's thumbs-up
# Click-to-Messenger ads: ads whose click opens a thread, no form (no lead export has them).
_MESSAGE_ADS = [("120240000000000011", "Nhắn tin nhận ưu đãi"),
                ("120240000000000012", "Bộ sưu tập mới - nhắn shop để đặt")]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_OPENERS = [
    "Shop ơi còn size M không ạ?", "Áo này còn màu trắng không shop?", "Giá bao nhiêu vậy shop",
    "Ship về tỉnh mất mấy ngày ạ?", "Cho em xem mẫu mới với", "Em muốn đổi size được không?",
    "Đơn của em tới đâu rồi shop?", "Shop có mở cửa chủ nhật không?", "Có freeship không ạ?",
    "Tư vấn giúp em với", "Còn hàng không shop", "alo shop", "Hàng có sẵn không ạ?",
]
_PRODUCT_QUESTIONS = ["Còn {product} không shop?", "{product} có màu khác không ạ",
                      "Em lấy 1 {product} nha"]
_IMAGE_CAPTIONS = ["mẫu này còn không shop", "như hình nha", "cái này giá sao ạ"]
_THANKS = ["Cảm ơn shop ạ", "ok shop", "dạ vâng", "ok", "Em cảm ơn nhiều ❤️"]
_GREETINGS = ["Dạ shop chào bạn ạ 😊", "Chào mừng bạn đến với Shop VN! Shop có thể giúp gì ạ?"]
_REPLIES = [
    "Dạ sản phẩm còn hàng bạn nhé", "Dạ bạn đợi shop kiểm tra chút ạ",
    "Dạ đơn sẽ giao trong 2-3 ngày ạ", "Dạ shop gửi bạn bảng size ạ",
    # The business's own numbers: in its replies, never a customer's.
    "Hotline hỗ trợ: 1900 6868 ạ", "Cửa hàng Quận 1: 028 3823 4567, bạn ghé nhé",
    "Bạn chuyển khoản giúp shop vào STK 0071000888999 Vietcombank - CONG TY SHOP VN nhé",
    "Bạn gọi giúp shop số 0903 112 233 để được hỗ trợ nhanh ạ",
]
_ASKS = ["Bạn cho shop xin SĐT và địa chỉ nhận hàng nha", "Dạ bạn để lại số điện thoại giúp shop",
         "Bạn cho shop xin mail để gửi hóa đơn ạ"]
_ACKS = ["Dạ shop nhận được rồi ạ", "Dạ shop đã lên đơn cho bạn", "Dạ vâng ạ"]
_OWN_PHONE_TEXTS = [
    "sđt em là {phone} ạ", "ship giúp em về số {phone}", "{phone}", "số em {phone} nha shop",
    "Em tên {name}, sđt {phone}", "gọi em qua số {phone} nhé", "{phone} zalo em luôn ạ",
    "sdt: {phone}", "{name} - {phone} - {street}", "Liên hệ {phone} giúp em",
]
# A phone typed for someone else: the person the order is for.
_OTHER_PHONE_TEXTS = [
    "giao cho mẹ em số {phone} nhé", "người nhận là chồng em, sđt {phone}",
    "ship về nhà chị gái em, số {phone} ạ", "shop giao tới thì gọi bạn em {phone} nha",
    "gửi quà cho ba em, sđt {phone}", "em đặt giúp bạn, số của bạn ấy là {phone}",
]
_EMAIL_TEXTS = ["mail em: {email}", "email: {email}", "gửi hóa đơn qua mail {email} giúp em",
                "{email}", "em gửi rồi, {email} nhé"]


@dataclass(slots=True)
class Said:
    """One message of a conversation: by the customer (text, image or sticker; an image may
    have a caption) or by the business, `after` the message before it."""

    by_customer: bool
    kind: str  # text | image | sticker
    text: str
    after: timedelta
    automated: bool = False  # a chatbot's reply (Messenger echoes carry the bot's app id)


@dataclass(slots=True)
class ZaloAccount:
    """One Zalo account: a person's, or a family's used by two of them (recorded as the
    owner's). Its ids are per app and per OA."""

    owner: Person
    id_by_app: dict[str, str]
    id_in_oa: dict[str, str]
    oas: list[OfficialAccount]  # the OAs it has talked to or followed, first one first
    following: set[str]  # the OA ids it follows now


@dataclass(slots=True)
class ZaloEvent:
    account: ZaloAccount
    oa: OfficialAccount
    at: datetime
    kind: str  # follow | unfollow | user_submit_info | message | oa_send_text
    said: Said | None = None
    source: str = ""  # a follow's
    info: dict[str, str] | None = None  # a submitted form's


@dataclass(slots=True)
class MessengerThread:
    """A person's conversation with one Page: their PSID there."""

    person: Person
    page_id: str
    psid: str


@dataclass(slots=True)
class MessengerEvent:
    thread: MessengerThread
    at: datetime
    kind: str  # referral | get_started | message (the customer's) | echo (the Page's)
    said: Said | None = None
    referral: dict | None = None


def follow_source(rng: random.Random) -> str:
    return rng.choices(_FOLLOW_SOURCES, _FOLLOW_WEIGHTS)[0]


def lead_ad_referral(lead: Lead) -> dict:
    """The referral of a thread opened from the ad of a lead's form: the ad's id and title as
    the lead export names them, a ref naming the campaign; never the lead's id. One per ad."""
    ad = (lead.campaign, lead.platform)
    if ad not in _AD_REFERRALS:
        row = dict(zip(social.COLUMNS, social.lead_row(lead), strict=True))
        ref = re.sub(r"\W+", "_", vietnam.fold_diacritics(row["campaign_name"]).lower())
        _AD_REFERRALS[ad] = {
            "ref": ref.strip("_"), "ad_id": row["ad_id"], "source": "ADS",
            "type": "OPEN_THREAD", "ads_context_data": {"ad_title": row["ad_name"]}}
    return _AD_REFERRALS[ad]


_AD_REFERRALS: dict[tuple[int, str], dict] = {}


def message_ad_referral(rng: random.Random) -> dict:
    ad_id, title = rng.choice(_MESSAGE_ADS)
    return {"ref": "nhan_tin", "ad_id": ad_id, "source": "ADS", "type": "OPEN_THREAD",
            "ads_context_data": {"ad_title": title}}


def typed_phone(rng: random.Random, phone: str) -> str:
    """A mobile number as people type it into a chat."""
    head, middle, tail = phone[:3], phone[3:6], phone[6:]
    roll = rng.random()
    if roll < 0.3:
        return f"0{phone}"
    if roll < 0.5:
        return f"0{head} {middle} {tail}"
    if roll < 0.6:
        return f"0{head}.{middle}.{tail}"
    if roll < 0.7:
        return f"+84 {head} {middle} {tail}"
    if roll < 0.8:
        return f"84{phone}"
    if roll < 0.87:
        return f"(+84) {head}-{middle}-{tail}"
    if roll < 0.94:
        return f"+84{phone}"
    return f"0{head}-{middle}-{tail}"


def own_phone_text(rng: random.Random, person: Person) -> str:
    return rng.choice(_OWN_PHONE_TEXTS).format(
        phone=typed_phone(rng, person.phone), name=person.given_name,
        street=f"{rng.randrange(1, 300)} {rng.choice(vietnam.STREETS)}")


def other_phone_text(rng: random.Random, phone: str) -> str:
    return rng.choice(_OTHER_PHONE_TEXTS).format(phone=typed_phone(rng, phone))


def email_text(rng: random.Random, email: str) -> str:
    return rng.choice(_EMAIL_TEXTS).format(email=render_email(rng, email).strip())


def number_text(rng: random.Random) -> str:
    """A message with digits in it that are no phone: an order, a price, a date, a bank
    account (10 to 14 digits, some starting with 0 as a phone does)."""
    roll = rng.random()
    if roll < 0.25:
        if rng.random() < 0.5:
            return f"đơn #{rng.randrange(1001, 99999)} của em sao chưa giao ạ"
        return f"mã đơn {rng.randrange(10**11, 10**12)} em đặt hôm qua"
    if roll < 0.5:
        price = rng.choice(vietnam.PRODUCTS)[2]
        written = rng.choice([f"{price:,}đ".replace(",", "."), f"{price}", f"{price // 1000}k"])
        return rng.choice([f"áo này {written} phải không shop",
                           f"em chuyển khoản {written} rồi nha", f"{written} có freeship không"])
    if roll < 0.7:
        day, month = rng.randrange(1, 29), rng.randrange(1, 13)
        return rng.choice([f"giao trước {day}/{month} được không shop",
                           f"ngày {day:02d}/{month:02d}/2026 em nhận được không"])
    digits = rng.randrange(10, 15)
    account = (f"00{rng.randrange(10 ** (digits - 3), 10 ** (digits - 2))}"
               if rng.random() < 0.3 else str(rng.randrange(10 ** (digits - 1), 10 ** digits)))
    bank = rng.choice(vietnam.BANKS)
    return rng.choice([f"em đã chuyển khoản từ STK {account} {bank} ạ",
                       f"STK em {account} ({bank}), shop hoàn tiền giúp em",
                       f"hoàn tiền về {bank} {account} nha shop"])


def submitted_info(rng: random.Random, person: Person) -> dict[str, str]:
    """The OA's info request form as the person fills it: the phone as Zalo has it."""
    districts = vietnam.DISTRICTS.get(person.city)
    return {
        "name": render_name(rng, person.full_name),
        "phone": f"{'0' if rng.random() < 0.6 else '84'}{person.phone}",
        "address": f"{rng.randrange(1, 300)} {rng.choice(vietnam.STREETS)}",
        "city": person.city,
        # Since 2025 Vietnam has no districts: some leave the field empty.
        "district": rng.choice(districts) if districts and rng.random() < 0.7 else "",
        "ward": rng.choice(vietnam.WARDS),
    }


def conversation(rng: random.Random, says: list[str]) -> list[Said]:
    """A customer's opener, the business's replies, and `says` (the customer's texts that carry
    digits or an address), in order; now and then a sticker or thanks to close. A third of
    customers type without a Vietnamese keyboard (no diacritics)."""
    folded = rng.random() < 0.3
    said: list[Said] = []

    def customer(text: str, kind: str = "text") -> None:
        said.append(Said(True, kind, _folded(text) if folded else text,
                         timedelta(seconds=5 + 235 * rng.random())))

    def business(text: str, automated: bool = False) -> None:
        seconds = 1 + 4 * rng.random() if automated else 30 + 5370 * rng.random()
        said.append(Said(False, "text", text, timedelta(seconds=seconds), automated))

    roll = rng.random()
    if roll < 0.12:
        customer("", "image")
    elif roll < 0.22:
        customer(rng.choice(_IMAGE_CAPTIONS), "image")
    elif roll < 0.4:
        customer(rng.choice(_PRODUCT_QUESTIONS).format(product=rng.choice(vietnam.PRODUCTS)[1]))
    else:
        customer(rng.choice(_OPENERS))
    if rng.random() < 0.6:
        business(rng.choice(_GREETINGS), automated=True)
    if rng.random() < 0.8:
        business(rng.choice(_REPLIES))
    for text in says:
        if rng.random() < 0.4:
            business(rng.choice(_ASKS))
        customer(text)
        if rng.random() < 0.7:
            business(rng.choice(_ACKS))
    roll = rng.random()
    if roll < 0.25:
        customer("", "sticker")
    elif roll < 0.5:
        customer(rng.choice(_THANKS))
    return said


@functools.lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    """The text as typed without a Vietnamese keyboard (most texts are a template's)."""
    return vietnam.fold_diacritics(text)


# --- lines as the webhooks POST them --------------------------------------------------------


def _milliseconds(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def zalo_event(event: ZaloEvent, rng: random.Random) -> dict:
    """One Zalo OA webhook event. Timestamps are milliseconds since the epoch, as a string."""
    account, oa = event.account, event.oa
    user_in_oa = account.id_in_oa[oa.oa_id]
    head = {"app_id": oa.app_id, "user_id_by_app": account.id_by_app[oa.app_id]}
    stamp = str(_milliseconds(event.at))
    if event.kind in ("follow", "unfollow"):
        return {**head, "oa_id": oa.oa_id, "event_name": event.kind, "timestamp": stamp,
                "source": event.source, "follower": {"id": user_in_oa}}
    if event.kind == "user_submit_info":
        return {**head, "event_name": "user_submit_info", "timestamp": stamp,
                "sender": {"id": user_in_oa}, "recipient": {"id": oa.oa_id}, "info": event.info}
    said = event.said
    message: dict = {"msg_id": f"{rng.getrandbits(128):032x}"}
    if said.text:
        message["text"] = said.text
    if event.kind == "oa_send_text":
        return {**head, "event_name": "oa_send_text", "timestamp": stamp,
                "sender": {"id": oa.oa_id}, "recipient": {"id": user_in_oa}, "message": message}
    if said.kind == "image":
        key = f"{rng.getrandbits(64):016x}"
        message["attachments"] = [{"type": "image", "payload": {
            "url": f"https://photo-talk.zadn.vn/{key}.jpg",
            "thumbnail": f"https://photo-talk.zadn.vn/thumb/{key}.jpg"}}]
    elif said.kind == "sticker":
        sticker = f"{rng.getrandbits(80):020x}"
        message["attachments"] = [{"type": "sticker", "payload": {
            "id": sticker,
            "url": f"https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid={sticker}&size=130",
        }}]
    return {**head, "event_name": f"user_send_{said.kind}", "timestamp": stamp,
            "sender": {"id": user_in_oa}, "recipient": {"id": oa.oa_id}, "message": message}


def _mid(rng: random.Random) -> str:
    return "m_" + base64.urlsafe_b64encode(rng.randbytes(45)).decode()


def messenger_messaging(event: MessengerEvent, rng: random.Random) -> dict:
    """One Messenger webhook `messaging` object. Timestamps are milliseconds, an integer."""
    thread = event.thread
    user, page = {"id": thread.psid}, {"id": thread.page_id}
    stamp = _milliseconds(event.at)
    if event.kind == "referral":
        return {"sender": user, "recipient": page, "timestamp": stamp,
                "referral": event.referral}
    if event.kind == "get_started":
        return {"sender": user, "recipient": page, "timestamp": stamp,
                "postback": {"mid": _mid(rng), "title": "Bắt đầu", "payload": "GET_STARTED"}}
    said = event.said
    if event.kind == "echo":
        return {"sender": page, "recipient": user, "timestamp": stamp, "message": {
            "mid": _mid(rng), "is_echo": True,
            "app_id": CHATBOT_APP_ID if said.automated else PAGE_INBOX_APP_ID,
            "text": said.text}}
    message: dict = {"mid": _mid(rng)}
    if said.kind == "text":
        message["text"] = said.text
    elif said.kind == "image":  # Messenger sends a caption as a message of its own
        message["attachments"] = [{"type": "image", "payload": {
            "url": f"https://scontent.xx.fbcdn.net/v/t1.15752-9/{rng.getrandbits(60)}_n.jpg"}}]
    else:
        message["sticker_id"] = LIKE_STICKER_ID
        message["attachments"] = [{"type": "image", "payload": {
            "url": "https://scontent.xx.fbcdn.net/v/t39.1997-6/851557_369239266556155_n.png",
            "sticker_id": LIKE_STICKER_ID}}]
    return {"sender": user, "recipient": page, "timestamp": stamp, "message": message}
