"""A signed webhook for anything else (Zalo OA, an in-house app): the changes as JSON batches.

Each batch is POSTed with
- `X-CDP-Signature: sha256=<hex>`: HMAC-SHA256 of the exact body with the shared secret, so the
  receiver can tell it came from us and was not altered;
- `X-CDP-Timestamp`: when it was signed (also inside the signed body), against replays;
- `Idempotency-Key`: a hash of the batch's content and of our record of the audience when
  tonight's changes were built (`marts.audience_changes.delivery_record_version`): the same when
  the same undelivered changes are sent again — by a retry of the night, or on a later night
  when nothing else was recorded in between — so a receiver that keeps the keys it has seen
  applies a batch once even when a delivery was cut off after the receiver got it but before we
  recorded it; different when the same change comes again after others were recorded (added,
  removed, added again).

A removal owed since the person's erasure carries `"erased": true`: the receiver is told to
delete what it holds on them (a recipient of personal data must be told of its erasure).

Settings: `CDP_WEBHOOK_URL` or `url` under `[destinations.webhook]` in .dlt/config.toml /
secrets.toml; the secret `CDP_WEBHOOK_SECRET` or `signing_secret` in .dlt/secrets.toml.
"""

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import requests

from cdp.activation.destinations.base import DeliveryRun, Destination
from cdp.activation.http import RetryPolicy, send
from cdp.activation.state import Change
from cdp.settings import current_settings

SIGNATURE_HEADER = "X-CDP-Signature"
DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret: str
    batch_size: int  # changes per POST


def webhook_settings() -> WebhookSettings:
    """The webhook's settings (`[destinations]` in the settings tree: `CDP_WEBHOOK_URL` and
    `CDP_WEBHOOK_SECRET`, or `url` and `signing_secret` under [destinations.webhook] in dlt's
    files; `CDP_WEBHOOK_BATCH_SIZE`, 500 by default)."""
    settings = current_settings().destinations
    url = settings.webhook_url
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    batch_size = settings.webhook_batch_size
    if not url or not secret:
        raise ValueError("webhook destination: set CDP_WEBHOOK_URL and CDP_WEBHOOK_SECRET "
                         "(or url and signing_secret under [destinations.webhook])")
    return WebhookSettings(url, secret, batch_size)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def batches(changes: list[Change], size: int) -> Iterator[list[Change]]:
    for start in range(0, len(changes), size):
        yield changes[start:start + size]


def _item(change: Change) -> dict:
    item = {"change": change.change, "customer_id": change.customer_id, "email": change.email,
            "phone": change.phone}
    if change.erased:  # the receiver must delete what it holds on them, not only unlist them
        item["erased"] = True
    return item


def deliver_batches(audience_name: str, changes: list[Change], on_delivered: Callable,
                    batch_size: int = DEFAULT_BATCH_SIZE, policy: RetryPolicy | None = None,
                    state_token: str = "") -> list[str]:
    """POST the changes batch by batch; `on_delivered(batch)` records each batch the receiver
    accepted before the next is sent. Returns the failures (one line each); a failed batch is
    left for the next delivery."""
    settings = webhook_settings()
    url, secret = settings.url, settings.secret
    policy = policy or RetryPolicy()
    failures = []
    with requests.Session() as session:
        for batch in batches(changes, batch_size):
            items = [_item(change) for change in batch]
            key = hashlib.sha256(json.dumps([audience_name, state_token, items],
                                            sort_keys=True).encode()).hexdigest()
            signed_at = int(time.time())
            body = json.dumps({"audience": audience_name, "batch_id": key,
                               "signed_at": signed_at, "changes": items},
                              ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json", "Idempotency-Key": key,
                       SIGNATURE_HEADER: signature(secret, body),
                       "X-CDP-Timestamp": str(signed_at)}
            try:
                send(session, "POST", url, policy, data=body, headers=headers)
            except Exception as error:  # this batch waits for the next delivery
                failures.append(f"batch {key[:12]} of {len(batch)} changes: {error}")
                continue
            on_delivered(batch)
    return failures


class Webhook(Destination):
    name = "webhook"
    kinds = frozenset({"http"})
    receives = "customer ids, emails and phones in clear (signed JSON batches)"

    def send(self, run: DeliveryRun, changes: dict[str, list[Change]]) -> list[str]:
        failures = []
        batch_size = webhook_settings().batch_size
        for audience_name, audience_changes in changes.items():
            failures += [f"{audience_name}: {failure}" for failure in deliver_batches(
                audience_name, audience_changes, run.recorded, batch_size=batch_size,
                policy=run.policy, state_token=run.state_token(audience_name))]
        return failures


DESTINATION = Webhook()
