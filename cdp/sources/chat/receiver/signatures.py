"""Is a webhook request the vendor's? Pure functions of the raw body, the signature header and
the shared secret; every comparison is constant-time (`hmac.compare_digest`).

Zalo OA signs each event in `X-ZEvent-Signature` as `mac=` + the hex SHA-256 (a plain hash, not
an HMAC) of app id + raw body + timestamp + OA secret key, where the app id and the timestamp
are the body's own `app_id` and `timestamp` fields, and the key is the Official Account's secret
key, not the app's. The sources agree on the formula (Zalo's OA webhook documentation as
Vietnamese developers' guides restate it: the four parts in that order, the OA's key not the
app's; Chatwoot's Zalo channel computes exactly this) but not on the header's form: Chatwoot
compares the header with `mac=<hex>`, other integrations strip an optional `mac=`, and the
guides say only "the SHA-256 of". So a header with or without the `mac=` prefix is accepted;
the digest must match either way.

Messenger (Meta's webhooks) signs the raw body in `X-Hub-Signature-256` as `sha256=` + the hex
HMAC-SHA256 keyed by the app's App Secret, and checks a callback URL once with a GET carrying
`hub.mode=subscribe`, `hub.verify_token` (the token typed into the app's webhook setup) and
`hub.challenge`, which the endpoint echoes.
"""

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qs

ZALO_HEADER = "X-ZEvent-Signature"
MESSENGER_HEADER = "X-Hub-Signature-256"
_ZALO_PREFIX = "mac="
_MESSENGER_PREFIX = "sha256="


def zalo_signature(body: bytes, app_id: str, timestamp: str, oa_secret_key: str) -> str:
    """The `X-ZEvent-Signature` Zalo sends with `body`: `mac=<hex sha256>`."""
    signed = app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()
    return _ZALO_PREFIX + hashlib.sha256(signed).hexdigest()


def verified_zalo_event(body: bytes, header: str | None,
                        oa_secret_key: str) -> dict[str, Any] | None:
    """The event `body` holds if `header` is its Zalo signature under `oa_secret_key`, else None
    (no header, a body that is not a JSON object with `app_id` and `timestamp`, a wrong
    digest)."""
    if not header:
        return None
    try:
        event = json.loads(body)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    app_id, timestamp = _text(event.get("app_id")), _text(event.get("timestamp"))
    if app_id is None or timestamp is None:
        return None
    expected = zalo_signature(body, app_id, timestamp, oa_secret_key).removeprefix(_ZALO_PREFIX)
    given = header.strip()
    if given[:len(_ZALO_PREFIX)].lower() == _ZALO_PREFIX:
        given = given[len(_ZALO_PREFIX):]
    return event if _same(given.lower(), expected) else None


def messenger_signature(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` Meta sends with `body`: `sha256=<hex hmac>`."""
    return _MESSENGER_PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_messenger(body: bytes, header: str | None, app_secret: str) -> bool:
    """True if `header` is Meta's signature of `body` under `app_secret`."""
    if not header:
        return False
    given = header.strip()
    if given[:len(_MESSENGER_PREFIX)].lower() != _MESSENGER_PREFIX:
        return False
    expected = messenger_signature(body, app_secret).removeprefix(_MESSENGER_PREFIX)
    return _same(given[len(_MESSENGER_PREFIX):].lower(), expected)


def messenger_challenge(query: str, verify_token: str) -> str | None:
    """The challenge to answer Meta's verification GET with (its query string `query`), or
    None when it is not a subscription with the right token."""
    fields = parse_qs(query, keep_blank_values=True)
    mode = fields.get("hub.mode", [""])[0]
    token = fields.get("hub.verify_token", [""])[0]
    challenge = fields.get("hub.challenge", [None])[0]
    if mode != "subscribe" or challenge is None or not _same(token, verify_token):
        return None
    return challenge


def _text(value: Any) -> str | None:
    """A signed field as Zalo wrote it into the signature: text as is, a whole number in digits
    (Zalo sends both as JSON strings; a number is taken as its digits)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _same(given: str, expected: str) -> bool:
    # Bytes: compare_digest refuses str with non-ASCII characters, which a forged header may have.
    return hmac.compare_digest(given.encode("utf-8", "replace"),
                               expected.encode("utf-8", "replace"))
