"""The mobile app as Segment's iOS and Android SDKs send it: lifecycle events
(`Application Installed`, `Application Opened`), screens, tracks and identifies, with
`context.device` and `context.app`.

The hazards real apps have: advertising ids that are all zeros (tracking limited) or the vendor
id sent in their place, `adTrackingEnabled` true with zeros (a buggy SDK), reinstalls (a new
anonymousId on the same device), and family tablets: one install several household members sign
in to, days apart.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cdp.sample.people import Person, new_uuid
from cdp.sample.website import segment_timestamp

ZERO_ADVERTISING_ID = "00000000-0000-0000-0000-000000000000"
_SCREENS = ["Trang chủ", "Danh mục", "Sản phẩm", "Giỏ hàng", "Tài khoản", "Khuyến mãi"]
_IOS_MODELS = ["iPhone15,2", "iPhone14,7", "iPad13,18"]
_ANDROID_MODELS = [("samsung", "SM-A546E"), ("xiaomi", "23076RN4BI"), ("OPPO", "CPH2591")]


@dataclass(slots=True)
class Device:
    """One phone or tablet: the vendor's device id and what its advertising id settings send."""

    platform: str  # ios | android
    device_id: str
    advertising_id: str
    ad_tracking_enabled: bool
    model: str
    manufacturer: str


@dataclass(slots=True)
class AppSession:
    """A run of the app: opened, a few screens; on it `person` signs in (`user_id`) or only
    gives an email (`email`), or neither."""

    person: Person
    install: str  # anonymousId
    device: Device
    start: datetime
    first: bool  # the install's first open: Application Installed comes before it
    user_id: str | None = None
    email: str | None = None
    screens: list[str] = field(default_factory=list)


def new_device(rng: random.Random) -> Device:
    if rng.random() < 0.45:
        device_id = new_uuid(rng).upper()  # identifierForVendor
        roll = rng.random()
        if roll < 0.25:  # tracking authorized (App Tracking Transparency)
            advertising, enabled = new_uuid(rng).upper(), True
        elif roll < 0.45:  # not authorized: the vendor id sent in its place
            advertising, enabled = device_id, False
        else:
            advertising, enabled = ZERO_ADVERTISING_ID, False
        return Device("ios", device_id, advertising, enabled, rng.choice(_IOS_MODELS), "Apple")
    device_id = f"{rng.getrandbits(64):016x}"  # ANDROID_ID
    roll = rng.random()
    if roll < 0.7:
        advertising, enabled = new_uuid(rng), True
    elif roll < 0.73:  # an SDK that reports tracking on with a zeroed id
        advertising, enabled = ZERO_ADVERTISING_ID, True
    else:
        advertising, enabled = ZERO_ADVERTISING_ID, False
    manufacturer, model = rng.choice(_ANDROID_MODELS)
    return Device("android", device_id, advertising, enabled, model, manufacturer)


def session_messages(rng: random.Random, session: AppSession) -> list[dict]:
    """The Segment messages of one app session."""
    device = session.device
    context = {
        "app": {"name": "Shop VN", "version": "4.2.0", "build": "420",
                "namespace": "vn.example.shop"},
        "device": {"id": device.device_id, "advertisingId": device.advertising_id,
                   "adTrackingEnabled": device.ad_tracking_enabled,
                   "manufacturer": device.manufacturer, "model": device.model,
                   "type": device.platform},
        "os": {"name": "iOS" if device.platform == "ios" else "Android",
               "version": "17.4" if device.platform == "ios" else "14"},
        "library": {"name": f"analytics-{'swift' if device.platform == 'ios' else 'kotlin'}",
                    "version": "1.5.0"},
        "locale": "vi-VN",
        "timezone": "Asia/Ho_Chi_Minh",
    }
    moment = session.start
    messages: list[dict] = []

    def message(kind: str, **fields) -> None:
        nonlocal moment
        moment += timedelta(seconds=rng.randrange(3, 120))
        body = {"messageId": new_uuid(rng), "type": kind, "anonymousId": session.install,
                "timestamp": segment_timestamp(moment),
                "receivedAt": segment_timestamp(moment + timedelta(seconds=rng.randrange(1, 30))),
                "context": context, **fields}
        if session.user_id:
            body["userId"] = session.user_id
        messages.append(body)

    if session.first:
        message("track", event="Application Installed",
                properties={"version": "4.2.0", "build": "420"})
    message("track", event="Application Opened",
            properties={"from_background": not session.first, "version": "4.2.0"})
    if session.user_id or session.email:
        traits = {"email": session.email} if session.email else {}
        message("identify", traits=traits)
    for screen in session.screens:
        message("screen", name=screen, properties={})
    return messages


def screens(rng: random.Random) -> list[str]:
    return [rng.choice(_SCREENS) for _ in range(1 + rng.randrange(4))]
