"""A webhook request is taken only with its vendor's signature: Zalo OA's SHA-256 of app id, body,
timestamp and OA secret key; Meta's HMAC-SHA256 of the body; Meta's verification GET answered
only with the right token."""

import hashlib
import hmac
import json

import pytest

from cdp.sources.chat.receiver.signatures import (
    messenger_challenge,
    messenger_signature,
    verified_zalo_event,
    verify_messenger,
    zalo_signature,
)

OA_SECRET = "oa-secret-key"
APP_SECRET = "app-secret"
ZALO_BODY = json.dumps({
    "app_id": "3608465249409", "user_id_by_app": "552177279717587730",
    "event_name": "user_send_text", "timestamp": "1718000000000",
    "message": {"text": "Chào shop, còn size M không?", "msg_id": "msg-1"},
}, ensure_ascii=False).encode()


@pytest.mark.unit
def test_zalo_signs_app_id_body_timestamp_and_oa_secret_key_in_that_order():
    expected = hashlib.sha256(b"3608465249409" + ZALO_BODY + b"1718000000000"
                              + OA_SECRET.encode()).hexdigest()
    assert zalo_signature(ZALO_BODY, "3608465249409", "1718000000000", OA_SECRET) \
        == f"mac={expected}"


@pytest.mark.unit
@pytest.mark.parametrize("form", ["mac={}", "{}", "MAC={}", " mac={} "])
def test_a_zalo_signature_is_taken_with_or_without_its_mac_prefix(form):
    digest = zalo_signature(ZALO_BODY, "3608465249409", "1718000000000",
                            OA_SECRET).removeprefix("mac=")
    event = verified_zalo_event(ZALO_BODY, form.format(digest), OA_SECRET)
    assert event is not None and event["message"]["msg_id"] == "msg-1"


@pytest.mark.unit
def test_a_zalo_timestamp_sent_as_a_number_is_signed_as_its_digits():
    body = json.dumps({"app_id": 42, "timestamp": 1718000000000, "event_name": "follow"}).encode()
    assert verified_zalo_event(body, zalo_signature(body, "42", "1718000000000", OA_SECRET),
                               OA_SECRET) is not None


@pytest.mark.unit
@pytest.mark.parametrize("body, header", [
    (ZALO_BODY, zalo_signature(ZALO_BODY, "3608465249409", "1718000000000", "another-secret")),
    (ZALO_BODY.replace(b"size M", b"size L"),
     zalo_signature(ZALO_BODY, "3608465249409", "1718000000000", OA_SECRET)),
    (ZALO_BODY, None),
    (ZALO_BODY, ""),
    (ZALO_BODY, "mac=ü" + "0" * 63),
    (b'{"event_name": "follow"}', zalo_signature(b'{"event_name": "follow"}', "", "", OA_SECRET)),
    (b"not json", zalo_signature(b"not json", "", "", OA_SECRET)),
    (b"[1, 2]", zalo_signature(b"[1, 2]", "", "", OA_SECRET)),
], ids=["wrong secret", "changed body", "no header", "empty header", "not hex",
        "no app_id or timestamp", "not JSON", "not an object"])
def test_a_zalo_request_without_its_signature_is_refused(body, header):
    assert verified_zalo_event(body, header, OA_SECRET) is None


@pytest.mark.unit
def test_messenger_signs_the_raw_body_with_hmac_sha256_of_the_app_secret():
    body = b'{"object":"page","entry":[]}'
    expected = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert messenger_signature(body, APP_SECRET) == f"sha256={expected}"
    assert verify_messenger(body, f"sha256={expected}", APP_SECRET)
    assert verify_messenger(body, f"sha256={expected.upper()}", APP_SECRET)


@pytest.mark.unit
@pytest.mark.parametrize("body, header", [
    (b'{"object":"page"}', messenger_signature(b'{"object":"page"}', "another-secret")),
    (b'{"object":"page", "x": 1}', messenger_signature(b'{"object":"page"}', APP_SECRET)),
    (b'{"object":"page"}', None),
    (b'{"object":"page"}', messenger_signature(b'{"object":"page"}', APP_SECRET)[7:]),
    (b'{"object":"page"}', "sha1=" + messenger_signature(b'{"object":"page"}', APP_SECRET)[7:]),
], ids=["wrong secret", "changed body", "no header", "no sha256= prefix", "sha1"])
def test_a_messenger_request_without_its_signature_is_refused(body, header):
    assert not verify_messenger(body, header, APP_SECRET)


@pytest.mark.unit
def test_meta_verification_is_answered_with_its_challenge_only_with_the_right_token():
    assert messenger_challenge(
        "hub.mode=subscribe&hub.verify_token=our%20phrase&hub.challenge=1158201444",
        "our phrase") == "1158201444"
    for query in ("hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1",
                  "hub.mode=unsubscribe&hub.verify_token=our%20phrase&hub.challenge=1",
                  "hub.mode=subscribe&hub.verify_token=our%20phrase",
                  "hub.mode=subscribe&hub.challenge=1", ""):
        assert messenger_challenge(query, "our phrase") is None, query
